// dcb/export.hpp — what libdcb exports.
//
// libdcb is built with -fvisibility=hidden: only what is marked DCB_API (the public API) is visible to the
// programs and libraries that link it, so none of its internals (dcb::detail, the RapidJSON it uses inside) can
// bind to, or be bound by, another copy in the same process.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define DCB_API __attribute__((visibility("default")))
#else
#define DCB_API
#endif
