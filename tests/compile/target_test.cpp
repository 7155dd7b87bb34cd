// Cross compilation (`aperture compile --target`): artifacts for another machine are made
// here and refused here with a message naming both machines, and a code cache shared with
// another machine never runs its entries. The aarch64 side runs under qemu
// (tests/aarch64/run.sh).
#include <gtest/gtest.h>
#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli/run_aperture.h"
#include "module_support.h"
#include "compile/artifact.h"
#include "compile/compile_target.h"

namespace aperture {
namespace {

namespace fs = std::filesystem;
using cli_test::contains;
using cli_test::Result;
using cli_test::run_aperture;

using testing_support::read_file_bytes;

class TargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aperture_target_test_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    module_ = std::string(APERTURE_WAT_DIR) + "/traps.wasm";
  }
  void TearDown() override { fs::remove_all(dir_); }
  Result aperture(const std::string& args) {
    return run_aperture(args, "XDG_CACHE_HOME=" + (dir_ / "cache").string() + " APERTURE_ENGINE=compiled");
  }
  fs::path dir_;
  std::string module_;
};

TEST_F(TargetTest, Aarch64ArtifactIsArmCodeAndIsRefusedHereNamingBothMachines) {
  fs::path artifact = dir_ / "traps.cwasm";
  Result c = aperture("compile --target aarch64-linux-gnu+lse " + module_ + " -o " + artifact.string());
  ASSERT_EQ(c.exit_code, 0) << c.out;
  native::ArtifactContents contents;
  try {
    contents = native::read_artifact(read_file_bytes(artifact));
    FAIL() << "an aarch64 artifact was accepted on x86-64";
  } catch (const native::ArtifactError& e) {
    EXPECT_EQ(e.reason(), native::ArtifactError::Reason::OtherTarget);
  }
  // The objects inside are AArch64 ELF: look at the first one's header in the file.
  std::vector<uint8_t> bytes = read_file_bytes(artifact);
  const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};
  auto at = std::search(bytes.begin(), bytes.end(), elf_magic, elf_magic + 4);
  ASSERT_NE(at, bytes.end());
  Elf64_Ehdr header;
  ASSERT_GE(static_cast<size_t>(bytes.end() - at), sizeof header);
  std::memcpy(&header, &*at, sizeof header);
  EXPECT_EQ(header.e_machine, EM_AARCH64);

  Result r = aperture("run --allow-precompiled " + artifact.string() + " --invoke div_zero 5");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "compiled for aarch64-linux-gnu+lse, but this runtime runs x86_64-linux-gnu code")) << r.out;
  EXPECT_TRUE(contains(r.out, "aperture compile --target x86_64-linux-gnu")) << r.out;
}

TEST_F(TargetTest, GenericX86ArtifactRunsHere) {
  fs::path artifact = dir_ / "traps.cwasm";
  ASSERT_EQ(aperture("compile --target x86_64-linux-gnu " + module_ + " -o " + artifact.string()).exit_code, 0);
  Result r = aperture("run --allow-precompiled " + artifact.string() + " --invoke div_zero 5");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "1\n");
  Result trap = aperture("run --allow-precompiled " + artifact.string() + " --invoke div_zero 0");
  EXPECT_EQ(trap.out, "trap: integer divide by zero\nwasm backtrace:\n  #0 divide\n  #1 div_zero\n");
}

TEST_F(TargetTest, UnknownTargetsAndFeaturesAreRefusedWithTheKnownOnes) {
  Result machine = aperture("compile --target riscv64-linux-gnu " + module_ + " -o " + (dir_ / "x").string());
  EXPECT_EQ(machine.exit_code, 1);
  EXPECT_TRUE(contains(machine.out, "unknown compile target 'riscv64-linux-gnu'; the targets are "
                                    "x86_64-linux-gnu, aarch64-linux-gnu[+lse][+rcpc]")) << machine.out;
  Result feature = aperture("compile --target aarch64-linux-gnu+sve " + module_ + " -o " + (dir_ / "x").string());
  EXPECT_EQ(feature.exit_code, 1);
  EXPECT_TRUE(contains(feature.out, "unknown feature '+sve' of compile target aarch64-linux-gnu; its "
                                    "features are +lse, +rcpc")) << feature.out;
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

TEST(CompileTargetNames, FeaturesAreCanonicalInTableOrder) {
  native::CompileTarget t = native::parse_compile_target("aarch64-linux-gnu+rcpc+lse+rcpc");
  EXPECT_EQ(t.name, "aarch64-linux-gnu+lse+rcpc");
  EXPECT_EQ(t.machine, "aarch64-linux-gnu");
  EXPECT_EQ(t.llvm_features, "+lse,+rcpc");
  EXPECT_EQ(native::parse_compile_target("x86_64-linux-gnu").llvm_cpu, "x86-64");
  EXPECT_THROW(native::parse_compile_target("x86_64-linux-gnu+lse"), Error);
  EXPECT_THROW(native::parse_compile_target("aarch64-linux-gnu+"), Error);
}

// A cache directory shared with an aarch64 machine (an NFS home): an entry for aarch64
// code where this machine looks is refused, never run, and compiled again.
TEST_F(TargetTest, CacheEntryForAnotherMachineIsCompiledAgain) {
  std::string invoke = "run " + module_ + " --invoke div_zero 5";
  ASSERT_EQ(aperture(invoke).out, "1\n");
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir_ / "cache" / "aperture")) entries.push_back(e.path());
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_EQ(aperture("compile --target aarch64-linux-gnu " + module_ + " -o " + entries[0].string()).exit_code, 0);
  Result r = aperture(invoke);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "compiled for aarch64-linux-gnu, but this runtime runs x86_64-linux-gnu code")) << r.out;
  EXPECT_TRUE(contains(r.out, "compiling again")) << r.out;
  EXPECT_TRUE(r.out.ends_with("1\n")) << r.out;
  EXPECT_EQ(aperture(invoke).out, "1\n") << "the entry was written again, for this machine";
}

}  // namespace
}  // namespace aperture
