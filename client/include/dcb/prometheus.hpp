// dcb/prometheus.hpp — Prometheus adapter (library dcb::prometheus, built when prometheus-cpp is found; Debian:
// prometheus-cpp-dev).
//
//   auto registry = std::make_shared<prometheus::Registry>();
//   prometheus::Exposer exposer("127.0.0.1:9464");            // prometheus-cpp's pull library
//   exposer.RegisterCollectable(registry);
//   auto store = dcb::EventStore::connect(dsn, dcb::StoreOptions{.metrics = std::make_shared<dcb::PrometheusMetrics>(*registry)});
//
// Every metric the store reports (dcb::metrics) becomes a family of the caller's registry when it is first
// reported: durations are histograms in seconds, `..._total` names counters (calls, conflicts, retries,
// cancellations and timeouts apart from errors, events appended and queried), the pool's levels gauges. The
// labels are the store's (operation, status, error_type, pool ...).
#pragma once

#include "dcb/export.hpp"
#include "dcb/observability.hpp"

#include <memory>
#include <vector>

namespace prometheus {
class Registry;
}

namespace dcb {

class DCB_API PrometheusMetrics final : public MetricsCollector {
public:
	/// Upper bounds in seconds, from 100 µs to 10 s: a read is sub-millisecond, an execute under contention can
	/// take seconds.
	static std::vector<double> default_duration_buckets();

	/// `registry` must outlive this collector (and the stores that report to it).
	explicit PrometheusMetrics(prometheus::Registry& registry, std::vector<double> duration_buckets = default_duration_buckets());
	~PrometheusMetrics() override;
	PrometheusMetrics(const PrometheusMetrics&) = delete;
	PrometheusMetrics& operator=(const PrometheusMetrics&) = delete;

	void record_duration(std::string_view metric, std::chrono::nanoseconds duration, const Labels& labels) override;
	void increment_counter(std::string_view metric, const Labels& labels) override;
	/// A `..._total` metric is a counter increased by `value`; any other a gauge set to it.
	void record_value(std::string_view metric, double value, const Labels& labels) override;
	void set_gauge(std::string_view metric, double value, const Labels& labels) override;

private:
	struct Families;
	std::unique_ptr<Families> families_;
};

}  // namespace dcb
