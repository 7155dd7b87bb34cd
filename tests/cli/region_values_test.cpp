// Region option values of `aperture run`: negative or wrapping sizes, offsets and
// addresses are usage errors, reported before any file is created or extended.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
};

Result run(const std::string& args) {
  std::string cmd = std::string(APERTURE_BINARY_DIR) + "/aperture " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string module() { return std::string(APERTURE_WAT_DIR) + "/table10.wasm"; }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

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
