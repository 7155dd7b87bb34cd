// Runs the `aperture` executable through the shell, as a user would, for the CLI tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace aperture::cli_test {

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr interleaved
};

// `shell_args` may hold redirections ("< file"). `env` is prepended ("A=1 B=2").
// A signal (a crash of the runtime) maps to 128 + signal, which no expectation uses
// except the trap status 134, and trap tests also check the "trap:" message.
inline Result run_aperture(const std::string& shell_args, const std::string& env = "") {
  std::string cmd = env + " " + APERTURE_BINARY_DIR "/aperture " + shell_args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

inline std::string wat_module(const std::string& name) {
  return std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm";
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace aperture::cli_test
