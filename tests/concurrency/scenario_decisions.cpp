// scenario_decisions.cpp — scenarios 1 and 2: business decisions taken by many racing clients.
//
// 1. racers: ≥16 clients register the same name at the same instant (read the boundary of tag name:X,
//    append if empty, re-read and decide again on 40001). Exactly one must win, for every name. The
//    clients mix three ways of deciding: autocommit read-then-append, dcb_head() as expected_max, and
//    read + append inside an explicit transaction; and two filter shapes (tag only, type + tag).
// 2. course: 32 students compete for places in capacity-limited courses (and may take at most 2 courses)
//    while an administrator changes capacities; re-reading the log, no subscription ever exceeds the
//    capacity in force at its seq, no student exceeds the limit, nobody subscribes twice.
#include "gen.hpp"
#include "scenarios.hpp"

#include <algorithm>
#include <barrier>
#include <latch>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace dcbc {

namespace {

Filter tag_filter(const std::string &tag, std::vector<std::string> types = {}) {
	return Filter{{Item{std::move(types), {tag}, {}}}};
}

}  // namespace

void scenario_racers(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "racers");
	const int clients = 24;
	const int names = st.scaled(40);
	Recorder rec;
	std::vector<std::atomic<int>> wins(names);
	std::vector<std::atomic<int>> winner(names);
	std::atomic<int> conflicts{0}, gave_up{0};
	std::barrier start(clients);
	auto t0 = Clock::now();

	run_threads(clients, out, [&](int t) {
		try {
			Conn c(db);
			const std::string user = "user:u" + std::to_string(t);
			for (int r = 0; r < names; ++r) {
				start.arrive_and_wait();
				const std::string name = "name:n" + std::to_string(r);
				Filter f = (t % 2) ? tag_filter(name, {"NameRegistered"}) : tag_filter(name);
				const int mode = (t + r) % 3;  // 0 autocommit, 1 head as expected_max, 2 explicit transaction
				for (int attempt = 0;; ++attempt) {
					if (attempt == 10) {
						out.violation("racers: client " + std::to_string(t) + " still conflicting on " + name +
						              " after 10 attempts");
						break;
					}
					const std::string call = "r" + std::to_string(r) + "-c" + std::to_string(t) + "-a" +
					                         std::to_string(attempt);
					try {
						if (mode == 2) c.exec("BEGIN");
						int64_t expected = mode == 1 ? head(c) : 0;
						auto seqs = read_seqs(c, f);
						rec.read({call, f, 0, seqs});
						if (!seqs.empty()) {  // taken: a correct client gives up
							if (mode == 2) c.exec("COMMIT");
							++gave_up;
							break;
						}
						int64_t seq = append(c, call, f, expected, {{"NameRegistered", {name, user}, {{"user", user}}}});
						if (mode == 2) c.exec("COMMIT");
						rec.call({call, f, expected, 1, seq});
						++wins[r];
						winner[r] = t;
						break;
					} catch (const PgError &e) {
						if (mode == 2) c.exec_quiet("ROLLBACK");
						if (!e.is_conflict()) {
							out.violation("racers: client " + std::to_string(t) + " on " + name + ": " + error_text(e));
							break;
						}
						++conflicts;
					}
				}
			}
		} catch (...) {
			start.arrive_and_drop();
			throw;
		}
	});
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	rec.check_all(log, out);
	int single = 0;
	for (int r = 0; r < names; ++r) {
		const std::string name = "name:n" + std::to_string(r);
		std::vector<int64_t> regs = log.matching_seqs(tag_filter(name), 0, INT64_MAX);
		if (regs.size() != 1 || wins[r] != 1) {
			out.violation("racers: " + name + " registered " + std::to_string(regs.size()) + " times in the log, " +
			              std::to_string(wins[r].load()) + " clients were told they won");
			continue;
		}
		const LogEvent *e = log.find(regs[0]);
		if (e && std::find(e->tags.begin(), e->tags.end(), "user:u" + std::to_string(winner[r].load())) == e->tags.end())
			out.violation("racers: " + name + " is held by another client than the one told it won");
		++single;
	}
	out.figure(std::to_string(clients) + " clients x " + std::to_string(names) + " names: " + std::to_string(single) +
	           " names with exactly one winner; " + std::to_string(conflicts.load()) + " conflicts (40001) retried, " +
	           std::to_string(gave_up.load()) + " losers saw the winner; " + fmt(secs) + " s");
}

void scenario_course(const Settings &st, Outcome &out) {
	const std::string db = fresh_database(st, "course");
	const int students = 32;
	const int per_student = 2;
	const std::vector<int> capacity = {10, 10, 10, 6};
	const int courses = static_cast<int>(capacity.size());
	auto course_tag = [](int c) { return "course:c" + std::to_string(c); };
	auto student_tag = [](int s) { return "student:s" + std::to_string(s); };
	const std::vector<std::string> course_types = {"CourseDefined", "CourseCapacityChanged", "StudentSubscribed"};
	Recorder rec;
	std::atomic<int> conflicts{0}, subscribed{0}, refused{0};

	{
		Conn c(db);
		for (int k = 0; k < courses; ++k) {
			Filter f = tag_filter(course_tag(k), course_types);
			append_recorded(c, rec, "define-c" + std::to_string(k), f, 0,
			                {{"CourseDefined", {course_tag(k)}, {{"capacity", std::to_string(capacity[k])}}}});
		}
	}

	std::latch go(students + 1);
	auto t0 = Clock::now();
	// Client `students` is the administrator: it lowers course 2 to 7 at once (racing the first students)
	// and raises course 1 to 12 a moment later.
	run_threads(students + 1, out, [&](int s) {
		go.arrive_and_wait();
		Conn c(db);
		std::mt19937_64 rng(st.seed * 7919 + s);
		if (s == students) {
			for (auto [k, cap] : {std::pair{2, 7}, std::pair{1, 12}}) {
				if (k == 1) std::this_thread::sleep_for(std::chrono::milliseconds(30));
				Filter f = tag_filter(course_tag(k), course_types);
				for (int attempt = 0;; ++attempt) {
					auto seqs = read_seqs(c, f);
					const std::string call = "admin-c" + std::to_string(k) + "-a" + std::to_string(attempt);
					try {
						append_recorded(c, rec, call, f, max_seq(seqs),
						                {{"CourseCapacityChanged", {course_tag(k)}, {{"capacity", std::to_string(cap)}}}});
						break;
					} catch (const PgError &e) {
						if (!e.is_conflict() || attempt == 50) throw;
						++conflicts;
					}
				}
			}
			return;
		}
		std::vector<int> order(courses);
		for (int k = 0; k < courses; ++k) order[k] = k;
		std::shuffle(order.begin(), order.end(), rng);
		for (int k : order) {
			Filter f{{Item{course_types, {course_tag(k)}, {}}, Item{{"StudentSubscribed"}, {student_tag(s)}, {}}}};
			for (int attempt = 0;; ++attempt) {
				if (attempt == 60) {
					out.violation("course: student " + std::to_string(s) + " still conflicting after 60 attempts");
					return;
				}
				auto events = read_events(c, f);
				std::vector<int64_t> seqs;
				int cap = 0, in_course = 0, mine = 0;
				bool already = false;
				for (const auto &e : events) {
					seqs.push_back(e.seq);
					bool of_course = std::find(e.tags.begin(), e.tags.end(), course_tag(k)) != e.tags.end();
					bool of_me = std::find(e.tags.begin(), e.tags.end(), student_tag(s)) != e.tags.end();
					if (e.type != "StudentSubscribed") {
						if (of_course) cap = std::stoi(e.data.at("capacity"));
						continue;
					}
					in_course += of_course;
					mine += of_me;
					already = already || (of_course && of_me);
				}
				const std::string call = "s" + std::to_string(s) + "-c" + std::to_string(k) + "-a" + std::to_string(attempt);
				rec.read({call, f, 0, seqs});
				if (already || mine >= per_student || in_course >= cap) {
					++refused;
					break;
				}
				try {
					append_recorded(c, rec, call, f, max_seq(seqs),
					                {{"StudentSubscribed", {course_tag(k), student_tag(s)}, {}}});
					++subscribed;
					break;
				} catch (const PgError &e) {
					if (!e.is_conflict()) throw;
					++conflicts;
				}
			}
		}
	});
	double secs = seconds_since(t0);

	Log log = read_log(db, out);
	rec.check_all(log, out);
	// Re-read the log in seq order: the capacity in force and the counts at every subscription.
	std::map<std::string, int> cap, count, per;
	std::set<std::string> pairs;
	for (const auto &e : log.sorted()) {
		if (e.type == "CourseDefined" || e.type == "CourseCapacityChanged") {
			cap[e.tags.at(0)] = std::stoi(e.data.at("capacity"));
			continue;
		}
		if (e.type != "StudentSubscribed") continue;
		std::string course, student;
		for (const auto &t : e.tags) (t.starts_with("course:") ? course : student) = t;
		if (++count[course] > cap[course])
			out.violation("course: subscription at seq " + std::to_string(e.seq) + " is number " +
			              std::to_string(count[course]) + " in " + course + " whose capacity is " +
			              std::to_string(cap[course]));
		if (++per[student] > per_student)
			out.violation("course: " + student + " holds " + std::to_string(per[student]) + " courses at seq " +
			              std::to_string(e.seq));
		if (!pairs.insert(course + "/" + student).second)
			out.violation("course: " + student + " subscribed twice to " + course + " (seq " + std::to_string(e.seq) + ")");
	}
	std::string filled;
	for (int k = 0; k < courses; ++k)
		filled += (k ? ", " : "") + course_tag(k) + " " + std::to_string(count[course_tag(k)]) + "/" +
		          std::to_string(cap[course_tag(k)]);
	out.figure(std::to_string(students) + " students, " + std::to_string(courses) + " courses (subscribed/final capacity: " + filled + "): " +
	           std::to_string(subscribed.load()) + " subscriptions, " + std::to_string(refused.load()) +
	           " refusals, " + std::to_string(conflicts.load()) + " conflicts (40001) retried; " + fmt(secs) + " s");
}

}  // namespace dcbc
