extension/pg/functions.o: extension/pg/functions.cpp extension/pg/pg.hpp \
 extension/core/filter.hpp extension/core/keys.hpp
extension/pg/pg.hpp:
extension/core/filter.hpp:
extension/core/keys.hpp:
