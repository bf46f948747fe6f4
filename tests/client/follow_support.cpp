// follow_support.cpp — see follow_support.hpp.
#include "follow_support.hpp"

#include <algorithm>
#include <random>
#include <sstream>
#include <stdexcept>

namespace dcb_test {

namespace {

struct ResultDeleter {
	void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

Result query(PGconn* c, const std::string& sql) {
	Result r(PQexec(c, sql.c_str()));
	if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) throw std::runtime_error("SQL failed: " + sql + ": " + PQerrorMessage(c));
	return r;
}

}  // namespace

std::vector<LogEvent> read_log(std::int64_t after) {
	Conn c = connect_raw();
	// The table itself, not dcb_read: the tests compare what the client delivered with what the log holds.
	Result r = query(c.get(), "SELECT seq, type, array_to_string(tags, ',') FROM dcb.events WHERE seq > " +
	                              std::to_string(after) + " ORDER BY seq");
	std::vector<LogEvent> out;
	out.reserve(static_cast<std::size_t>(PQntuples(r.get())));
	for (int i = 0; i < PQntuples(r.get()); ++i) {
		LogEvent e;
		e.seq = std::stoll(PQgetvalue(r.get(), i, 0));
		e.type = PQgetvalue(r.get(), i, 1);
		std::stringstream tags(PQgetvalue(r.get(), i, 2));
		for (std::string t; std::getline(tags, t, ',');) e.tags.insert(t);
		out.push_back(std::move(e));
	}
	return out;
}

std::int64_t head_now() {
	Conn c = connect_raw();
	return std::stoll(exec(c.get(), "SELECT dcb_head()"));
}

std::vector<std::int64_t> seqs_matching(const std::vector<LogEvent>& log, const std::function<bool(const LogEvent&)>& match) {
	std::vector<std::int64_t> out;
	for (const auto& e : log)
		if (match(e)) out.push_back(e.seq);
	return out;
}

// ---- writers ----------------------------------------------------------------------------------------------------

Writers::Writers(std::string prefix, int count, std::chrono::microseconds pause) : prefix_(std::move(prefix)), pause_(pause) {
	for (int t = 0; t < count; ++t) threads_.emplace_back([this, t] { run(t); });
}

Writers::~Writers() { stop(); }

void Writers::stop() {
	stop_ = true;
	for (auto& t : threads_)
		if (t.joinable()) t.join();
}

std::vector<std::string> Writers::errors() {
	std::lock_guard l(mutex_);
	return errors_;
}

void Writers::run(int t) {
	try {
		Conn c = connect_raw(dsn() + " application_name=dcb_test_writer");
		const int kind = t % 4;
		if (kind == 2) exec(c.get(), "SET dcb.max_lock_keys = 8");
		const dcb::EventStore store = dcb::EventStore::borrow(c.get());
		std::mt19937 rng(static_cast<unsigned>(t * 7919 + 17));
		auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
		auto event = [&] {
			dcb::Event e{.type = prefix_ + std::string(1, static_cast<char>('A' + pick(3))), .data = "{}"};
			const std::string k = std::to_string(pick(10));
			e.tags = {"w:" + std::to_string(t), "k:" + k};
			if (pick(5) == 0) e.tags.insert(e.tags.end(), {"x:1", "x:2", "x:3"});  // > 3 tags: wide keys
			e.data = R"({"k":")" + k + R"(","w":)" + std::to_string(t) + "}";
			return e;
		};
		auto boundary = [&](const std::string& k) {
			return dcb::Filter::from_json(R"({"items": [{"types": [")" + prefix_ + R"(A", ")" + prefix_ + R"(B"], "tags": ["k:)" +
			                              k + R"("]}]})");
		};
		while (!stop_.load()) {
			try {
				switch (kind) {
				case 0: {
					const auto f = boundary(std::to_string(pick(10)));
					const auto r = store.query(f);
					store.append(f, r.max_seq, {event()});
					++appended_;
					break;
				}
				case 1:
					store.append({event()});
					++appended_;
					break;
				case 2: {
					std::vector<dcb::Event> batch;
					const int n = 20 + pick(41);
					for (int i = 0; i < n; ++i) batch.push_back(event());
					if (pick(2) == 0) {
						const auto f = boundary(std::to_string(pick(10)));
						store.append(f, store.query(f).max_seq, batch);
					} else {
						store.append(batch);
					}
					appended_ += n;
					++escalated_;
					break;
				}
				default: {
					exec(c.get(), "BEGIN");
					const int n = 1 + pick(3);
					std::vector<dcb::Event> events;
					for (int i = 0; i < n; ++i) events.push_back(event());
					store.append(events);
					std::this_thread::sleep_for(std::chrono::milliseconds(2 + pick(29)));
					if (pick(4) == 0) {
						exec(c.get(), "ROLLBACK");
						++rolled_back_;
					} else {
						exec(c.get(), "COMMIT");
						appended_ += n;
					}
				}
				}
			} catch (const dcb::ConcurrencyConflict&) {
				++conflicts_;
				if (PQtransactionStatus(c.get()) != PQTRANS_IDLE) exec(c.get(), "ROLLBACK");
			}
			if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
		}
	} catch (const std::exception& e) {
		std::lock_guard l(mutex_);
		errors_.push_back("writer " + std::to_string(t) + ": " + e.what());
	}
}

// ---- delivered ----------------------------------------------------------------------------------------------------

void Delivered::add(const dcb::SubscriptionBatch& batch) {
	std::lock_guard l(mutex);
	++batches;
	if (batch.after != last_position)
		problems.push_back("batch after " + std::to_string(batch.after) + ", but the previous one ended at " +
		                   std::to_string(last_position));
	if (batch.position < batch.after) problems.push_back("batch position " + std::to_string(batch.position) + " below its start");
	for (const auto& e : batch.events) {
		if (e.seq <= batch.after || e.seq > batch.position)
			problems.push_back("event " + std::to_string(e.seq) + " outside its batch (" + std::to_string(batch.after) + ", " +
			                   std::to_string(batch.position) + "]");
		seqs.push_back(e.seq);
	}
	last_position = batch.position;
}

std::vector<std::int64_t> Delivered::snapshot() {
	std::lock_guard l(mutex);
	return seqs;
}

std::string compare(const std::vector<std::int64_t>& delivered, const std::vector<std::int64_t>& expected) {
	for (std::size_t i = 1; i < delivered.size(); ++i)
		if (delivered[i] <= delivered[i - 1])
			return "out of order or duplicate: " + std::to_string(delivered[i - 1]) + " then " + std::to_string(delivered[i]) +
			       " (at " + std::to_string(i) + ")";
	const std::set<std::int64_t> got(delivered.begin(), delivered.end()), want(expected.begin(), expected.end());
	std::vector<std::int64_t> missing, extra;
	std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
	std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
	if (missing.empty() && extra.empty()) return "";
	std::string out = std::to_string(missing.size()) + " missing, " + std::to_string(extra.size()) + " not in the log";
	if (!missing.empty()) out += "; first missing " + std::to_string(missing.front());
	if (!extra.empty()) out += "; first extra " + std::to_string(extra.front());
	return out;
}

// ---- read models ----------------------------------------------------------------------------------------------------

ReadModel::ReadModel(std::string n) : name(std::move(n)) {
	for (auto& ch : name)
		if (ch == '-') ch = '_';  // unique() names have dashes
	Conn c = connect_raw();
	exec(c.get(), "CREATE TABLE " + name + "_applied (seq bigint NOT NULL, instance text NOT NULL)");
	exec(c.get(), "CREATE TABLE " + name + "_counts (k text PRIMARY KEY, n bigint NOT NULL)");
}

std::string ReadModel::apply_sql(const std::string& name) {
	return "WITH applied AS (INSERT INTO " + name + "_applied VALUES ($1::bigint, $2)) INSERT INTO " + name +
	       "_counts AS c VALUES ($3, 1) ON CONFLICT (k) DO UPDATE SET n = c.n + 1";
}

std::vector<std::int64_t> ReadModel::applied() const {
	Conn c = connect_raw();
	Result r = query(c.get(), "SELECT seq FROM " + name + "_applied ORDER BY seq");
	std::vector<std::int64_t> out;
	for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(std::stoll(PQgetvalue(r.get(), i, 0)));
	return out;
}

std::map<std::string, std::int64_t> ReadModel::counts() const {
	Conn c = connect_raw();
	Result r = query(c.get(), "SELECT k, n FROM " + name + "_counts");
	std::map<std::string, std::int64_t> out;
	for (int i = 0; i < PQntuples(r.get()); ++i) out[PQgetvalue(r.get(), i, 0)] = std::stoll(PQgetvalue(r.get(), i, 1));
	return out;
}

std::map<std::string, std::int64_t> ReadModel::fold(const std::vector<LogEvent>& log, const std::vector<std::int64_t>& seqs) {
	const std::set<std::int64_t> wanted(seqs.begin(), seqs.end());
	std::map<std::string, std::int64_t> out;
	for (const auto& e : log) {
		if (!wanted.count(e.seq)) continue;
		std::string k;
		for (const auto& t : e.tags)
			if (t.rfind("k:", 0) == 0) k = t.substr(2);
		++out[k];
	}
	return out;
}

std::string k_of(const std::vector<std::string>& tags) {
	for (const auto& t : tags)
		if (t.rfind("k:", 0) == 0) return t.substr(2);
	return "";
}

}  // namespace dcb_test
