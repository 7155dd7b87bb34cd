// A WASI path or region name longer than its limit (docs/limits.md) is ENAMETOOLONG (37),
// whatever the pointer, not EFAULT: the guest learns what was wrong. Guest side:
// tests/cli/wat/long_names.wat.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "run_aperture.h"

namespace {

using aperture::cli_test::Result;
using aperture::cli_test::run_aperture;
using aperture::cli_test::wat_module;

class LongNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(APERTURE_BINARY_DIR) + "/long_names_" + std::to_string(getpid());
    mkdir(dir_.c_str(), 0700);
  }
  void TearDown() override {
    unlink((dir_ + "/none").c_str());
    rmdir(dir_.c_str());
  }
  Result names(const std::string& ptr, const std::string& len) {
    return run_aperture("run --dir " + dir_ + "::/data " + wat_module("long_names") +
                        " --invoke names " + ptr + " " + len);
  }
  std::string dir_;
};

TEST_F(LongNamesTest, ShortNamesReachTheFileSystem) {
  Result r = names("256", "4");  // "none": no such file, no such grant
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "44\n44\n44\n44\n0\n-44\n")
      << "path_open, path_filestat_get, path_rename (old, new), path_symlink (creates the "
         "dangling link none -> none), region_open";
}

TEST_F(LongNamesTest, OverTheLimitIsNameTooLong) {
  const std::string want = "37\n37\n37\n37\n37\n-37\n";
  Result r = names("0", "4097");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, want);
  r = names("60000", "100000");  // also past the end of memory: the length decides first
  EXPECT_EQ(r.out, want);
  r = names("0", "4294967295");
  EXPECT_EQ(r.out, want);
}

}  // namespace
