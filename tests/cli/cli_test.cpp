// Runs the `aperture` executable like a user would and checks output and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr interleaved
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

std::string module(const std::string& name) { return std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm"; }

TEST(CliTest, InvokePrintsEachResultOnItsOwnLine) {
  Result r = run("run " + module("cli_demo") + " --invoke add 40 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "42\n");
  r = run("run " + module("cli_demo") + " --invoke mix -5 1.5 0x1p-2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "-5\n1.5\n0.25\n");
}

TEST(CliTest, UnboundedRecursionTrapsWithCallStackExhausted) {
  Result r = run("run " + module("cli_demo") + " --invoke recurse 0");
  EXPECT_EQ(r.exit_code, 134) << r.out;
  EXPECT_NE(r.out.find("trap: call stack exhausted"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("recurse"), std::string::npos) << "backtrace names the function: " << r.out;
}

TEST(CliTest, LoadPastEndOfMemoryTrapsWithBacktrace) {
  Result r = run("run " + module("cli_demo") + " --invoke outer 65535");
  EXPECT_EQ(r.exit_code, 134) << r.out;
  EXPECT_NE(r.out.find("trap: out of bounds memory access"), std::string::npos) << r.out;
  size_t peek = r.out.find("#0 peek"), outer = r.out.find("#1 outer");
  EXPECT_NE(peek, std::string::npos) << r.out;
  EXPECT_NE(outer, std::string::npos) << r.out;
}

TEST(CliTest, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(run("run " + module("cli_demo") + " --invoke add 1").exit_code, 2);
  EXPECT_EQ(run("run " + module("cli_demo") + " --invoke add 1 x").exit_code, 1);
  EXPECT_EQ(run("run " + module("cli_demo") + " --invoke add 4294967296 1").exit_code, 1);
  EXPECT_EQ(run("run " + module("cli_demo") + " --invoke nosuch").exit_code, 1);
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  EXPECT_EQ(run("run /nonexistent.wasm").exit_code, 2);
}

TEST(CliTest, MalformedModuleIsAClearError) {
  std::string path = std::string(APERTURE_BINARY_DIR) + "/malformed_cli_test.wasm";
  std::ofstream(path, std::ios::binary) << std::string("\0asm\x01\0\0\0\x01\x05", 10);
  Result r = run("run " + path + " --invoke f");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("malformed module at offset"), std::string::npos) << r.out;
  r = run("validate " + path);
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST(CliTest, ValidateAndInspect) {
  Result r = run("validate " + module("cli_demo"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "valid\n");
  r = run("inspect " + module("cli_demo"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("add: func 0 (i32, i32) -> (i32)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[0] pages min 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("name ("), std::string::npos) << "custom name section listed: " << r.out;
}

}  // namespace
