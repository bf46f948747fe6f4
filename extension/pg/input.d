extension/pg/input.o: extension/pg/input.cpp extension/pg/pg.hpp \
 extension/core/filter.hpp extension/core/keys.hpp
extension/pg/pg.hpp:
extension/core/filter.hpp:
extension/core/keys.hpp:
