// tcp_proxy.hpp — a TCP proxy in front of the test server that can stop answering new connections, to hold a
// client in the middle of connecting.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace dcb_test {

class TcpProxy {
public:
	/// Listens on 127.0.0.1 (an ephemeral port) and forwards every connection to host:port.
	TcpProxy(std::string host, int port);
	~TcpProxy();
	TcpProxy(const TcpProxy&) = delete;
	TcpProxy& operator=(const TcpProxy&) = delete;

	int port() const noexcept { return port_; }
	/// While stalled, new connections are accepted and then left without an answer (the server never sees them).
	void stall(bool on) noexcept { stalled_.store(on); }
	/// Closes the connections accepted while stalled; returns once they are closed.
	void drop_stalled() noexcept;
	/// Closes every forwarded connection on both sides at once, as a network failure would; returns once done.
	void cut() noexcept;
	/// Forwarded connections still open (a connection closes on both sides once one side has closed it).
	int open_connections() const noexcept { return open_.load(); }

private:
	void run() noexcept;

	std::string host_;
	int target_port_;
	int listener_ = -1;
	int port_ = 0;
	int wake_[2] = {-1, -1};
	std::atomic<bool> stalled_{false};
	std::atomic<bool> drop_{false};
	std::atomic<bool> cut_{false};
	std::atomic<bool> done_{false};
	std::atomic<int> open_{0};
	std::thread thread_;
};

/// host and port of the test server when it is reached over TCP (empty host otherwise).
std::pair<std::string, int> server_address();

}  // namespace dcb_test
