// dcb/spdlog.hpp — spdlog adapter (library dcb::spdlog, built when spdlog is found).
//
//   auto log = std::make_shared<dcb::SpdlogLogger>(spdlog::default_logger());
//   dcb::StoreOptions o; o.contextual_logger = log;   // or o.logger = log
//
// Lines read "<message> key=value ..."; the contextual form appends trace_id=... span_id=... when the
// operation has a W3C trace context.
#pragma once

#include "dcb/export.hpp"

#include "dcb/observability.hpp"

#include <memory>

namespace spdlog {
class logger;
}

namespace dcb {

class DCB_API SpdlogLogger final : public Logger, public ContextualLogger {
public:
	explicit SpdlogLogger(std::shared_ptr<spdlog::logger> logger);

	void debug(std::string_view msg, const LogFields& fields) override;
	void info(std::string_view msg, const LogFields& fields) override;
	void warn(std::string_view msg, const LogFields& fields) override;
	void error(std::string_view msg, const LogFields& fields) override;

	void debug(const LogContext& ctx, std::string_view msg, const LogFields& fields) override;
	void info(const LogContext& ctx, std::string_view msg, const LogFields& fields) override;
	void warn(const LogContext& ctx, std::string_view msg, const LogFields& fields) override;
	void error(const LogContext& ctx, std::string_view msg, const LogFields& fields) override;

	/// The line written for `msg` and `fields` (and the trace context, when given).
	static std::string format(std::string_view msg, const LogFields& fields, const LogContext* ctx = nullptr);

private:
	std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace dcb
