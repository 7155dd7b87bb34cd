// Wait and notify beyond the threads proposal: the guest API (aperture.wait32/wait64/
// notify) on an unshared memory, the host API on memories and regions, and shared
// futexes inside windows reaching another `aperture run` process.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "aperture/wait_notify.h"
#include "engine_under_test.h"
#include "module_support.h"
#include "process_support.h"
#include "thread_support.h"

namespace aperture {
namespace {

using testing_support::current_tid;
using testing_support::wait_until_blocked_in_futex;

constexpr int32_t kEinval = -28, kEfault = -21;
constexpr uint32_t kWindow = 0x10000;  // above the module's one page

std::shared_ptr<const CompiledModule> load(const std::string& name) {
  return testing_support::load_test_module(name);
}

class GuestWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    guest_.define_imports(store_, linker_);
    inst_ = &store_.instantiate(load("guest_wait"), linker_);
    mem_ = inst_->memory(0);
  }
  int32_t call(const std::string& name, std::vector<Value> args) {
    return inst_->call(name, args).at(0).as_i32();
  }
  // Runs `fn` on a thread and waits until that thread blocks in a futex.
  std::thread blocked_thread(std::function<void()> fn) {
    auto tid = std::make_shared<std::atomic<pid_t>>(0);
    std::thread t([tid, fn] {
      *tid = current_tid();
      fn();
    });
    while (tid->load() == 0) std::this_thread::yield();
    EXPECT_TRUE(wait_until_blocked_in_futex(*tid));
    return t;
  }

  Store store_;
  Linker linker_;
  GuestRegions guest_;
  Instance* inst_ = nullptr;
  Memory* mem_ = nullptr;
};

TEST_F(GuestWaitTest, ResultsAndErrors) {
  EXPECT_EQ(call("wait32", {Value::i32(64), Value::i32(1), Value::i64(-1)}), 1) << "not equal";
  EXPECT_EQ(call("wait32", {Value::i32(64), Value::i32(0), Value::i64(1'000'000)}), 2);
  EXPECT_EQ(call("wait64", {Value::i32(64), Value::i64(0), Value::i64(0)}), 2);
  EXPECT_EQ(call("wait32", {Value::i32(66), Value::i32(0), Value::i64(0)}), kEinval);
  EXPECT_EQ(call("wait64", {Value::i32(68), Value::i64(0), Value::i64(0)}), kEinval);
  EXPECT_EQ(call("notify", {Value::i32(2), Value::i32(1)}), kEinval);
  EXPECT_EQ(call("wait32", {Value::i32(65536), Value::i32(0), Value::i64(0)}), kEfault);
  EXPECT_EQ(call("notify", {Value::i32(0xFFFFFFFC), Value::i32(1)}), kEfault);
  EXPECT_EQ(call("notify", {Value::i32(64), Value::i32(1)}), 0) << "nobody waits";
}

// An ordinary unshared memory: the guest API waits where memory.atomic.wait would trap,
// and host threads of the same process meet it there.
TEST_F(GuestWaitTest, GuestWaitOnUnsharedMemoryMeetsTheHost) {
  int32_t result = 99;
  std::thread t = blocked_thread([&] { result = call("wait32", {Value::i32(64), Value::i32(0), Value::i64(-1)}); });
  EXPECT_EQ(notify(*mem_, 68), 0u) << "another address";
  EXPECT_EQ(notify(*mem_, 64, 5), 1u);
  t.join();
  EXPECT_EQ(result, 0);

  WaitResult host = WaitResult::NotEqual;
  t = blocked_thread([&] { host = wait64(*mem_, 128, 0); });
  EXPECT_EQ(call("notify", {Value::i32(128), Value::i32(1)}), 1);
  t.join();
  EXPECT_EQ(host, WaitResult::Woken);
}

TEST_F(GuestWaitTest, HostApiRejectsBadAddresses) {
  EXPECT_THROW(wait32(*mem_, 2, 0, 0), Error);
  EXPECT_THROW(wait64(*mem_, 4, 0, 0), Error);
  EXPECT_THROW(wait32(*mem_, 65536, 0, 0), Error);
  EXPECT_THROW(notify(*mem_, 65536), Error);
  EXPECT_EQ(wait32(*mem_, 0, 1, 0), WaitResult::NotEqual);
  EXPECT_EQ(wait32(*mem_, 0, 0, 0), WaitResult::TimedOut);
  auto region = Region::create_memfd(4096, "w");
  EXPECT_THROW(wait32(*region, 2, 0, 0), Error);
  EXPECT_THROW(wait64(*region, 4096, 0, 0), Error);
  EXPECT_THROW(notify(*region, 4094), Error);
  EXPECT_EQ(wait64(*region, 8, 1, 0), WaitResult::NotEqual);
  EXPECT_STREQ(to_string(WaitResult::TimedOut), "timed-out");
}

// Inside a window the futex is shared and keyed by the region's page: the host's own
// mapping of the region (another address) meets the guest's window.
TEST_F(GuestWaitTest, WindowsMeetTheRegionsHostMapping) {
  auto region = Region::create_memfd(host_page_size(), "sync");
  map_window(*mem_, region, 0, host_page_size(), kWindow, Access::ReadWrite);
  int32_t result = 99;
  std::thread t = blocked_thread([&] { result = call("wait32", {Value::i32(kWindow + 8), Value::i32(0), Value::i64(-1)}); });
  EXPECT_EQ(notify(*mem_, 8), 0u) << "the private word at 8 is another futex";
  EXPECT_EQ(notify(*region, 8), 1u);
  t.join();
  EXPECT_EQ(result, 0);

  // The other way round, and memory.atomic.notify on an unshared memory reaches a waiter
  // inside a window (outside windows it returns 0, as the spec says).
  WaitResult host = WaitResult::NotEqual;
  t = blocked_thread([&] { host = wait32(*region, 16, 0); });
  EXPECT_EQ(call("atomic_notify", {Value::i32(16), Value::i32(1)}), 0);
  EXPECT_EQ(call("atomic_notify", {Value::i32(kWindow + 16), Value::i32(1)}), 1);
  t.join();
  EXPECT_EQ(host, WaitResult::Woken);
}

// A separate `aperture run` process waits in a window of a shm region until this process
// notifies the region, and notifies a waiter in this process.
class CrossProcessWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shm_ = "/aperture_wait_" + std::to_string(getpid());
    region_ = Region::create_shm(shm_, host_page_size());
  }
  void TearDown() override { Region::remove_shm(shm_); }

  // Starts `aperture run ... guest_wait.wasm --invoke NAME ARGS`.
  testing_support::Child spawn(const std::vector<std::string>& invoke) {
    std::vector<std::string> args = {std::string(APERTURE_BINARY_DIR) + "/aperture", "run",
                                     "--engine", testing_support::engine_name_under_test(),
                                     "--region", "s=shm:" + shm_,
                                     "--map", "s@" + std::to_string(kWindow),
                                     std::string(APERTURE_WAT_DIR) + "/guest_wait.wasm", "--invoke"};
    args.insert(args.end(), invoke.begin(), invoke.end());
    return testing_support::spawn_process(args);
  }

  std::string shm_;
  std::shared_ptr<Region> region_;
};

TEST_F(CrossProcessWaitTest, HostWakesAGuestInAnotherProcess) {
  testing_support::Child child = spawn({"wait32", std::to_string(kWindow + 64), "0", "20000000000"});
  ASSERT_TRUE(wait_until_blocked_in_futex(child.pid, nullptr, child.pid));
  EXPECT_EQ(notify(*region_, 64), 1u);
  int status = 0;
  std::string out = testing_support::finish_process(child, &status);
  EXPECT_EQ(out, "0\n") << "0 = woken (a timeout would print 2)";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(CrossProcessWaitTest, GuestInAnotherProcessWakesTheHost) {
  WaitResult result = WaitResult::NotEqual;
  std::atomic<pid_t> tid{0};
  std::thread waiter([&] {
    tid = current_tid();
    result = wait32(*region_, 128, 0, 20'000'000'000);
  });
  while (tid.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked_in_futex(tid));
  testing_support::Child child = spawn({"atomic_notify", std::to_string(kWindow + 128), "1"});
  int status = 0;
  std::string out = testing_support::finish_process(child, &status);
  waiter.join();
  EXPECT_EQ(out, "1\n") << "memory.atomic.notify returns the one waiter it woke";
  EXPECT_EQ(result, WaitResult::Woken);
}

}  // namespace
}  // namespace aperture
