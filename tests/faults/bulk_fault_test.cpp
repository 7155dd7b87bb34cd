// Item 1 of the fault discipline: memory.fill/copy/init over a window whose file was
// truncated fault in runtime code (the engines' shared bulk operations), not in wasm code.
// That must be the same trap in every engine, with the process and the memory's locks
// intact afterwards (before, the compiled engine died of the SIGBUS).
#include <gtest/gtest.h>
#include <unistd.h>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "fault_test_support.h"

namespace aperture {
namespace {

using testing_support::call;

using testing_support::trap_of;

const uint64_t kPage = host_page_size();
constexpr uint32_t kWindow = 1u << 21;  // wasm address of the window, above memory.size

class BulkFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::string(APERTURE_BINARY_DIR) + "/bulk_fault_" + std::to_string(getpid()) + ".bin";
    unlink(path_.c_str());
    inst_ = &store_.instantiate(testing_support::load_test_module("bulk_ops"), Linker{});
    mem_ = inst_->memory(0);
    region_ = Region::open_file(path_, 0, 4 * kPage, true);
    map_window(*mem_, region_, 0, 4 * kPage, kWindow, Access::ReadWrite);
    call(*inst_, "store32", {Value::i32(kWindow + 3 * kPage), Value::i32(7)});
    // The file shrinks under the window (as another process may do at any time).
    ASSERT_EQ(truncate(path_.c_str(), static_cast<off_t>(kPage)), 0);
  }
  void TearDown() override { unlink(path_.c_str()); }

  // After the trap: wasm code, windows and growth still work (no lock was left held).
  void expect_runtime_works() {
    // The window's first page is still in the file (a fill may have written it before
    // the fault: bulk operations are not atomic); loading it works.
    EXPECT_EQ(testing_support::trap_of(*inst_, "load32", {Value::i32(kWindow)}), "no trap");
    unmap_window(*mem_, kWindow, 4 * kPage);
    auto r = Region::create_memfd(kPage);
    map_window(*mem_, r, 0, kPage, kWindow, Access::ReadWrite);
    call(*inst_, "store32", {Value::i32(kWindow), Value::i32(5)});
    EXPECT_EQ(call(*inst_, "grow", {Value::i32(1)}).at(0).as_u32(), 1u);
  }

  std::string path_;
  Store store_;
  Instance* inst_ = nullptr;
  Memory* mem_ = nullptr;
  std::shared_ptr<Region> region_;
};

constexpr const char* kBusError = "bus error in window of region";

TEST_F(BulkFaultTest, FillIntoTruncatedWindowTraps) {
  std::string t = trap_of(*inst_, "fill", {Value::i32(kWindow), Value::i32(1), Value::i32(4 * kPage)});
  EXPECT_NE(t.find(kBusError), std::string::npos) << t;
  expect_runtime_works();
}

TEST_F(BulkFaultTest, CopyFromTruncatedWindowTraps) {
  std::string t = trap_of(*inst_, "copy", {Value::i32(0), Value::i32(kWindow + 2 * kPage), Value::i32(kPage)});
  EXPECT_NE(t.find(kBusError), std::string::npos) << t;
  expect_runtime_works();
}

TEST_F(BulkFaultTest, CopyIntoTruncatedWindowTraps) {
  std::string t = trap_of(*inst_, "copy", {Value::i32(kWindow + 3 * kPage), Value::i32(0), Value::i32(kPage)});
  EXPECT_NE(t.find(kBusError), std::string::npos) << t;
  expect_runtime_works();
}

TEST_F(BulkFaultTest, InitIntoTruncatedWindowTraps) {
  std::string t = trap_of(*inst_, "init", {Value::i32(kWindow + 2 * kPage), Value::i32(0), Value::i32(10)});
  EXPECT_NE(t.find(kBusError), std::string::npos) << t;
  expect_runtime_works();
}

TEST_F(BulkFaultTest, CopyBetweenAliasingWindowsOfATruncatedFileTraps) {
  // The same file mapped twice: the copy goes through a buffer (runtime/instance_ops.cpp).
  map_window(*mem_, region_, 0, 4 * kPage, 2 * kWindow, Access::ReadWrite);
  std::string t = trap_of(*inst_, "copy", {Value::i32(kWindow + 2 * kPage), Value::i32(2 * kWindow + 3 * kPage),
                                           Value::i32(kPage)});
  EXPECT_NE(t.find(kBusError), std::string::npos) << t;
  unmap_window(*mem_, 2 * kWindow, 4 * kPage);
  expect_runtime_works();
}

TEST_F(BulkFaultTest, HostReadOfTruncatedWindowFailsCleanly) {
  uint8_t buf[16];
  EXPECT_FALSE(mem_->read(kWindow + 3 * kPage, buf, sizeof buf));
  EXPECT_THROW(mem_->read_or_trap(kWindow + 3 * kPage, buf, sizeof buf), Trap);
  expect_runtime_works();
}

}  // namespace
}  // namespace aperture
