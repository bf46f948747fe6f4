extension/core/keys.o: extension/core/keys.cpp extension/core/keys.hpp
extension/core/keys.hpp:
