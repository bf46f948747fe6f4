// The Prometheus adapter from an installed libdcb.
#include <dcb/prometheus.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <iostream>

int main() {
	auto registry = std::make_shared<prometheus::Registry>();
	dcb::PrometheusMetrics metrics(*registry);
	metrics.increment_counter(dcb::metrics::append_method_calls, {{"operation", "append"}, {"status", "success"}});
	std::cout << prometheus::TextSerializer().Serialize(registry->Collect());
	return 0;
}
