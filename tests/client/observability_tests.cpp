// observability_tests.cpp — metrics, spans, logs, and the traceparent carried into the SQL text.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <mutex>
#include <thread>

using dcb::P;
using namespace std::chrono_literals;

namespace {

struct Recorder final : dcb::MetricsCollector, dcb::TracingCollector, dcb::ContextualLogger {
	struct Metric {
		std::string kind, name;
		dcb::Labels labels;
	};
	struct Span final : dcb::SpanContext {
		std::string name, parent, tp, status;
		dcb::Labels attrs;
		void set_status(std::string_view s) override { status = s; }
		void add_attribute(std::string_view k, std::string_view v) override { attrs.insert_or_assign(std::string(k), std::string(v)); }
		std::string traceparent() const override { return tp; }
	};
	struct Finished {
		std::string name, parent, tp, status;
		dcb::Labels attrs;
	};
	struct Line {
		std::string level, msg, trace_id;
		dcb::LogFields fields;
	};

	std::mutex m;
	std::vector<Metric> metrics;
	std::vector<Finished> spans;
	std::vector<Line> lines;

	void record_duration(std::string_view n, std::chrono::nanoseconds, const dcb::Labels& l) override { add("duration", n, l); }
	void increment_counter(std::string_view n, const dcb::Labels& l) override { add("counter", n, l); }
	void record_value(std::string_view n, double, const dcb::Labels& l) override { add("value", n, l); }
	void add(const char* kind, std::string_view n, const dcb::Labels& l) {
		std::lock_guard g(m);
		metrics.push_back({kind, std::string(n), l});
	}
	std::unique_ptr<dcb::SpanContext> start_span(std::string_view parent, std::string_view name, const dcb::Labels&) override {
		auto s = std::make_unique<Span>();
		s->name = name;
		s->parent = parent;
		auto p = dcb::TraceParent::parse(parent);
		s->tp = (p ? p->child() : dcb::TraceParent::generate()).to_string();
		return s;
	}
	void finish_span(dcb::SpanContext& span, std::string_view status, const dcb::Labels& attrs) override {
		auto& s = dynamic_cast<Span&>(span);
		std::lock_guard g(m);
		spans.push_back({s.name, s.parent, s.tp, std::string(status), attrs});
	}
	void log(const char* level, const dcb::LogContext& c, std::string_view msg, const dcb::LogFields& f) {
		std::lock_guard g(m);
		lines.push_back({level, std::string(msg), std::string(c.trace_id()), f});
	}
	void debug(const dcb::LogContext& c, std::string_view msg, const dcb::LogFields& f) override { log("debug", c, msg, f); }
	void info(const dcb::LogContext& c, std::string_view msg, const dcb::LogFields& f) override { log("info", c, msg, f); }
	void warn(const dcb::LogContext& c, std::string_view msg, const dcb::LogFields& f) override { log("warn", c, msg, f); }
	void error(const dcb::LogContext& c, std::string_view msg, const dcb::LogFields& f) override { log("error", c, msg, f); }

	int count(std::string_view kind, std::string_view name, std::string_view status = {}) {
		std::lock_guard g(m);
		int n = 0;
		for (const auto& x : metrics)
			if (x.kind == kind && x.name == name && (status.empty() || (x.labels.count("status") && x.labels.at("status") == status))) ++n;
		return n;
	}
};

dcb::StoreOptions with(const std::shared_ptr<Recorder>& r) {
	dcb::StoreOptions o;
	o.metrics = r;
	o.tracing = r;
	o.contextual_logger = r;
	return o;
}

}  // namespace

TEST_CASE("metrics and spans of query, append, conflict and execute") {
	auto rec = std::make_shared<Recorder>();
	auto store = dcb::EventStore::connect(dcb_test::dsn(), with(rec));
	const std::string k = dcb_test::unique("obs");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "E", .data = "{}", .tags = {"K:" + k}};

	store.query(filter);
	CHECK(rec->count("counter", dcb::metrics::query_method_calls, "success") == 1);
	CHECK(rec->count("duration", dcb::metrics::query_method_duration, "success") == 1);
	CHECK(rec->count("duration", dcb::metrics::query_sql_duration) == 1);
	CHECK(rec->count("value", dcb::metrics::events_queried) == 1);

	store.append(filter, 0, {e});
	CHECK(rec->count("counter", dcb::metrics::append_method_calls, "success") == 1);
	CHECK(rec->count("duration", dcb::metrics::append_sql_duration) == 1);
	CHECK(rec->count("value", dcb::metrics::events_appended) == 1);

	CHECK_THROWS_AS(store.append(filter, 0, {e}), dcb::ConcurrencyConflict);
	CHECK(rec->count("counter", dcb::metrics::concurrency_conflicts) == 1);
	CHECK(rec->count("counter", dcb::metrics::append_method_calls, "error") == 1);

	CHECK_THROWS_AS(store.append({dcb::Event{.type = "E", .data = "{}", .id = "nope"}}), dcb::InvalidArgument);
	CHECK(rec->count("counter", dcb::metrics::database_errors) == 1);

	const std::string caller = dcb::TraceParent::generate().to_string();
	store.execute(filter, [&](const std::vector<dcb::StoredEvent>&) { return std::vector<dcb::Event>{e}; },
	              dcb::ExecuteOptions{.call = {.traceparent = caller}});
	std::lock_guard g(rec->m);
	REQUIRE(rec->spans.size() >= 7);
	const auto& exec_span = rec->spans.back();
	CHECK(exec_span.name == dcb::spans::execute);
	CHECK(exec_span.parent == caller);
	CHECK(exec_span.status == "success");
	const auto& append_span = rec->spans[rec->spans.size() - 2];
	const auto& query_span = rec->spans[rec->spans.size() - 3];
	CHECK(query_span.name == dcb::spans::query);
	CHECK(append_span.name == dcb::spans::append);
	CHECK(query_span.parent == exec_span.tp);   // children of the execute span
	CHECK(append_span.parent == exec_span.tp);
	CHECK(dcb::TraceParent::parse(append_span.tp)->trace_id == dcb::TraceParent::parse(caller)->trace_id);
	bool conflict_span = false;
	for (const auto& s : rec->spans)
		if (s.name == dcb::spans::append && s.status == "error" && s.attrs.count("error_type") && s.attrs.at("error_type") == "concurrency_conflict")
			conflict_span = true;
	CHECK(conflict_span);
	bool sql_logged = false;
	for (const auto& l : rec->lines)
		if (l.level == "debug" && l.msg == "executed sql for: append" && l.trace_id == dcb::TraceParent::parse(caller)->trace_id) sql_logged = true;
	CHECK(sql_logged);
}

TEST_CASE("timeouts and cancellations are counted apart from errors") {
	auto rec = std::make_shared<Recorder>();
	auto store = dcb::EventStore::connect(dcb_test::dsn(), with(rec));
	const std::string k = dcb_test::unique("obs-t");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	CHECK_THROWS_AS(store.query(filter, {.call = {.deadline = dcb::Clock::now() - 1ms}}), dcb::Timeout);
	std::stop_source s;
	s.request_stop();
	CHECK_THROWS_AS(store.append({dcb::Event{.type = "E", .data = "{}"}}, {.stop = s.get_token()}), dcb::Canceled);
	CHECK(rec->count("counter", dcb::metrics::query_timeout) == 1);
	CHECK(rec->count("counter", dcb::metrics::append_canceled) == 1);
	CHECK(rec->count("counter", dcb::metrics::database_errors) == 0);
	CHECK(rec->count("counter", dcb::metrics::query_method_calls, "timeout") == 1);
}

TEST_CASE("the span's traceparent is in the SQL the server runs") {
	auto rec = std::make_shared<Recorder>();
	auto store = dcb::EventStore::connect(dcb_test::dsn(), with(rec));
	auto blocker = dcb_test::connect_raw();
	const std::string k = dcb_test::unique("tp");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "E", .data = "{}", .tags = {"K:" + k}};
	dcb_test::exec(blocker.get(), "BEGIN");
	dcb_test::exec(blocker.get(), "SELECT dcb_append('" + filter.to_json() + "', 0, '" + dcb::events_to_json({e}) + "')");
	std::thread t([&] { CHECK_THROWS_AS(store.append(filter, 0, {e}, dcb::CallOptions::within(10s)), dcb::ConcurrencyConflict); });
	// pg_stat_activity is read once per transaction: poll from a connection of its own, in autocommit
	auto watcher = dcb_test::connect_raw();
	std::string seen;
	for (int i = 0; i < 500 && seen.empty(); ++i) {
		seen = dcb_test::exec(watcher.get(), "SELECT query FROM pg_stat_activity WHERE query LIKE '/*traceparent=%dcb_append%' AND pid <> pg_backend_pid()");
		if (seen.empty()) std::this_thread::sleep_for(10ms);
	}
	dcb_test::exec(blocker.get(), "COMMIT");
	t.join();
	REQUIRE_FALSE(seen.empty());
	std::lock_guard g(rec->m);
	REQUIRE_FALSE(rec->spans.empty());
	const auto& span = rec->spans.back();
	CHECK(span.name == dcb::spans::append);
	CHECK(seen.starts_with("/*traceparent='" + span.tp + "'*/ SELECT dcb_append("));
}

TEST_CASE("server messages below ERROR go to the logger") {
	auto rec = std::make_shared<Recorder>();
	dcb::StoreOptions o;
	o.contextual_logger = rec;
	// DEBUG messages from the server for every statement
	auto store = dcb::EventStore::connect(dcb_test::dsn() + " options='-c client_min_messages=debug5'", o);
	store.query(dcb::Filter{}, {.limit = 1});
	std::lock_guard g(rec->m);
	int server = 0;
	for (const auto& l : rec->lines)
		if (l.msg == "server message" && l.level == "debug" && !l.fields.empty() && l.fields[0].second.starts_with("DEBUG")) ++server;
	CHECK(server > 0);
}

TEST_CASE("a throwing hook does not change the outcome") {
	struct Throwing final : dcb::Logger, dcb::MetricsCollector {
		void debug(std::string_view, const dcb::LogFields&) override { throw std::runtime_error("log"); }
		void info(std::string_view, const dcb::LogFields&) override { throw std::runtime_error("log"); }
		void warn(std::string_view, const dcb::LogFields&) override { throw std::runtime_error("log"); }
		void error(std::string_view, const dcb::LogFields&) override { throw std::runtime_error("log"); }
		void record_duration(std::string_view, std::chrono::nanoseconds, const dcb::Labels&) override { throw 42; }
		void increment_counter(std::string_view, const dcb::Labels&) override { throw 42; }
		void record_value(std::string_view, double, const dcb::Labels&) override { throw 42; }
	};
	auto hooks = std::make_shared<Throwing>();
	dcb::StoreOptions o;
	o.logger = hooks;
	o.metrics = hooks;
	auto store = dcb::EventStore::connect(dcb_test::dsn() + " options='-c client_min_messages=debug5'", o);
	CHECK_NOTHROW(store.append({dcb::Event{.type = "E", .data = "{}"}}));  // the notice callback swallows the throw
	CHECK_NOTHROW(store.query(dcb::Filter{}, {.limit = 1}));
}
