// Resource-limit options of `aperture run` (docs/limits.md).
#include <gtest/gtest.h>

#include <string>

#include "cli/run_aperture.h"

namespace {

using aperture::cli_test::contains;
using aperture::cli_test::Result;

Result run(const std::string& args) { return aperture::cli_test::run_aperture(args); }

std::string table10() { return aperture::cli_test::wat_module("table10"); }

TEST(LimitOptionsTest, MaxTableElements) {
  Result r = run("run --max-table-elements 10 " + table10() + " --invoke size");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "10\n");
  r = run("run --max-table-elements 12 " + table10() + " --invoke grow 3");
  EXPECT_EQ(r.out, "-1\n") << "table.grow past the limit fails";
  r = run("run --max-table-elements 13 " + table10() + " --invoke grow 3");
  EXPECT_EQ(r.out, "10\n");
  r = run("run --max-table-elements 9 " + table10() + " --invoke size");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "error: cannot create a table of 10 elements: the store's tables "
                              "already hold 0 of at most 9 elements")) << r.out;
}

TEST(LimitOptionsTest, MaxRegionHandles) {
  std::string open3 = std::string(APERTURE_WAT_DIR) + "/open_three.wasm";
  std::string grant = " --region r=memfd:size=4K --grant r ";
  Result r = run("run" + grant + "--max-region-handles 2 " + open3 + " --invoke open3");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "1\n2\n-33\n") << "the third open gets -EMFILE";
  r = run("run" + grant + open3 + " --invoke open3");
  EXPECT_EQ(r.out, "1\n2\n3\n") << "the default allows 1024";
}

TEST(LimitOptionsTest, BadCountsAreUsageErrors) {
  for (const char* bad : {"-1", "1e3", "10M", "", "18446744073709551616", "0x10"}) {
    Result r = run(std::string("run --max-table-elements '") + bad + "' " + table10() + " --invoke size");
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "--max-table-elements expects a number of 0 to ")) << bad << ": " << r.out;
  }
  Result r = run("run --max-region-handles 4294967296 " + table10() + " --invoke size");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "--max-region-handles expects a number of 0 to 4294967295, got '4294967296' (too large)")) << r.out;
}

}  // namespace
