// The iovec count of fd_write/fd_read (and sock_send/sock_recv, which share the code):
// up to IOV_MAX (1024) is accepted, more is EINVAL as writev(2) answers; a bad pointer
// is EFAULT.
#include <gtest/gtest.h>

#include "aperture/runtime.h"
#include "aperture/wasi.h"
#include "module_support.h"

namespace aperture {
namespace {

constexpr int32_t kEfault = 21;
constexpr int32_t kEinval = 28;

class IovecLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wasi_.define_imports(store_, linker_);
    inst_ = &store_.instantiate(testing_support::load_test_module("iovec_limit"), linker_);
  }
  int32_t call(const std::string& name, std::vector<Value> args = {}) {
    return inst_->call(name, args).at(0).as_i32();
  }

  Store store_;
  Linker linker_;
  wasi::Context wasi_{wasi::Config{}};
  Instance* inst_ = nullptr;
};

TEST_F(IovecLimitTest, UpToIovMaxIsAccepted) {
  EXPECT_EQ(call("write_iovecs", {Value::i32(0)}), 0);
  EXPECT_EQ(call("write_iovecs", {Value::i32(1024)}), 0);
}

TEST_F(IovecLimitTest, MoreThanIovMaxIsEinval) {
  EXPECT_EQ(call("write_iovecs", {Value::i32(1025)}), kEinval);
  EXPECT_EQ(call("read_iovecs", {Value::i32(1025)}), kEinval);
  EXPECT_EQ(call("write_iovecs", {Value::i32(-1)}), kEinval) << "2^32-1 iovecs";
}

TEST_F(IovecLimitTest, AnIovecArrayOutsideMemoryIsEfault) {
  EXPECT_EQ(call("write_off_the_end"), kEfault);
}

}  // namespace
}  // namespace aperture
