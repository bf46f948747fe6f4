extension/pg/module.o: extension/pg/module.cpp extension/pg/pg.hpp \
 extension/core/filter.hpp extension/core/keys.hpp
extension/pg/pg.hpp:
extension/core/filter.hpp:
extension/core/keys.hpp:
