extension/core/filter.o: extension/core/filter.cpp \
 extension/core/filter.hpp extension/core/keys.hpp
extension/core/filter.hpp:
extension/core/keys.hpp:
