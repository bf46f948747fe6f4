// random.hpp — random bits from the operating system (UUIDs, trace ids, backoff jitter).
//
// getrandom(2) has no state in the process, so a child of fork() never repeats its parent's (or a sibling's)
// draws: a generator seeded once per thread would, and execute() would then take another process's events for
// retries of its own and drop them as already stored.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dcb::detail {

/// Fills `n` bytes from getrandom(2); throws dcb::Error when the kernel refuses.
void random_bytes(void* out, std::size_t n);

std::uint64_t random_u64();

/// Uniform in [0, 1).
double random01();

}  // namespace dcb::detail
