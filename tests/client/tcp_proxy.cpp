// tcp_proxy.cpp — see tcp_proxy.hpp.
#include "tcp_proxy.hpp"

#include "test_db.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace dcb_test {

namespace {

int connect_to(const std::string& host, int port) {
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	addrinfo* found = nullptr;
	if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
	int fd = -1;
	for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(found);
	return fd;
}

}  // namespace

TcpProxy::TcpProxy(std::string host, int port) : host_(std::move(host)), target_port_(port) {
	listener_ = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listener_, 16) != 0 ||
	    getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0 || pipe(wake_) != 0)
		throw std::runtime_error("TcpProxy: cannot listen");
	port_ = ntohs(a.sin_port);
	thread_ = std::thread([this] { run(); });
}

TcpProxy::~TcpProxy() {
	done_.store(true);
	const char c = 0;
	(void)!write(wake_[1], &c, 1);
	thread_.join();
	close(listener_);
	close(wake_[0]);
	close(wake_[1]);
}

void TcpProxy::drop_stalled() noexcept {
	drop_.store(true);
	const char c = 0;
	(void)!write(wake_[1], &c, 1);
	while (drop_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void TcpProxy::cut() noexcept {
	cut_.store(true);
	const char c = 0;
	(void)!write(wake_[1], &c, 1);
	while (cut_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void TcpProxy::run() noexcept {
	struct Pair {
		int client, server;
	};
	std::vector<Pair> pairs;
	std::vector<int> stalled;
	char buf[65536];
	while (!done_.load()) {
		if (cut_.load()) {
			for (const auto& p : pairs) {
				close(p.client);
				close(p.server);
			}
			pairs.clear();
			open_.store(0);
			cut_.store(false);
		}
		if (drop_.load()) {
			for (int fd : stalled) close(fd);
			stalled.clear();
			drop_.store(false);
		}
		std::vector<pollfd> fds{{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
		const std::size_t polled = pairs.size();  // a connection accepted below is polled from the next round on
		for (const auto& p : pairs) {
			fds.push_back({p.client, POLLIN, 0});
			fds.push_back({p.server, POLLIN, 0});
		}
		if (poll(fds.data(), fds.size(), 50) <= 0) continue;
		if (fds[1].revents & POLLIN) {
			char drain[16];
			(void)!read(wake_[0], drain, sizeof drain);
			continue;  // drop or done: looked at first thing in the loop
		}
		if (fds[0].revents & POLLIN) {
			const int client = accept(listener_, nullptr, nullptr);
			if (client >= 0) {
				if (stalled_.load()) {
					stalled.push_back(client);
				} else if (const int server = connect_to(host_, target_port_); server >= 0) {
					pairs.push_back({client, server});
				} else {
					close(client);
				}
			}
		}
		std::vector<Pair> alive;
		for (std::size_t i = 0; i < pairs.size(); ++i) {
			bool open = true;
			for (int side = 0; side < 2 && open && i < polled; ++side) {
				if (!(fds[2 + 2 * i + side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
				const int from = side == 0 ? pairs[i].client : pairs[i].server;
				const int to = side == 0 ? pairs[i].server : pairs[i].client;
				const ssize_t n = read(from, buf, sizeof buf);
				open = n > 0;
				for (ssize_t sent = 0; open && sent < n;) {
					const ssize_t w = write(to, buf + sent, static_cast<std::size_t>(n - sent));
					open = w > 0;
					sent += w;
				}
			}
			if (open) {
				alive.push_back(pairs[i]);
			} else {
				close(pairs[i].client);
				close(pairs[i].server);
			}
		}
		pairs = std::move(alive);
		open_.store(static_cast<int>(pairs.size()));
	}
	for (const auto& p : pairs) {
		close(p.client);
		close(p.server);
	}
	for (int fd : stalled) close(fd);
}

std::pair<std::string, int> server_address() {
	Conn c = connect_raw();
	const std::string host = PQhost(c.get());
	if (host.empty() || host.front() == '/') return {"", 0};
	return {host, std::stoi(PQport(c.get()))};
}

}  // namespace dcb_test
