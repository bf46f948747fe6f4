// prometheus_metrics.cpp — see dcb/prometheus.hpp.
#include "dcb/prometheus.hpp"
#include "dcb/subscription.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <string>

namespace dcb {

namespace {

prometheus::Labels labels_of(const Labels& labels) { return prometheus::Labels(labels.begin(), labels.end()); }

std::string help_of(std::string_view metric) {
	static const std::map<std::string_view, std::string_view> help = {
	    {metrics::query_method_duration, "Duration of EventStore query and head calls"},
	    {metrics::append_method_duration, "Duration of EventStore append calls"},
	    {metrics::execute_method_duration, "Duration of EventStore execute calls, retries included"},
	    {metrics::query_sql_duration, "Round trip of the read statements"},
	    {metrics::append_sql_duration, "Round trip of the append statements"},
	    {metrics::query_method_calls, "EventStore query and head calls by status"},
	    {metrics::append_method_calls, "EventStore append calls by status"},
	    {metrics::execute_method_calls, "EventStore execute calls by status"},
	    {metrics::events_queried, "Events returned by reads"},
	    {metrics::events_appended, "Events appended"},
	    {metrics::concurrency_conflicts, "Appends whose condition failed"},
	    {metrics::database_errors, "Failed calls other than conflicts, timeouts and cancellations, by error_type"},
	    {metrics::execute_retries, "Retries of execute, by reason (conflict, connection)"},
	    {metrics::query_canceled, "Reads canceled through a stop token"},
	    {metrics::append_canceled, "Appends canceled through a stop token"},
	    {metrics::query_timeout, "Reads that hit their deadline or statement_timeout"},
	    {metrics::append_timeout, "Appends that hit their deadline or statement_timeout"},
	    {metrics::pool_connections_idle, "Idle connections of the store's pool"},
	    {metrics::pool_connections_in_use, "Connections of the store's pool in use or being opened"},
	    {metrics::pool_connections_max, "Size limit of the store's pool"},
	    {metrics::subscription_lag_events, "Positions between the last one a subscription delivered and the head it saw"},
	    {metrics::subscription_lag_seconds, "Age of the first event of a subscription's batch when delivered; 0 when caught up"},
	    {metrics::subscription_position, "Last position a subscription delivered (a projection: committed)"},
	    {metrics::subscription_events, "Events delivered by subscriptions"},
	    {metrics::subscription_batches, "Batches delivered by subscriptions"},
	    {metrics::subscription_reconnects, "Connections of subscriptions lost and opened again"},
	    {metrics::subscription_handler_duration, "Time of a subscription's handler per batch (a projection: its transaction)"},
	    {metrics::projection_retries, "Projection batches rolled back and done again, by reason (conflict, moved)"},
	};
	const auto it = help.find(metric);
	return it != help.end() ? std::string(it->second) : "libdcb metric " + std::string(metric);
}

}  // namespace

/// The families registered so far, by name. Families are created on first use: only the registry knows them
/// after that, and looking them up again by name would be a registry scan per call.
struct PrometheusMetrics::Families {
	prometheus::Registry& registry;
	std::vector<double> buckets;
	std::mutex mutex;
	std::map<std::string, prometheus::Family<prometheus::Histogram>*, std::less<>> histograms;
	std::map<std::string, prometheus::Family<prometheus::Counter>*, std::less<>> counters;
	std::map<std::string, prometheus::Family<prometheus::Gauge>*, std::less<>> gauges;

	template <typename Metric, typename Builder>
	prometheus::Family<Metric>& family(std::map<std::string, prometheus::Family<Metric>*, std::less<>>& known,
	                                   std::string_view name, Builder build) {
		std::lock_guard lock(mutex);
		auto it = known.find(name);
		if (it == known.end())
			it = known.emplace(std::string(name), &build().Name(std::string(name)).Help(help_of(name)).Register(registry)).first;
		return *it->second;
	}
};

std::vector<double> PrometheusMetrics::default_duration_buckets() {
	return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

PrometheusMetrics::PrometheusMetrics(prometheus::Registry& registry, std::vector<double> duration_buckets)
    : families_(new Families{registry, std::move(duration_buckets), {}, {}, {}, {}}) {}

PrometheusMetrics::~PrometheusMetrics() = default;

void PrometheusMetrics::record_duration(std::string_view metric, std::chrono::nanoseconds duration, const Labels& labels) {
	auto& f = families_->family(families_->histograms, metric, prometheus::BuildHistogram);
	f.Add(labels_of(labels), families_->buckets).Observe(std::chrono::duration<double>(duration).count());
}

void PrometheusMetrics::increment_counter(std::string_view metric, const Labels& labels) {
	families_->family(families_->counters, metric, prometheus::BuildCounter).Add(labels_of(labels)).Increment();
}

void PrometheusMetrics::record_value(std::string_view metric, double value, const Labels& labels) {
	if (metric.ends_with("_total"))
		families_->family(families_->counters, metric, prometheus::BuildCounter).Add(labels_of(labels)).Increment(value);
	else
		set_gauge(metric, value, labels);
}

void PrometheusMetrics::set_gauge(std::string_view metric, double value, const Labels& labels) {
	families_->family(families_->gauges, metric, prometheus::BuildGauge).Add(labels_of(labels)).Set(value);
}

}  // namespace dcb
