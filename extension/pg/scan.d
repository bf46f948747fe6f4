extension/pg/scan.o: extension/pg/scan.cpp extension/pg/pg.hpp \
 extension/core/filter.hpp extension/core/keys.hpp
extension/pg/pg.hpp:
extension/core/filter.hpp:
extension/core/keys.hpp:
