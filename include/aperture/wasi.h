// WASI preview 1 (`wasi_snapshot_preview1`) for running ordinary wasm32-wasi programs.
//
//   aperture::wasi::Config cfg;
//   cfg.args = {"prog.wasm", "arg1"};
//   cfg.preopens.push_back({"/tmp/data", "/data"});
//   aperture::wasi::Context wasi(cfg);
//   wasi.define_imports(store, linker);          // adds every wasi_snapshot_preview1 function
//   Instance& inst = store.instantiate(module, linker);
//   int status = wasi.run_start(store, inst);     // calls _start; proc_exit status or 0
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aperture/runtime.h"

namespace aperture::wasi {

struct Preopen {
  std::string host_path;   // directory on the host
  std::string guest_path;  // name the guest sees (e.g. "/data" or ".")
};

struct Config {
  std::vector<std::string> args;     // argv, argv[0] first
  std::vector<std::string> env;      // "KEY=VALUE"
  std::vector<Preopen> preopens;     // the only file system the guest can reach
  // Listening sockets handed to the guest (sock_accept); they get the descriptors after
  // the preopened directories, in this order. The Context does not close them.
  std::vector<int> listen_fds;
  int stdin_fd = 0;                  // host fds used for guest fds 0, 1, 2
  int stdout_fd = 1;
  int stderr_fd = 2;
};

class ContextImpl;

// wasi-threads (`wasi.thread-spawn`), for programs built for wasm32-wasip1-threads. Each
// spawn instantiates the calling module again in the same store with the caller's
// imports (so every thread sees the same shared memory and WASI context) and runs the new
// instance's `wasi_thread_start(tid, arg)` export on a new host thread.
//
//   aperture::wasi::Threads threads([](const aperture::Trap& t) { /* end the program */ });
//   threads.define_imports(store, linker);
//
// A trap or proc_exit in a spawned thread must end the whole program: `on_exit` runs on
// that thread with the Trap (Trap::exit_status() set for proc_exit) and should end the
// process (the `aperture` command prints the trap and calls _exit). The destructor waits
// for running threads, so a program whose main thread finished while others still run
// must end the process instead of destroying the store under them.
class Threads {
 public:
  using ExitHandler = std::function<void(const Trap&)>;
  explicit Threads(ExitHandler on_exit);
  ~Threads();
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;

  // Defines `wasi.thread-spawn` (param i32 start_arg) (result i32 tid or -errno).
  void define_imports(Store& store, Linker& linker);
  // Spawned threads still running.
  size_t running() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

class Context {
 public:
  explicit Context(Config config);  // opens the preopens; throws Error if one cannot be opened
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Defines every wasi_snapshot_preview1 import in `linker` (functions created in `store`).
  void define_imports(Store& store, Linker& linker);
  // Runs the `_start` export. Returns the proc_exit status, or 0 when _start returns.
  // Throws Trap when the program traps, Error when there is no `_start`.
  int run_start(Store& store, Instance& instance);

 private:
  std::unique_ptr<ContextImpl> impl_;
};

}  // namespace aperture::wasi
