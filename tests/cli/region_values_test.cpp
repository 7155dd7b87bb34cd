// Region option values of `aperture run`: negative or wrapping sizes, offsets and
// addresses are usage errors, reported before any file is created or extended.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "cli/run_aperture.h"

namespace {

using aperture::cli_test::contains;
using aperture::cli_test::Result;

Result run(const std::string& args) { return aperture::cli_test::run_aperture(args); }

std::string module() { return aperture::cli_test::wat_module("table10"); }

TEST(RegionValuesTest, NegativeSizeIsRefused) {
  Result r = run("run --region m=memfd:size=-1 " + module() + " --invoke size");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "bad size '-1'")) << r.out;
  // Well-formed but more than any file can hold: refused like other impossible requests.
  r = run("run --region m=memfd:size=18446744073709551615 " + module() + " --invoke size");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "region 'm': size 18446744073709551615 is too large")) << r.out;
}

TEST(RegionValuesTest, WrappingFileOffsetCreatesNothing) {
  std::string path = std::string(APERTURE_BINARY_DIR) + "/region_values_" + std::to_string(getpid());
  unlink(path.c_str());
  Result r = run("run --region f=file:" + path + ",offset=-4096,size=8192,create " + module() + " --invoke size");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "bad size '-4096'")) << r.out;
  r = run("run --region f=file:" + path + ",offset=18446744073709547520,size=8192,create " + module() +
          " --invoke size");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "is too large")) << r.out;
  struct stat st;
  EXPECT_NE(stat(path.c_str(), &st), 0) << "the file was created";
}

TEST(RegionValuesTest, NegativeMapAddressIsRefused) {
  Result r = run("run --region m=memfd:size=4K --map m@-1 " + module() + " --invoke size");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "bad address '-1'")) << r.out;
  r = run("run --region m=memfd:size=4K --map m@0x10000000,offset=-4096 " + module() + " --invoke size");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "bad size '-4096'")) << r.out;
}

}  // namespace
