// `aperture run --timeout/--fuel/--max-memory/--max-wasm-stack` (docs/limits.md), in
// the engine under test ($APERTURE_ENGINE, which the command reads too).
#include <gtest/gtest.h>

#include <chrono>

#include "cli/exit_codes.h"
#include "run_aperture.h"

namespace {

using aperture::cli_test::contains;
using aperture::cli_test::Result;
using aperture::cli_test::run_aperture;
using aperture::cli_test::wat_module;
using aperture::cli::kExitError;
using aperture::cli::kExitTrap;
using aperture::cli::kExitUsage;

std::string demo() { return wat_module("limits_demo"); }

TEST(LimitsCliTest, TimeoutStopsAnEndlessLoop) {
  for (const std::string& how : {demo() + " --invoke spin", demo()}) {  // an export, _start
    auto start = std::chrono::steady_clock::now();
    Result r = run_aperture("run --timeout 1s " + how);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.exit_code, kExitTrap) << r.out;
    EXPECT_TRUE(contains(r.out, "trap: interrupted (--timeout 1s expired)\nwasm backtrace:\n")) << r.out;
    EXPECT_GE(seconds, 1.0);
    EXPECT_LT(seconds, 20.0);
  }
  Result r = run_aperture("run --timeout 200ms " + demo() + " --invoke count_down 1000");
  EXPECT_EQ(r.exit_code, 0) << "a program that ends in time is not disturbed: " << r.out;
}

TEST(LimitsCliTest, FuelIsExact) {
  Result r = run_aperture("run --fuel 1000 " + demo() + " --invoke count_down 1000");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = run_aperture("run --fuel 999 " + demo() + " --invoke count_down 1000");
  EXPECT_EQ(r.exit_code, kExitTrap) << r.out;
  EXPECT_TRUE(contains(r.out, "trap: all fuel consumed")) << r.out;
  r = run_aperture("run --fuel 5000000 " + demo() + " --invoke spin");
  EXPECT_EQ(r.exit_code, kExitTrap) << r.out;
  EXPECT_TRUE(contains(r.out, "trap: all fuel consumed\nwasm backtrace:\n  #0 spin")) << r.out;
}

TEST(LimitsCliTest, MaxMemory) {
  Result r = run_aperture("run --max-memory 192K " + demo() + " --invoke grow 2");
  EXPECT_EQ(r.out, "1\n");
  r = run_aperture("run --max-memory 192K " + demo() + " --invoke grow 3");
  EXPECT_EQ(r.out, "-1\n");
  r = run_aperture("run --max-memory 64K " + demo() + " --invoke grow 0");
  EXPECT_EQ(r.out, "1\n");
  r = run_aperture("run --max-memory 1000 " + demo() + " --invoke grow 0");
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "larger than the store's memory limit of 1000 bytes")) << r.out;
}

TEST(LimitsCliTest, MaxWasmStack) {
  Result r = run_aperture("run --max-wasm-stack 64K " + demo() + " --invoke deep 100");
  EXPECT_EQ(r.out, "100\n");
  r = run_aperture("run --max-wasm-stack 64K " + demo() + " --invoke deep 100000");
  EXPECT_EQ(r.exit_code, kExitTrap) << r.out;
  EXPECT_TRUE(contains(r.out, "trap: call stack exhausted")) << r.out;
  r = run_aperture("run --max-wasm-stack 64M " + demo() + " --invoke deep 100000");
  EXPECT_EQ(r.out, "100000\n");
}

TEST(LimitsCliTest, BadValuesAreUsageErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"--timeout 0", "--timeout expects a duration"},
      {"--timeout 5x", "--timeout expects a duration"},
      {"--timeout -1s", "--timeout expects a duration"},
      {"--fuel -1", "--fuel expects a number of 0 to"},
      {"--fuel 1e6", "--fuel expects a number of 0 to"},
      {"--max-memory 12X", "--max-memory expects a size"},
      {"--max-memory 0", "--max-memory must be more than 0"},
      {"--max-wasm-stack 100", "--max-wasm-stack must be between 4K and 1G"},
      {"--max-wasm-stack 2G", "--max-wasm-stack must be between 4K and 1G"},
  };
  for (const auto& [option, message] : cases) {
    Result r = run_aperture(std::string("run ") + option + " " + demo() + " --invoke grow 0");
    EXPECT_EQ(r.exit_code, kExitUsage) << option << ": " << r.out;
    EXPECT_TRUE(contains(r.out, message)) << option << ": " << r.out;
  }
}

}  // namespace
