// dcb — the command line of a dcb event store.
//
//   dcb head [--store NAME]
//   dcb tail [--filter JSON] [--from N|head] [--follow] [--store NAME] [--batch N]
//
// `tail` prints the events matching the filter after position N (default 0: the whole log) as JSON lines, one
// event per line, in position order — up to the head it found when it started, or, with --follow, for as long as
// it runs (Ctrl-C ends it), each event once, including events that commit late with a lower position. Pipe it to
// jq. `head` prints the store's head. The server comes from the usual PG* variables (PGHOST, PGPORT, PGDATABASE,
// PGUSER, PGPASSWORD or ~/.pgpass, ...), or --dsn CONNINFO.
#include <dcb/dcb.hpp>

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

constexpr const char* usage_text =
    "usage: dcb head [--store NAME] [--dsn CONNINFO]\n"
    "       dcb tail [--filter JSON] [--from N|head] [--follow] [--store NAME] [--batch N] [--dsn CONNINFO]\n"
    "\n"
    "  head      print the store's head: every event at or below it is committed, none can appear below it later\n"
    "  tail      print the events after --from as JSON lines (seq, type, tags, data, metadata, occurred_at, id),\n"
    "            in position order, up to the head found at the start\n"
    "  --filter JSON   only the events matching this filter, e.g. '{\"items\": [{\"types\": [\"BookCopyLentToReader\"]}]}'\n"
    "  --from N        start after position N (default 0, the whole log); 'head': only what comes next\n"
    "  --follow        keep following the log: print new events as they commit, until interrupted\n"
    "  --store NAME    a store made by dcb_create_store (default: the default store)\n"
    "  --batch N       events per read (default 1000)\n"
    "  --dsn CONNINFO  the server (default: the PG* environment variables)\n";

[[noreturn]] void usage(const std::string& why) {
	if (!why.empty()) std::fprintf(stderr, "dcb: %s\n", why.c_str());
	std::fputs(usage_text, stderr);
	std::exit(2);
}

void json_string(std::string& out, std::string_view s) {
	out += '"';
	for (const char c : s) {
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (static_cast<unsigned char>(c) < 0x20) {
				char buf[8];
				std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
				out += buf;
			} else {
				out += c;
			}
		}
	}
	out += '"';
}

/// One event as a JSON line (data and metadata are JSON already: jsonb's text).
std::string json_line(const dcb::StoredEvent& e) {
	std::string out = "{\"seq\":" + std::to_string(e.seq) + ",\"type\":";
	json_string(out, e.type);
	out += ",\"tags\":[";
	for (std::size_t i = 0; i < e.tags.size(); ++i) {
		if (i) out += ',';
		json_string(out, e.tags[i]);
	}
	out += "],\"data\":" + e.data + ",\"metadata\":" + (e.metadata.empty() ? std::string("{}") : e.metadata);
	out += ",\"occurred_at\":";
	json_string(out, dcb::format_timestamp(e.occurred_at));
	out += ",\"id\":";
	if (e.id.empty()) out += "null";
	else json_string(out, e.id);
	out += "}\n";
	return out;
}

/// The reader of our output went away (a pipe closed): stop quietly.
struct OutputClosed {};

struct Args {
	std::string command, dsn, store, filter;
	std::optional<std::int64_t> from;  // nullopt with from_head
	bool from_head = false, follow = false;
	std::int32_t batch = 1000;
};

std::int64_t number(const char* option, const std::string& text, std::int64_t min) {
	char* end = nullptr;
	errno = 0;
	const long long v = std::strtoll(text.c_str(), &end, 10);
	if (errno || !end || *end || text.empty() || v < min)
		usage(std::string(option) + " needs a number >= " + std::to_string(min) + ", not '" + text + "'");
	return v;
}

Args parse(int argc, char** argv) {
	if (argc < 2) usage("");
	Args a;
	a.command = argv[1];
	if (a.command == "-h" || a.command == "--help") {
		std::fputs(usage_text, stdout);
		std::exit(0);
	}
	if (a.command != "head" && a.command != "tail") usage("unknown command '" + a.command + "'");
	for (int i = 2; i < argc; ++i) {
		const std::string o = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc) usage(o + " needs a value");
			return argv[++i];
		};
		if (o == "--dsn") a.dsn = value();
		else if (o == "--store") a.store = value();
		else if (o == "--filter" && a.command == "tail") a.filter = value();
		else if (o == "--from" && a.command == "tail") {
			const std::string v = value();
			if (v == "head") a.from_head = true;
			else a.from = number("--from", v, 0);
		} else if (o == "--follow" && a.command == "tail") a.follow = true;
		else if (o == "--batch" && a.command == "tail") a.batch = static_cast<std::int32_t>(number("--batch", value(), 1));
		else if (o == "-h" || o == "--help") {
			std::fputs(usage_text, stdout);
			std::exit(0);
		} else usage("unknown option '" + o + "' for dcb " + a.command);
	}
	return a;
}


int tail(const Args& a, sigset_t& signals) {
	const dcb::Filter filter = a.filter.empty() ? dcb::Filter{} : dcb::Filter::from_json(a.filter);
	// One connection for the pool (a wrong conninfo fails here), and the subscription's own.
	const auto store = dcb::EventStore::connect(a.dsn, dcb::StoreOptions{.store = a.store, .pool_size = 1});
	const std::int64_t head = store.head();
	const std::int64_t from = a.from_head ? head : a.from.value_or(0);
	if (!a.follow && from >= head) return 0;
	std::atomic<bool> closed{false};
	dcb::Subscription sub = store.subscribe(
	    filter, from,
	    [&](const dcb::SubscriptionBatch& batch) {
		    std::string out;
		    for (const auto& e : batch.events) out += json_line(e);
		    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
			    closed = true;
			    throw OutputClosed{};
		    }
	    },
	    dcb::SubscriptionOptions{.batch_size = a.batch, .wait_timeout = std::chrono::seconds(a.follow ? 10 : 1),
	                             .name = "dcb-tail"});
	// Until a signal, the end of what was asked for (without --follow: the head found at the start), or an error.
	const timespec tick{0, 20'000'000};
	while (sub.running()) {
		if (!a.follow && sub.position() >= head) break;
		if (sigtimedwait(&signals, nullptr, &tick) > 0) break;
	}
	sub.stop();
	try {
		sub.join();
	} catch (const OutputClosed&) {
		return 0;
	}
	return 0;
}

}  // namespace

int main(int argc, char** argv) {
	const Args a = parse(argc, argv);
	// SIGINT / SIGTERM end the program through sigtimedwait (blocked before any thread starts, so every thread
	// inherits the mask); a closed pipe shows as a failed write.
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);
	signal(SIGPIPE, SIG_IGN);
	try {
		if (a.command == "head") {
			const auto store = dcb::EventStore::connect(a.dsn, dcb::StoreOptions{.store = a.store, .pool_size = 1});
			std::printf("%lld\n", static_cast<long long>(store.head()));
			return 0;
		}
		return tail(a, signals);
	} catch (const dcb::Error& e) {
		const std::string_view what = e.what();
		std::fprintf(stderr, "%s%s (SQLSTATE %s)%s%s\n", what.starts_with("dcb:") ? "" : "dcb: ", e.what(), e.sqlstate().c_str(),
		             e.detail().empty() ? "" : "\n  detail: ", e.detail().c_str());
		return 1;
	} catch (const std::exception& e) {
		std::fprintf(stderr, "dcb: %s\n", e.what());
		return 1;
	}
}
