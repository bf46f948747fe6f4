// checks.cpp — invariant checkers (see checks.hpp).
#include "checks.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

namespace dcbc {

namespace {

std::string s(int64_t v) { return std::to_string(v); }

std::string opt(std::optional<int64_t> v) { return v ? s(*v) : "NULL"; }

std::string seq_list(const std::vector<int64_t> &v, size_t cap = 12) {
	std::string out;
	for (size_t i = 0; i < v.size() && i < cap; ++i) out += (i ? "," : "") + s(v[i]);
	if (v.size() > cap) out += ",... (" + s(static_cast<int64_t>(v.size())) + " in all)";
	return out;
}

}  // namespace

Log::Log(std::vector<LogEvent> events) : events_(std::move(events)), sorted_(events_) {
	std::stable_sort(sorted_.begin(), sorted_.end(), [](const auto &a, const auto &b) { return a.seq < b.seq; });
	for (size_t i = 0; i < sorted_.size(); ++i) by_call_[sorted_[i].call].push_back(i);
}

const LogEvent *Log::find(int64_t seq) const {
	auto it = std::lower_bound(sorted_.begin(), sorted_.end(), seq, [](const auto &e, int64_t v) { return e.seq < v; });
	return (it != sorted_.end() && it->seq == seq) ? &*it : nullptr;
}

std::vector<const LogEvent *> Log::call_events(const std::string &call) const {
	std::vector<const LogEvent *> out;
	auto it = by_call_.find(call);
	if (it == by_call_.end()) return out;
	for (size_t i : it->second) out.push_back(&sorted_[i]);
	std::sort(out.begin(), out.end(), [](auto *a, auto *b) { return a->idx < b->idx; });
	return out;
}

std::vector<int64_t> Log::matching_seqs(const OptFilter &f, int64_t after_excl, int64_t upto_incl) const {
	std::vector<int64_t> out;
	auto it = std::upper_bound(sorted_.begin(), sorted_.end(), after_excl,
	                           [](int64_t v, const auto &e) { return v < e.seq; });
	for (; it != sorted_.end() && it->seq <= upto_incl; ++it)
		if (matches(f, *it)) out.push_back(it->seq);
	return out;
}

std::vector<std::string> check_order(const Log &log) {
	std::vector<std::string> v;
	const auto &ev = log.events();
	for (size_t i = 0; i < ev.size(); ++i) {
		if (ev[i].seq <= 0) v.push_back("non-positive seq " + s(ev[i].seq));
		if (i && ev[i].seq <= ev[i - 1].seq)
			v.push_back("whole-log read not strictly ascending: seq " + s(ev[i].seq) + " after " + s(ev[i - 1].seq));
	}
	return v;
}

// "" when the stored event is what was sent: type, tags (a set), the flat data, the id.
static std::string stored_differently(const EventSpec &sent, const LogEvent &got) {
	if (got.type != sent.type) return "type " + json_string(got.type) + " instead of " + json_string(sent.type);
	std::set<std::string> want(sent.tags.begin(), sent.tags.end()), have(got.tags.begin(), got.tags.end());
	if (want != have || have.size() != got.tags.size()) return "other tags";
	if (got.data != sent.data) return "other data";
	if (got.id != sent.id) return "id " + got.id.value_or("NULL") + " instead of " + sent.id.value_or("NULL");
	return "";
}

std::vector<std::string> check_ledger(const Log &log, const std::vector<CallRecord> &calls,
                                      const std::vector<CallRecord> &unsure) {
	std::vector<std::string> v;
	std::unordered_set<std::string> known;
	auto check_call = [&](const CallRecord &c, bool acknowledged) {
		known.insert(c.call);
		auto evs = log.call_events(c.call);
		if (!acknowledged && evs.empty()) return;  // it never committed: fine
		std::string who = "call " + c.call +
		                  (acknowledged ? " (returned seq " + s(c.returned_seq) + ")" : std::string(" (outcome unknown)"));
		if (static_cast<int>(evs.size()) != c.n) {
			v.push_back(who + ": " + s(static_cast<int64_t>(evs.size())) + " of its " + s(c.n) +
			            " events are in the log");
			return;
		}
		for (int i = 0; i < c.n; ++i) {
			if (evs[i]->idx != i || evs[i]->n != c.n) {
				v.push_back(who + ": event seq " + s(evs[i]->seq) + " has idx/n " + s(evs[i]->idx) + "/" +
				            s(evs[i]->n));
				break;
			}
			if (i && evs[i]->seq <= evs[i - 1]->seq)
				v.push_back(who + ": events out of order: idx " + s(i) + " at seq " + s(evs[i]->seq) +
				            " after seq " + s(evs[i - 1]->seq));
			if (evs[i]->conditional != c.filter.has_value() ||
			    (c.filter && to_json(evs[i]->filter) != to_json(*c.filter)) || evs[i]->expected_max != c.expected_max)
				v.push_back(who + ": recorded condition differs at seq " + s(evs[i]->seq));
			if (static_cast<int>(c.events.size()) == c.n)
				if (std::string d = stored_differently(c.events[i], *evs[i]); !d.empty())
					v.push_back(who + ": event idx " + s(i) + " at seq " + s(evs[i]->seq) + " is stored with " + d);
		}
		if (acknowledged && evs.back()->seq != c.returned_seq)
			v.push_back(who + ": its last event is at seq " + s(evs.back()->seq));
	};
	for (const auto &c : calls) check_call(c, true);
	for (const auto &c : unsure) check_call(c, false);
	for (const auto &e : log.sorted())
		if (!known.count(e.call))
			v.push_back("seq " + s(e.seq) + " belongs to call " + e.call + ", which did not succeed");
	return v;
}

std::vector<std::string> check_unique_ids(const Log &log) {
	std::vector<std::string> v;
	std::unordered_map<std::string, int64_t> first;
	for (const auto &e : log.sorted()) {
		if (!e.id) continue;
		auto [it, fresh] = first.emplace(*e.id, e.seq);
		if (!fresh) v.push_back("duplicate id: " + *e.id + " is stored at seq " + s(it->second) + " and seq " + s(e.seq));
	}
	return v;
}

std::vector<std::string> check_head_is_last(const Log &log, int64_t head) {
	int64_t last = log.sorted().empty() ? 0 : log.sorted().back().seq;
	if (head == last) return {};
	return {"head: dcb_head() = " + s(head) + " on a quiet store whose last event is seq " + s(last)};
}

std::vector<std::string> check_g1(const Log &log) {
	std::vector<std::string> v;
	for (const auto &e : log.sorted()) {
		if (!e.conditional || e.idx != 0) continue;
		int64_t p = e.expected_max.value_or(0);
		OptFilter f = e.filter;
		auto hits = log.matching_seqs(f, p, e.seq - 1);
		if (!hits.empty())
			v.push_back("G1: call " + e.call + " appended at seq " + s(e.seq) + " with filter " + describe(f) +
			            " and expected_max " + opt(e.expected_max) + ", but matching seq(s) " + seq_list(hits) +
			            " lie in between");
	}
	return v;
}

std::vector<std::string> check_read(const Log &log, const ReadRecord &r) {
	std::vector<std::string> v;
	std::string who = "read by " + r.who + " (filter " + describe(r.filter) + ", after " + s(r.after) + ")";
	for (size_t i = 0; i < r.seqs.size(); ++i) {
		int64_t q = r.seqs[i];
		if (q <= r.after) v.push_back(who + ": returned seq " + s(q) + " <= after");
		if (i && q <= r.seqs[i - 1]) v.push_back(who + ": returned seq " + s(q) + " after " + s(r.seqs[i - 1]));
		const LogEvent *e = log.find(q);
		if (!e)
			v.push_back(who + ": returned seq " + s(q) + ", which is not in the final log");
		else if (!matches(r.filter, *e))
			v.push_back(who + ": returned seq " + s(q) + ", which does not match");
	}
	if (r.seqs.empty() || !v.empty()) return v;
	auto expected = log.matching_seqs(r.filter, r.after, r.seqs.back());
	std::set<int64_t> got(r.seqs.begin(), r.seqs.end());
	std::vector<int64_t> missed;
	for (int64_t q : expected)
		if (!got.count(q)) missed.push_back(q);
	if (!missed.empty())
		v.push_back("G2: " + who + " returned rows up to seq " + s(r.seqs.back()) + " but missed seq(s) " +
		            seq_list(missed));
	return v;
}

std::vector<std::string> check_head(const Log &log, const HeadRecord &h) {
	std::vector<std::string> v;
	std::set<int64_t> vis(h.visible.begin(), h.visible.end());
	std::vector<int64_t> missed;
	for (const auto &e : log.sorted()) {
		if (e.seq > h.head) break;
		if (!vis.count(e.seq)) missed.push_back(e.seq);
	}
	if (!missed.empty())
		v.push_back("G2: dcb_head() = " + s(h.head) + " (" + h.who + ") but seq(s) " + seq_list(missed) +
		            " were not visible to a read started after it");
	return v;
}

std::vector<std::string> check_catch_up(const Log &log, const CatchUpRecord &c) {
	std::vector<std::string> v;
	std::string who = "catch-up reader " + c.who + " (filter " + describe(c.filter) + ")";
	for (size_t i = 1; i < c.seqs.size(); ++i)
		if (c.seqs[i] <= c.seqs[i - 1]) {
			v.push_back(who + ": seq " + s(c.seqs[i]) + " delivered after seq " + s(c.seqs[i - 1]));
			break;
		}
	auto expected = log.matching_seqs(c.filter, 0, INT64_MAX);
	if (expected == c.seqs) return v;
	std::set<int64_t> got(c.seqs.begin(), c.seqs.end()), want(expected.begin(), expected.end());
	std::vector<int64_t> missed, extra;
	for (int64_t q : expected)
		if (!got.count(q)) missed.push_back(q);
	for (int64_t q : c.seqs)
		if (!want.count(q)) extra.push_back(q);
	if (!missed.empty()) v.push_back("G2: " + who + " skipped seq(s) " + seq_list(missed));
	if (!extra.empty()) v.push_back(who + " delivered seq(s) not in the final log or not matching: " + seq_list(extra));
	if (missed.empty() && extra.empty() && v.empty())
		v.push_back(who + " delivered " + s(static_cast<int64_t>(c.seqs.size())) + " events for " +
		            s(static_cast<int64_t>(expected.size())) + " in the log (duplicates)");
	return v;
}

}  // namespace dcbc
