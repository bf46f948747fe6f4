// support_tests.cpp — error mapping, traceparent, uuids, retry backoff, the spdlog line format.
#include <doctest/doctest.h>

#include <dcb/dcb.hpp>
#ifdef DCB_TEST_HAVE_SPDLOG
#include <dcb/spdlog.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#endif

#include <set>

#include <sys/wait.h>
#include <unistd.h>

template <typename E>
static bool maps_to(const char* sqlstate, const char* message = "m") {
	try {
		dcb::throw_error(sqlstate, message, "d", "h");
	} catch (const E& e) {
		return e.sqlstate() == sqlstate && e.detail() == "d" && e.hint() == "h" && std::string(e.what()) == message;
	} catch (...) {
	}
	return false;
}

TEST_CASE("SQLSTATE → exception type") {
	CHECK(maps_to<dcb::ConcurrencyConflict>("40001", "dcb: append condition failed"));
	CHECK(maps_to<dcb::DuplicateEventId>("23505"));
	CHECK(maps_to<dcb::InvalidArgument>("22023"));
	CHECK(maps_to<dcb::InvalidArgument>("22004"));
	CHECK(maps_to<dcb::InvalidArgument>("22P02"));
	CHECK(maps_to<dcb::ConnectionError>("08006"));
	CHECK(maps_to<dcb::ConnectionError>("57P01"));
	CHECK(maps_to<dcb::OutcomeUnknown>("08007"));  // transaction_resolution_unknown
	CHECK(maps_to<dcb::OutcomeUnknown>("40003"));  // statement_completion_unknown
	CHECK_FALSE(maps_to<dcb::OutcomeUnknown>("08006"));
	CHECK(maps_to<dcb::Timeout>("57014", "canceling statement due to statement timeout"));
	CHECK(maps_to<dcb::Canceled>("57014", "canceling statement due to user request"));
	CHECK_FALSE(maps_to<dcb::Timeout>("57014", "canceling statement due to user request"));
	CHECK(maps_to<dcb::ConcurrencyConflict>("40P01"));  // a deadlock is retried like a failed condition
	CHECK(maps_to<dcb::Error>("42883"));
	// every specific error is a dcb::Error
	CHECK(maps_to<dcb::Error>("40001"));
}

TEST_CASE("traceparent: parse, generate, child, SQL comment") {
	const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
	auto p = dcb::TraceParent::parse(tp);
	REQUIRE(p);
	CHECK(p->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
	CHECK(p->span_id == "00f067aa0ba902b7");
	CHECK(p->sampled);
	CHECK(p->to_string() == tp);
	auto c = p->child();
	CHECK(c.trace_id == p->trace_id);
	CHECK(c.span_id != p->span_id);
	CHECK(dcb::TraceParent::parse(c.to_string()));
	CHECK(dcb::TraceParent::parse(dcb::TraceParent::generate().to_string()));
	CHECK_FALSE(dcb::TraceParent::parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
	CHECK_FALSE(dcb::TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"));
	CHECK_FALSE(dcb::TraceParent::parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
	CHECK(dcb::traceparent_sql_comment(tp) == "/*traceparent='" + tp + "'*/ ");
	CHECK(dcb::traceparent_sql_comment("*/ DROP TABLE x; /*") == "");
	CHECK(dcb::traceparent_sql_comment("") == "");
	CHECK(dcb::LogContext{tp}.trace_id() == "4bf92f3577b34da6a3ce929d0e0e4736");
	CHECK(dcb::LogContext{tp}.span_id() == "00f067aa0ba902b7");
	CHECK(dcb::LogContext{"garbage"}.trace_id().empty());
}

TEST_CASE("uuids are version 4 and distinct") {
	std::set<std::string> seen;
	for (int i = 0; i < 1000; ++i) {
		const std::string u = dcb::new_uuid();
		REQUIRE(u.size() == 36);
		CHECK(u[8] == '-');
		CHECK(u[14] == '4');
		CHECK(std::string("89ab").find(u[19]) != std::string::npos);
		seen.insert(u);
	}
	CHECK(seen.size() == 1000);
}

// A pre-forking server draws ids in every child: a child must not repeat its parent's ids (or a sibling's),
// or execute() would take one child's events for retries of another's and drop them as already stored.
template <typename Draw>
static void check_differs_across_fork(Draw draw) {
	(void)draw();  // the parent has drawn before forking, as a server does while it starts up
	int fds[2];
	REQUIRE(pipe(fds) == 0);
	const pid_t child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		const std::string mine = draw();
		const ssize_t n = write(fds[1], mine.data(), mine.size());
		_exit(n == static_cast<ssize_t>(mine.size()) ? 0 : 1);
	}
	close(fds[1]);
	const std::string parents = draw();
	std::string childs(parents.size(), '\0');
	std::size_t got = 0;
	while (got < childs.size()) {
		const ssize_t n = read(fds[0], childs.data() + got, childs.size() - got);
		if (n <= 0) break;
		got += static_cast<std::size_t>(n);
	}
	close(fds[0]);
	int status = 0;
	waitpid(child, &status, 0);
	REQUIRE(got == childs.size());
	CHECK(WIFEXITED(status));
	CHECK(childs != parents);
}

TEST_CASE("ids drawn after fork() differ between parent and child") {
	SUBCASE("uuids") { check_differs_across_fork([] { return dcb::new_uuid(); }); }
	SUBCASE("trace ids") { check_differs_across_fork([] { return dcb::TraceParent::generate().to_string(); }); }
}

TEST_CASE("retry backoff: exponential, capped, jittered") {
	using std::chrono::microseconds;
	dcb::RetryPolicy p{.max_attempts = 5, .initial_backoff = microseconds(1000), .max_backoff = microseconds(5000), .multiplier = 2.0, .jitter = 0.5};
	CHECK(p.backoff(1, 0.0) == microseconds(1000));
	CHECK(p.backoff(2, 0.0) == microseconds(2000));
	CHECK(p.backoff(3, 0.0) == microseconds(4000));
	CHECK(p.backoff(4, 0.0) == microseconds(5000));   // capped
	CHECK(p.backoff(10, 0.0) == microseconds(5000));
	CHECK(p.backoff(2, 1.0) == microseconds(1000));   // full draw of 50 % jitter
	CHECK(p.backoff(2, 0.5) == microseconds(1500));
	p.jitter = 0;
	CHECK(p.backoff(2, 1.0) == microseconds(2000));
}

#ifdef DCB_TEST_HAVE_SPDLOG
TEST_CASE("spdlog adapter line format") {
	const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
	dcb::LogContext ctx{tp};
	CHECK(dcb::SpdlogLogger::format("query completed", {{"event_count", "3"}, {"query", "SELECT 1"}}, &ctx) ==
	      "query completed event_count=3 query=\"SELECT 1\" trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7");
	CHECK(dcb::SpdlogLogger::format("m", {{"k", "a\"b"}}) == "m k=\"a\\\"b\"");
}

TEST_CASE("spdlog adapter writes through the spdlog logger at the right level") {
	std::ostringstream out;
	auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
	auto logger = std::make_shared<spdlog::logger>("dcb-test", sink);
	logger->set_pattern("%l %v");
	logger->set_level(spdlog::level::info);
	dcb::SpdlogLogger adapter(logger);
	dcb::Logger& plain = adapter;
	dcb::ContextualLogger& contextual = adapter;
	plain.debug("hidden", {});
	plain.warn("conflict", {{"operation", "append"}});
	contextual.error(dcb::LogContext{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, "failed", {});
	logger->flush();
	CHECK(out.str() == "warning conflict operation=append\nerror failed trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7\n");
}
#endif

TEST_CASE("retry overrides replace only the members they set") {
	using std::chrono::microseconds;
	const dcb::RetryPolicy store{.max_attempts = 7, .initial_backoff = microseconds(300), .max_connection_retries = 9};
	const dcb::RetryPolicy none = dcb::RetryOverrides{}.applied_to(store);
	CHECK(none.max_attempts == 7);
	CHECK(none.initial_backoff == microseconds(300));
	CHECK(none.max_connection_retries == 9);
	const dcb::RetryPolicy some = dcb::RetryOverrides{.max_attempts = 2, .jitter = 0.0}.applied_to(store);
	CHECK(some.max_attempts == 2);
	CHECK(some.jitter == 0.0);
	CHECK(some.initial_backoff == microseconds(300));
	CHECK(some.max_backoff == store.max_backoff);
	const dcb::RetryPolicy all = dcb::RetryOverrides::all_of(dcb::RetryPolicy{}).applied_to(store);
	CHECK(all.max_attempts == dcb::RetryPolicy{}.max_attempts);
	CHECK(all.max_connection_retries == dcb::RetryPolicy{}.max_connection_retries);
}
