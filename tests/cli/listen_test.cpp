// `aperture run --listen`: a C guest serves connections on a listening socket the host
// passes in (sock_accept, sock_recv, sock_send, sock_shutdown), on 127.0.0.1 with a
// bounded client: a fixed number of connections, each attempt and read time-limited.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "cli/exit_codes.h"
#include "run_aperture.h"

namespace {

using aperture::cli_test::contains;
using aperture::cli_test::Result;
using aperture::cli_test::run_aperture;
using namespace std::chrono_literals;

std::string server() { return APERTURE_BINARY_DIR "/guests/echo_server.wasm"; }

// A port that was free a moment ago on 127.0.0.1.
int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

// Connects (retrying up to 25 s while the server starts), sends `line`, returns the
// reply. The listening socket exists before the guest runs, so a connection may be
// accepted by the kernel while the compiled engine still compiles the guest (seconds
// under ASan on a loaded machine): the reply may take as long as the server's --timeout.
std::string ask(int port, const std::string& line) {
  for (int attempt = 0; attempt < 1250; ++attempt) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{30, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(s);
      std::this_thread::sleep_for(20ms);
      continue;
    }
    send(s, line.data(), line.size(), MSG_NOSIGNAL);
    std::string reply;
    char buf[256];
    while (true) {
      ssize_t n = recv(s, buf, sizeof buf, 0);
      if (n <= 0) break;  // the server shut the connection down (or 30 s passed)
      reply.append(buf, static_cast<size_t>(n));
    }
    close(s);
    return reply;
  }
  return "<could not connect>";
}

TEST(ListenTest, GuestServesConnectionsOnAHostSocket) {
  struct stat st;
  if (stat(server().c_str(), &st) != 0) GTEST_SKIP() << "guests not built (APERTURE_BUILD_GUESTS=OFF)";
  int port = free_port();
  auto run = std::async(std::launch::async, [port] {
    return run_aperture("run --timeout 30s --listen 127.0.0.1:" + std::to_string(port) + " " + server() + " 2");
  });
  EXPECT_EQ(ask(port, "hello aperture\n"), "HELLO APERTURE\n");
  EXPECT_EQ(ask(port, "second\n"), "SECOND\n");
  Result r = run.get();
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "served 15 bytes\nserved 7 bytes\nrecv on the listening socket: Socket not connected\n");
}

TEST(ListenTest, InheritedSocket) {
  struct stat st;
  if (stat(server().c_str(), &st) != 0) GTEST_SKIP() << "guests not built";
  int port = free_port();
  // The shell opens nothing for us; the test makes the socket, lets the child inherit it
  // as descriptor 3, and names it with fd=3.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(s, 8), 0);
  auto run = std::async(std::launch::async, [s] {
    return run_aperture("run --timeout 30s --listen fd=" + std::to_string(s) + " " + server() + " 1");
  });
  EXPECT_EQ(ask(port, "inherited\n"), "INHERITED\n");
  Result r = run.get();
  close(s);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "served 10 bytes")) << r.out;
}

TEST(ListenTest, BadListenOptions) {
  Result r = run_aperture("run --listen nonsense " + server());
  EXPECT_EQ(r.exit_code, aperture::cli::kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "--listen expects ADDR:PORT")) << r.out;
  r = run_aperture("run --listen localhost:80 " + server());
  EXPECT_EQ(r.exit_code, aperture::cli::kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "is not a numeric IPv4 or IPv6 address")) << r.out;
  r = run_aperture("run --listen fd=0 " + server() + " < /dev/null");
  EXPECT_EQ(r.exit_code, aperture::cli::kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "is not a listening socket")) << r.out;
  r = run_aperture("run --listen 192.0.2.1:80 " + server());  // not an address of this host
  EXPECT_EQ(r.exit_code, aperture::cli::kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot listen there")) << r.out;
}

}  // namespace
