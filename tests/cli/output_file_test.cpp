// `compile` and `bind` write their output through a temporary file and a rename: a write
// that fails names the path and the reason and leaves nothing behind, and `bind` can
// rewrite its own input in place.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "cli/exit_codes.h"
#include "run_aperture.h"

namespace aperture::cli {
namespace {

namespace fs = std::filesystem;
using cli_test::contains;
using cli_test::Result;
using cli_test::run_aperture;
using cli_test::wat_module;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aperture_output_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // What is in the test directory (a failed write must leave nothing there).
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {})); }
  fs::path dir_;
};

TEST_F(OutputFileTest, BindRewritesItsInputInPlace) {
  fs::path m = dir_ / "m.wasm";
  fs::copy_file(wat_module("cli_demo"), m);
  const auto before = fs::file_size(m);
  Result r = run_aperture("bind " + m.string() + " --map data@0x10000,size=4K -o " + m.string());
  ASSERT_EQ(r.exit_code, kExitOk) << r.out;
  EXPECT_GT(fs::file_size(m), before) << "the section was added";
  r = run_aperture("inspect " + m.string());
  EXPECT_TRUE(contains(r.out, "data")) << r.out;
  r = run_aperture("run --region data=anon:size=4K " + m.string() + " --invoke add 3 4");  // same module otherwise
  EXPECT_EQ(r.out, "7\n");
  EXPECT_EQ(entries(), 1u) << "no temporary file left";
}

TEST_F(OutputFileTest, AWriteThatFailsNamesThePathAndTheReason) {
  const std::string missing = (dir_ / "no_such_dir" / "out.wasm").string();
  for (const std::string& cmd : {"bind " + wat_module("cli_demo") + " --map data@0x10000,size=4K -o " + missing,
                                 "compile " + wat_module("cli_demo") + " -o " + missing}) {
    Result r = run_aperture(cmd);
    EXPECT_EQ(r.exit_code, kExitError) << cmd << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "cannot write " + missing + ": No such file or directory")) << r.out;
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(OutputFileTest, AnOutputThatIsADirectoryIsRefusedAndLeavesNothing) {
  fs::create_directories(dir_ / "out.wasm");
  const std::string out = (dir_ / "out.wasm").string();
  Result r = run_aperture("bind " + wat_module("cli_demo") + " --map data@0x10000,size=4K -o " + out);
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot write " + out + ": Is a directory")) << r.out;
  EXPECT_EQ(entries(), 1u) << "only the directory: no temporary file left";
}

}  // namespace
}  // namespace aperture::cli
