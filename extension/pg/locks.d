extension/pg/locks.o: extension/pg/locks.cpp extension/pg/pg.hpp \
 extension/core/filter.hpp extension/core/keys.hpp
extension/pg/pg.hpp:
extension/core/filter.hpp:
extension/core/keys.hpp:
