// Shared helpers of the fault-discipline tests (tests/faults).
#pragma once

#include <sys/stat.h>
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
#include "aperture/wasi.h"
#include "module_support.h"
#include "process_support.h"

namespace aperture::testing_support {

// inst.call(fn, args) with the arguments written in place.
inline std::vector<Value> call(Instance& inst, const std::string& fn, std::vector<Value> args = {}) {
  return inst.call(fn, args);
}

// An instance of wasi_fds.wat whose WASI context preopens a fresh temporary directory as
// "." (removed, with a.txt and b.txt, at the end).
struct WasiFds {
  WasiFds() : dir(make_dir()), ctx(config(dir)) {
    ctx.define_imports(store, linker);
    inst = &store.instantiate(load_test_module("wasi_fds"), linker);
  }
  ~WasiFds() {
    unlink((dir + "/a.txt").c_str());
    unlink((dir + "/b.txt").c_str());
    rmdir(dir.c_str());
  }
  int32_t run(const char* fn, std::vector<Value> args) { return call(*inst, fn, args).at(0).as_i32(); }
  // Size of a file in the directory (0 when it does not exist).
  uint64_t size_of(const char* name) const {
    struct stat st;
    return stat((dir + "/" + name).c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }

  static std::string make_dir() {
    char tmpl[] = "/tmp/aperture-fds-XXXXXX";
    return mkdtemp(tmpl) ? tmpl : "/nonexistent";
  }
  static wasi::Config config(const std::string& dir) {
    wasi::Config c;
    c.preopens.push_back({dir, "."});
    return c;
  }
  std::string dir;
  wasi::Context ctx;
  Store store;
  Linker linker;
  Instance* inst = nullptr;
};


}  // namespace aperture::testing_support
