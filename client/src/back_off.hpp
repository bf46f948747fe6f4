// back_off.hpp — the sleep between the attempts of a command handler (execute, execute_from_snapshot).
#pragma once

#include "dcb/options.hpp"

#include <string_view>

namespace dcb::detail {

/// Sleeps `d`, or less when the stop token fires (→ Canceled) or the deadline is nearer (→ Timeout); `after` says
/// what failed, for the exception's message.
void back_off(Clock::duration d, const CallOptions& call, std::string_view after);

}  // namespace dcb::detail
