/*
 * pure.hpp — included by every source file of the core: the core is plain C++ that never sees a
 * PostgreSQL header, so it can neither ereport() nor be longjmp'd through, and it is unit tested
 * without a server. The PostgreSQL layer includes core headers, never core sources.
 */
#pragma once

#if defined(POSTGRES_H)
static_assert(false, "extension/core is pure C++: no PostgreSQL header may be included here");
#endif
