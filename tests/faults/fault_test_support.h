// Shared helpers of the fault-discipline tests (tests/faults).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture::testing_support {

inline std::shared_ptr<const CompiledModule> wat_module(const std::string& name) {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, engine_under_test());
}

// inst.call(fn, args) with the arguments written in place.
inline std::vector<Value> call(Instance& inst, const std::string& fn, std::vector<Value> args = {}) {
  return inst.call(fn, args);
}

// The trap message of inst.call(fn, args), or "no trap".
inline std::string trap_of(Instance& inst, const std::string& fn, std::vector<Value> args) {
  try {
    inst.call(fn, args);
  } catch (const Trap& t) {
    return t.what();
  }
  return "no trap";
}

// Runs `body` in a forked child that is killed after `seconds` (a deadlock must fail the
// test, not hang it); returns a description of how the child ended: "exit N" or
// "signal N" ("signal 14" is the alarm: the child hung).
// An exception that escapes `body` is "exit 125" (the child never returns into the test).
inline std::string in_child(const std::function<int()>& body, unsigned seconds = 60) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(seconds);
    int code = 125;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "exit " + std::to_string(WEXITSTATUS(status));
}

}  // namespace aperture::testing_support
