// prometheus_tests.cpp — the Prometheus adapter: the store's metrics in a registry, served over HTTP by
// prometheus-cpp's exposer, scraped and compared with what the test did.
#include <doctest/doctest.h>

#include "test_db.hpp"

#include <dcb/prometheus.hpp>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <sstream>

using dcb::P;
using namespace std::chrono_literals;

namespace {

/// GET http://127.0.0.1:<port>/metrics, the body.
std::string scrape(int port) {
	const int fd = socket(AF_INET, SOCK_STREAM, 0);
	REQUIRE(fd >= 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_port = htons(static_cast<std::uint16_t>(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
	const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n";
	REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
	std::string response;
	char buf[8192];
	for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<std::size_t>(n));
	close(fd);
	REQUIRE(response.starts_with("HTTP/1.1 200"));
	const auto body = response.find("\r\n\r\n");
	REQUIRE(body != std::string::npos);
	return response.substr(body + 4);
}

/// The samples of a scrape: "name{labels}" → value.
std::map<std::string, double> samples(const std::string& text) {
	std::map<std::string, double> out;
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);) {
		if (line.empty() || line[0] == '#') continue;
		const auto space = line.rfind(' ');
		out[line.substr(0, space)] = std::stod(line.substr(space + 1));
	}
	return out;
}

double sample(const std::map<std::string, double>& s, const std::string& key) {
	const auto it = s.find(key);
	if (it == s.end()) {
		MESSAGE("no sample " << key);
		return -1;
	}
	return it->second;
}

}  // namespace

TEST_CASE("Prometheus: the store's metrics scraped over HTTP match what was done") {
	auto registry = std::make_shared<prometheus::Registry>();
	prometheus::Exposer exposer("127.0.0.1:0");
	exposer.RegisterCollectable(registry);
	const int port = exposer.GetListeningPorts().at(0);
	auto store = dcb::EventStore::connect(dcb_test::dsn(), dcb::StoreOptions{
	                                                           .pool_size = 3,
	                                                           .retry = {.initial_backoff = std::chrono::microseconds(100)},
	                                                           .metrics = std::make_shared<dcb::PrometheusMetrics>(*registry)});
	const std::string k = dcb_test::unique("prom");
	auto filter = dcb::build_event_filter().matching().any_predicate_of({P("K", k)}).finalize();
	const dcb::Event e{.type = "E", .data = "{}", .tags = {P("K", k)}};

	constexpr int queries = 5, appends = 4;
	for (int i = 0; i < queries; ++i) store.query(filter);
	for (int i = 0; i < appends; ++i) store.append(filter, store.query(filter).max_seq, {e, e});  // 4 more queries
	CHECK_THROWS_AS(store.append(filter, 0, {e}), dcb::ConcurrencyConflict);
	CHECK_THROWS_AS(store.query(filter, {.call = dcb::CallOptions{.deadline = dcb::Clock::now() - 1ms}}), dcb::Timeout);
	std::stop_source stopped;
	stopped.request_stop();
	CHECK_THROWS_AS(store.append({e}, dcb::CallOptions{.stop = stopped.get_token()}), dcb::Canceled);
	CHECK_THROWS_AS(store.append({dcb::Event{.type = "E", .data = "{}", .id = "not-a-uuid"}}), dcb::InvalidArgument);
	// one decision that loses twice, then wins: 2 retries
	int calls = 0;
	store.execute(filter, [&](const std::vector<dcb::StoredEvent>&) {
		if (++calls <= 2) store.append({e});
		return std::vector<dcb::Event>{e};
	});

	const auto s = samples(scrape(port));
	const std::string q = "{operation=\"query\",status=\"success\"}", a = "{operation=\"append\",status=\"success\"}";
	CHECK(sample(s, "eventstore_query_method_calls_total" + q) == queries + appends + 3);  // + the execute's 3 reads
	CHECK(sample(s, "eventstore_append_method_calls_total" + a) == appends + 2 + 1);      // + sneaked + the winner
	CHECK(sample(s, "eventstore_append_method_calls_total{operation=\"append\",status=\"error\"}") == 1 + 2 + 1);
	CHECK(sample(s, "eventstore_concurrency_conflicts_total{conflict_type=\"concurrency\",operation=\"append\"}") == 3);
	CHECK(sample(s, "eventstore_execute_retries_total{operation=\"execute\",reason=\"conflict\"}") == 2);
	CHECK(sample(s, "eventstore_query_timeout_total{operation=\"query\",status=\"timeout\"}") == 1);
	CHECK(sample(s, "eventstore_append_canceled_total{operation=\"append\",status=\"canceled\"}") == 1);
	CHECK(sample(s, "eventstore_database_errors_total{error_type=\"invalid_argument\",operation=\"append\",status=\"error\"}") == 1);
	CHECK(sample(s, "eventstore_events_appended_total{operation=\"append\"}") == 2 * appends + 2 + 1);
	CHECK(sample(s, "eventstore_execute_method_calls_total{operation=\"execute\",status=\"success\"}") == 1);
	// durations are histograms in seconds: as many observations as calls
	CHECK(sample(s, "eventstore_query_method_duration_seconds_count" + q) == queries + appends + 3);
	CHECK(sample(s, "eventstore_append_sql_duration_seconds_count{operation=\"append\"}") == appends + 2 + 1);  // round trips that succeeded
	CHECK(sample(s, "eventstore_query_method_duration_seconds_bucket{operation=\"query\",status=\"success\",le=\"+Inf\"}") ==
	      queries + appends + 3);
	// pool gauges: nothing running now, and the pool never needed more than one connection of its three
	CHECK(sample(s, "eventstore_pool_connections_in_use{pool=\"primary\"}") == 0);
	CHECK(sample(s, "eventstore_pool_connections_idle{pool=\"primary\"}") == 1);
	CHECK(sample(s, "eventstore_pool_connections_max{pool=\"primary\"}") == 3);
}
