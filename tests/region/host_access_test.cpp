// The C++ API's host access helpers (Memory::read/write and the _or_trap forms) over a
// window whose backing file is shorter than the window: a clean failure or a trap, never
// a dead process. A fault outside the guarded bytes still crashes (host bugs stay bugs).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "aperture/wait_notify.h"
#include "module_support.h"
#include "runtime/futex.h"
#include "runtime/guest_access.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();

class HostAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::string(APERTURE_BINARY_DIR) + "/host_access_" + std::to_string(getpid()) + ".bin";
    unlink(path_.c_str());
    region_ = Region::open_file(path_, 0, 2 * kPage, true);
    map_window(memory_, region_, 0, 0, kWindow, Access::ReadWrite);
  }
  void TearDown() override { unlink(path_.c_str()); }
  static constexpr uint64_t kWindow = 1ull << 24;
  Memory memory_{MemoryType{Limits{1, std::nullopt}}};
  std::string path_;
  std::shared_ptr<Region> region_;
};

TEST_F(HostAccessTest, ReadAndWriteFailCleanlyAfterTruncation) {
  uint32_t v = 0x12345678, back = 0;
  ASSERT_TRUE(memory_.write(kWindow + kPage, &v, 4));
  ASSERT_TRUE(memory_.read(kWindow + kPage, &back, 4));
  EXPECT_EQ(back, v);
  ASSERT_EQ(truncate(path_.c_str(), static_cast<off_t>(kPage)), 0);
  EXPECT_FALSE(memory_.read(kWindow + kPage, &back, 4));
  EXPECT_FALSE(memory_.write(kWindow + kPage, &v, 4));
  // A copy that starts in the backed page and runs past the end fails too.
  std::vector<uint8_t> buf(kPage + 8);
  EXPECT_FALSE(memory_.read(kWindow + 8, buf.data(), buf.size()));
  EXPECT_TRUE(memory_.read(kWindow, buf.data(), kPage)) << "the backed page still works";
  EXPECT_TRUE(memory_.write(0, &v, 4)) << "ordinary memory still works";
}

TEST_F(HostAccessTest, TrapFormsNameTheFault) {
  ASSERT_EQ(truncate(path_.c_str(), 0), 0);
  uint32_t v = 0;
  try {
    memory_.read_or_trap(kWindow, &v, 4);
    ADD_FAILURE() << "no trap";
  } catch (const Trap& t) {
    EXPECT_NE(std::string(t.what()).find("bus error in window of region"), std::string::npos) << t.what();
  }
  try {
    memory_.write_or_trap(2 * 65536, &v, 4);
    ADD_FAILURE() << "no trap";
  } catch (const Trap& t) {
    EXPECT_STREQ(t.what(), "out of bounds memory access");
  }
  memory_.write_or_trap(16, &v, 4);  // in bounds: no trap
}

// Waiting on a word of a truncated window: the kernel reports EFAULT for the futex, and
// wait64's re-checking path (kernels before futex_waitv) loads the word fault-safely.
TEST_F(HostAccessTest, WaitOnATruncatedWindowIsAnErrorNotACrash) {
  ASSERT_EQ(truncate(path_.c_str(), 0), 0);
  EXPECT_THROW(wait32(memory_, kWindow, 0, 1000), Error);
  EXPECT_THROW(wait64(memory_, kWindow, 0, 1000), Error);
  futex::use_wait64_rechecking_for_testing();
  try {
    wait64(memory_, kWindow + 8, 0, 1000);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is no longer mapped"), std::string::npos) << e.what();
  }
}

// Notify past the file's end answers as wait does (issue 24): the guest API's notify
// returns -21 (EFAULT) where its wait32 does, whatever the count, memory.atomic.notify traps
// as a load there would, and the host's notify throws as its wait does. The backed page
// keeps working.
TEST_F(HostAccessTest, NotifyPastTheFilesEndIsAnErrorAsWaitIs) {
  constexpr int32_t kEfault = -21;
  Store store;
  Linker linker;
  GuestRegions guest;
  guest.define_imports(store, linker);
  Instance& inst = store.instantiate(testing_support::load_test_module("guest_wait"), linker);
  map_window(*inst.memory(0), region_, 0, 0, kWindow, Access::ReadWrite);
  ASSERT_EQ(truncate(path_.c_str(), static_cast<off_t>(kPage)), 0);
  auto call = [&](const char* name, std::vector<Value> args) { return inst.call(name, args).at(0).as_i32(); };
  const auto past = static_cast<int32_t>(kWindow + kPage);
  EXPECT_EQ(call("wait32", {Value::i32(past), Value::i32(0), Value::i64(0)}), kEfault);
  EXPECT_EQ(call("notify", {Value::i32(past), Value::i32(1)}), kEfault);
  EXPECT_EQ(call("notify", {Value::i32(past + 64), Value::i32(0)}), kEfault) << "count 0 too";
  EXPECT_EQ(call("notify", {Value::i32(past), Value::i32(-1)}), kEfault);
  EXPECT_NE(testing_support::trap_of(inst, "atomic_notify", {Value::i32(past), Value::i32(1)}), "no trap");
  EXPECT_THROW(notify(*inst.memory(0), kWindow + kPage), Error);
  EXPECT_THROW(notify(*region_, kPage), Error);
  EXPECT_EQ(call("notify", {Value::i32(static_cast<int32_t>(kWindow)), Value::i32(1)}), 0) << "the backed page";
  EXPECT_EQ(notify(*region_, 0), 0u);
}

TEST_F(HostAccessTest, FaultOutsideTheGuardedBytesStillCrashes) {
  ASSERT_EQ(truncate(path_.c_str(), 0), 0);
  const uint8_t* guest = memory_.base() + kWindow;
  // Guarding the first page does not excuse a fault on the second.
  EXPECT_DEATH(catching_guest_faults(guest, kPage, [&] {
    volatile uint8_t x = guest[kPage];
    (void)x;
  }), "");
  EXPECT_FALSE(catching_guest_faults(guest, kPage, [&] {
    volatile uint8_t x = guest[0];
    (void)x;
  }));
}

}  // namespace
}  // namespace aperture
