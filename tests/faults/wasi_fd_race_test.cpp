// Item 7 of the fault discipline: fd_write (and fd_read, sock_*) look their descriptor up
// under the table lock and use it after releasing it. Before, the call kept only the host
// fd number: an fd_renumber/fd_close in another thread closed it, the next open got the
// same number, and the write went to that other file (or to one of the runtime's own
// descriptors, a region's). Now the call holds the descriptor until it is done.
#include <gtest/gtest.h>
#include <atomic>
#include <thread>

#include "fault_test_support.h"

namespace aperture {
namespace {

TEST(WasiFdRaceTest, ARenumberedDescriptorsNumberIsNotReusedUnderARunningWrite) {
  testing_support::WasiFds fds;
  int32_t a = fds.run("open", {Value::i32(0)});
  ASSERT_GE(a, 0) << "open a.txt: errno " << -a;

  std::atomic<bool> done{false};
  int32_t written = 0;
  std::thread writer([&] {
    while (!done.load()) written += fds.run("write", {Value::i32(a), Value::i32(16)});
  });
  // Replace `a` by a fresh descriptor of a.txt (closing its old host descriptor), then
  // open b.txt, which gets the lowest free host number: the old one, unless a write
  // still holds it.
  int failures = 0;
  for (int i = 0; i < 3000; ++i) {
    int32_t fresh = fds.run("open", {Value::i32(0)});
    if (fresh < 0 || fds.run("renumber", {Value::i32(fresh), Value::i32(a)}) != 0) ++failures;
    int32_t b = fds.run("open", {Value::i32(1)});
    if (b < 0 || fds.run("close", {Value::i32(b)}) != 0) ++failures;
  }
  done = true;
  writer.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(written, 0);
  EXPECT_EQ(fds.size_of("b.txt"), 0u) << "writes to guest fd 'a' reached b.txt";
}

}  // namespace
}  // namespace aperture
