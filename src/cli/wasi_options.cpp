#include "cli/wasi_options.h"

#include <CLI/CLI.hpp>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>

#include "cli/file_util.h"

namespace aperture::cli {
namespace {

// HOST[::GUEST]; "::" rather than ":" so that host paths may contain colons.
wasi::Preopen parse_dir(const std::string& text) {
  size_t sep = text.find("::");
  wasi::Preopen p;
  p.host_path = sep == std::string::npos ? text : text.substr(0, sep);
  p.guest_path = sep == std::string::npos ? text : text.substr(sep + 2);
  if (p.host_path.empty() || p.guest_path.empty())
    throw UsageError("--dir expects HOST[::GUEST], got '" + text + "'");
  return p;
}

// fd=N: an inherited socket, which must already listen.
int inherited_socket(const std::string& text) {
  std::string digits = text.substr(3);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9)
    throw UsageError("--listen fd=N expects a descriptor number, got '" + text + "'");
  int fd = std::stoi(digits);
  int listening = 0;
  socklen_t len = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening)
    throw Error("--listen " + text + ": descriptor " + digits + " is not a listening socket" +
                (errno == EBADF ? " (it is not open)" : ""));
  return fd;
}

// ADDR:PORT, with [ADDR]:PORT for IPv6: a TCP socket bound there and listening.
int listening_socket(const std::string& text) {
  if (text.rfind("fd=", 0) == 0) return inherited_socket(text);
  size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5 || std::stoi(port) > 65535)
    throw UsageError("--listen expects ADDR:PORT ([ADDR]:PORT for IPv6) or fd=N, got '" + text + "'");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr)
    throw UsageError("--listen " + text + ": '" + host + "' is not a numeric IPv4 or IPv6 address");
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            bind(fd, found->ai_addr, found->ai_addrlen) == 0 && listen(fd, 128) == 0;
  int err = errno;
  freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) close(fd);
    throw Error("--listen " + text + ": cannot listen there: " + std::strerror(err));
  }
  return fd;
}

}  // namespace

void add_wasi_options(CLI::App& run, WasiOptions& o) {
  auto* group = run.add_option_group("WASI", "Options for WASI programs (run without --invoke)");
  group->add_option("--dir", o.dirs, "preopen a host directory: HOST[::GUEST] (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  group->add_option("--env", o.envs,
                    "set an environment variable: KEY=VALUE, or KEY to pass the host's value (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  group->add_option("--argv0", o.argv0, "the program's argv[0] (default: the MODULE path)");
  group->add_option("--listen", o.listens,
                    "hand the program a listening TCP socket for sock_accept: ADDR:PORT "
                    "(127.0.0.1:8080, [::1]:8080) or fd=N (an inherited listening socket); repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

wasi::Config make_wasi_config(const WasiOptions& o, std::vector<std::string> argv) {
  wasi::Config cfg;
  cfg.args = std::move(argv);
  for (const std::string& e : o.envs) {
    if (e.empty() || e[0] == '=')
      throw UsageError("--env expects KEY=VALUE or KEY, got '" + e + "'");
    if (e.find('=') != std::string::npos) {
      cfg.env.push_back(e);
      continue;
    }
    // KEY alone passes the host's value, as wasmtime does; an unset KEY is left out.
    if (const char* host = std::getenv(e.c_str())) cfg.env.push_back(e + "=" + host);
  }
  for (const std::string& d : o.dirs) cfg.preopens.push_back(parse_dir(d));
  for (const std::string& l : o.listens) cfg.listen_fds.push_back(listening_socket(l));
  return cfg;
}

}  // namespace aperture::cli
