// Item 7 of the fault discipline: fd_write (and fd_read, sock_*) look their descriptor up
// under the table lock and use it after releasing it. Before, the call kept only the host
// fd number: an fd_renumber/fd_close in another thread closed it, the next open got the
// same number, and the write went to that other file (or to one of the runtime's own
// descriptors, a region's). Now the call holds the descriptor until it is done.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "aperture/wasi.h"
#include "fault_test_support.h"

namespace aperture {
namespace {

using testing_support::call;

uint64_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

TEST(WasiFdRaceTest, ARenumberedDescriptorsNumberIsNotReusedUnderARunningWrite) {
  char dir[] = "/tmp/aperture-fdrace-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  {
    wasi::Config config;
    config.preopens.push_back({dir, "."});
    wasi::Context wasi(config);
    Store store;
    Linker linker;
    wasi.define_imports(store, linker);
    Instance& inst = store.instantiate(testing_support::wat_module("wasi_fds"), linker);
    auto run = [&](const char* fn, std::vector<Value> args) { return call(inst, fn, args).at(0).as_i32(); };
    int32_t a = run("open", {Value::i32(0)});
    ASSERT_GE(a, 0) << "open a.txt: errno " << -a;

    std::atomic<bool> done{false};
    int32_t written = 0;
    std::thread writer([&] {
      while (!done.load()) written += call(inst, "write", {Value::i32(a), Value::i32(16)}).at(0).as_i32();
    });
    // Replace `a` by a fresh descriptor of a.txt (closing its old host descriptor), then
    // open b.txt, which gets the lowest free host number: the old one, unless a write
    // still holds it.
    int failures = 0;
    for (int i = 0; i < 3000; ++i) {
      int32_t fresh = run("open", {Value::i32(0)});
      if (fresh < 0 || run("renumber", {Value::i32(fresh), Value::i32(a)}) != 0) ++failures;
      int32_t b = run("open", {Value::i32(1)});
      if (b < 0 || run("close", {Value::i32(b)}) != 0) ++failures;
    }
    done = true;
    writer.join();
    EXPECT_EQ(failures, 0);
    EXPECT_GT(written, 0);
  }
  std::string b = std::string(dir) + "/b.txt";
  EXPECT_EQ(file_size(b), 0u) << "writes to guest fd 'a' reached b.txt";
  unlink(b.c_str());
  unlink((std::string(dir) + "/a.txt").c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace aperture
