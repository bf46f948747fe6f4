// spdlog_logger.cpp — see dcb/spdlog.hpp.
#include "dcb/spdlog.hpp"

#include <spdlog/spdlog.h>

namespace dcb {

namespace {

void append_value(std::string& out, const std::string& v) {
	if (!v.empty() && v.find_first_of(" \"=") == std::string::npos) {
		out += v;
		return;
	}
	out += '"';
	for (char c : v) {
		if (c == '"' || c == '\\') out += '\\';
		out += c;
	}
	out += '"';
}

}  // namespace

SpdlogLogger::SpdlogLogger(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}

std::string SpdlogLogger::format(std::string_view msg, const LogFields& fields, const LogContext* ctx) {
	std::string out(msg);
	for (const auto& [k, v] : fields) {
		out += ' ';
		out += k;
		out += '=';
		append_value(out, v);
	}
	if (ctx && !ctx->trace_id().empty()) {
		out += " trace_id=";
		out += ctx->trace_id();
		out += " span_id=";
		out += ctx->span_id();
	}
	return out;
}

void SpdlogLogger::debug(std::string_view m, const LogFields& f) { logger_->debug("{}", format(m, f)); }
void SpdlogLogger::info(std::string_view m, const LogFields& f) { logger_->info("{}", format(m, f)); }
void SpdlogLogger::warn(std::string_view m, const LogFields& f) { logger_->warn("{}", format(m, f)); }
void SpdlogLogger::error(std::string_view m, const LogFields& f) { logger_->error("{}", format(m, f)); }
void SpdlogLogger::debug(const LogContext& c, std::string_view m, const LogFields& f) { logger_->debug("{}", format(m, f, &c)); }
void SpdlogLogger::info(const LogContext& c, std::string_view m, const LogFields& f) { logger_->info("{}", format(m, f, &c)); }
void SpdlogLogger::warn(const LogContext& c, std::string_view m, const LogFields& f) { logger_->warn("{}", format(m, f, &c)); }
void SpdlogLogger::error(const LogContext& c, std::string_view m, const LogFields& f) { logger_->error("{}", format(m, f, &c)); }

}  // namespace dcb
