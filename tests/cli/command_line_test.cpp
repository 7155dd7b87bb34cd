// The command line as users of wasmtime and iwasm expect it (docs/cli.md): commands,
// help, version, option errors that name the option, `--`, stdin, module files that
// are not modules, --env/--argv0, and the exit status of each outcome.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "aperture/engine.h"
#include "cli/exit_codes.h"
#include "run_aperture.h"

namespace {

using aperture::cli_test::contains;
using aperture::cli_test::Result;
using aperture::cli_test::run_aperture;
using aperture::cli_test::wat_module;
namespace fs = std::filesystem;
using aperture::cli::kExitError;
using aperture::cli::kExitUsage;

std::string demo() { return wat_module("cli_demo"); }

// A scratch directory for files the test writes, removed afterwards.
class CommandLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(APERTURE_BINARY_DIR) / ("cli_scratch_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  fs::path dir_;
};

TEST_F(CommandLineTest, UnknownOptionIsNamedNeverTakenForTheModule) {
  // Before: `--frobnicate 1000 m.wasm` tried to run a module called "1000".
  Result r = run_aperture("run --frobnicate 1000 " + demo() + " --invoke add 1 2");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "unknown option --frobnicate")) << r.out;
  EXPECT_FALSE(contains(r.out, "1000")) << r.out;
  r = run_aperture("run --frobnicate=3 " + demo());
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "unknown option --frobnicate")) << r.out;
  r = run_aperture("--frobnicate " + demo());  // implicit run
  EXPECT_TRUE(contains(r.out, "unknown option --frobnicate")) << r.out;
  r = run_aperture("run --env");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "--env needs a value")) << r.out;
}

TEST_F(CommandLineTest, UnknownCommandListsTheCommands) {
  Result r = run_aperture("frobnicate");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "unknown command 'frobnicate'")) << r.out;
  EXPECT_TRUE(contains(r.out, "run, compile, validate, inspect, region, bind, help")) << r.out;
}

TEST_F(CommandLineTest, ModuleInCommandPositionMeansRun) {
  Result r = run_aperture(demo() + " --invoke add 40 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "42\n");
  r = run_aperture("--env A=1 " + wat_module("wasi_demo") + " x");  // options first
  EXPECT_EQ(r.exit_code, 12) << r.out;
  r = run_aperture((dir_ / "missing.wasm").string());  // a missing module: read error, not usage
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot open")) << r.out;
}

TEST_F(CommandLineTest, HelpAndVersion) {
  for (const char* ask : {"help", "--help", "-h"}) {
    Result r = run_aperture(ask);
    EXPECT_EQ(r.exit_code, 0) << ask << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "Usage: aperture")) << r.out;
    EXPECT_TRUE(contains(r.out, "validate")) << r.out;
  }
  for (const char* ask : {"help run", "run --help", "run -h"}) {
    Result r = run_aperture(ask);
    EXPECT_EQ(r.exit_code, 0) << ask << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "Usage: aperture run")) << r.out;
    EXPECT_TRUE(contains(r.out, "--dir")) << r.out;
  }
  Result r = run_aperture("help validate");
  EXPECT_TRUE(contains(r.out, "Usage: aperture validate")) << r.out;
  r = run_aperture("help nosuch");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "no help for 'nosuch'")) << r.out;
  r = run_aperture("");  // nothing to do: the overview on stderr, a usage error
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "Usage: aperture")) << r.out;
  for (const char* ask : {"-V", "--version"}) {
    r = run_aperture(ask);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, "aperture 0.1.0\n");
  }
}

// Each option of `run` is described once: its option groups (engine, limits, WASI) are
// each added once (a second "Limits" group once repeated five options in the help).
TEST_F(CommandLineTest, RunHelpListsEachOptionOnce) {
  Result r = run_aperture("help run");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::map<std::string, int> seen;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || start == 0 || line.compare(start, 2, "--") != 0) continue;
    ++seen[line.substr(start, line.find(' ', start) - start)];
  }
  EXPECT_GT(seen.size(), 10u) << r.out;
  for (const auto& [option, count] : seen) EXPECT_EQ(count, 1) << option << " is listed " << count << " times";
  EXPECT_EQ(seen.count("--timeout"), 1u) << r.out;
}

TEST_F(CommandLineTest, DoubleDashEndsOptions) {
  Result r = run_aperture("run -- " + demo() + " --invoke add 3 4");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "7\n");
  // A module whose name starts with '-' can only be named after `--`.
  fs::copy_file(demo(), dir_ / "-odd.wasm");
  std::string odd = "-odd.wasm --invoke add 1 1";
  r = run_aperture("run -- " + odd + "", "cd " + dir_.string() + " &&");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "2\n");
  r = run_aperture("run " + odd, "cd " + dir_.string() + " &&");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "unknown option -odd.wasm")) << r.out;
}

TEST_F(CommandLineTest, EnvWithoutValuePassesTheHostsValue) {
  Result r = run_aperture("run --env APERTURE_T1 --env APERTURE_UNSET_X --env B=2 " +
                              wat_module("wasi_echo"),
                          "APERTURE_T1='host value'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, wat_module("wasi_echo") + "\nAPERTURE_T1=host value\nB=2\n");
  r = run_aperture("run --env =x " + wat_module("wasi_echo"));
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
}

TEST_F(CommandLineTest, Argv0) {
  Result r = run_aperture("run --argv0 myprog " + wat_module("wasi_echo") + " a b");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "myprog\na\nb\n");
}

TEST_F(CommandLineTest, ModuleFromStandardInput) {
  Result r = run_aperture("run - --invoke add 20 22 < " + demo());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "42\n");
  r = run_aperture("validate - < " + demo());
  EXPECT_EQ(r.out, "valid\n");
  r = run_aperture("inspect - < " + demo());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "add: func 0")) << r.out;
  r = run_aperture("run - --invoke add 1 2 < /dev/null");
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "standard input is empty")) << r.out;
}

TEST_F(CommandLineTest, WebAssemblyTextGetsAWat2wasmHint) {
  std::string wat = write("hello.wat", ";; a comment\n(; block ;)\n(module (func (export \"f\")))\n");
  for (const std::string& cmd : {"run " + wat + " --invoke f", "validate " + wat, "inspect " + wat}) {
    Result r = run_aperture(cmd);
    EXPECT_EQ(r.exit_code, kExitError) << cmd << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "is WebAssembly text, not a binary module; convert it with wat2wasm")) << r.out;
    EXPECT_TRUE(contains(r.out, "wat2wasm " + wat + " -o module.wasm")) << r.out;
  }
  Result r = run_aperture("validate - < " + wat);
  EXPECT_TRUE(contains(r.out, "standard input is WebAssembly text")) << r.out;
  r = run_aperture("validate " + write("junk.bin", "hello world"));
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "is not a WebAssembly module")) << r.out;
}

TEST_F(CommandLineTest, DevicesDirectoriesAndHugeFilesAreRefusedQuickly) {
  // Before: `aperture validate /dev/zero` read forever, growing memory.
  Result r = run_aperture("validate /dev/zero");
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "'/dev/zero' is a device, not a module file")) << r.out;
  r = run_aperture("validate - < /dev/zero");  // an endless stream that is no module
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "standard input is not a WebAssembly module")) << r.out;
  r = run_aperture("validate " + dir_.string());
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "is a directory")) << r.out;
  // A sparse file just over the limit: refused from its size, nothing is read.
  std::string huge = write("huge.wasm", std::string("\0asm\1\0\0\0", 8));
  ASSERT_EQ(truncate(huge.c_str(), (1ll << 30) + 1), 0);
  r = run_aperture("validate " + huge);
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "modules larger than 1024 MiB are refused")) << r.out;
  r = run_aperture("run /nonexistent/m.wasm");
  EXPECT_EQ(r.exit_code, kExitError) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot open '/nonexistent/m.wasm': No such file or directory")) << r.out;
}

TEST_F(CommandLineTest, SimdModuleIsNamedNotMalformed) {
  const std::string m = wat_module("uses_simd");
  for (const std::string& engine : aperture::available_engines()) {
    Result r = run_aperture("run --engine " + engine + " " + m + " --invoke f");
    if (aperture::engine_supports_simd(*aperture::engine_from_name(engine))) {
      EXPECT_EQ(r.exit_code, 0) << engine << r.out;
      EXPECT_EQ(r.out, "1\n");
      // v128 arguments and results as one 128-bit number (wasmtime's syntax); lanes wrap
      r = run_aperture("run --engine " + engine + " " + m +
                       " --invoke add 0x1_ffffffff_00000002 340282366920938463463374607431768211455");
      EXPECT_EQ(r.exit_code, 0) << r.out;
      EXPECT_EQ(r.out, "0xffffffff00000000fffffffe00000001\n") << r.out;
      r = run_aperture("run --engine " + engine + " " + m + " --invoke add 0x1g 0");
      EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
      EXPECT_TRUE(contains(r.out, "cannot parse '0x1g' as v128")) << r.out;
      continue;
    }
    EXPECT_EQ(r.exit_code, kExitError) << engine << r.out;
    EXPECT_TRUE(contains(r.out, "module uses SIMD (128-bit vectors) (at offset ")) << r.out;
    EXPECT_TRUE(contains(r.out, "which the " + engine + " engine does not support yet")) << r.out;
    EXPECT_FALSE(contains(r.out, "malformed")) << r.out;
  }
  for (const char* cmd : {"validate ", "inspect "}) {
    Result r = run_aperture(cmd + m);
    EXPECT_EQ(r.exit_code, 0) << cmd << r.out;
    EXPECT_TRUE(contains(r.out, "features: simd (engines:")) << r.out;
    EXPECT_FALSE(contains(r.out, "relaxed-simd")) << r.out;
  }
}

// Issue 25: inspect names the WebAssembly 3.0 features a module uses, and they run.
TEST_F(CommandLineTest, InspectListsTailCallsAndExtendedConst) {
  std::string m = wat_module("wasm3_features");
  for (const char* cmd : {"validate ", "inspect "}) {
    Result r = run_aperture(cmd + m);
    EXPECT_EQ(r.exit_code, 0) << cmd << r.out;
    EXPECT_TRUE(contains(r.out, "features: tail-calls, extended-const (engines:")) << r.out;
  }
  Result r = run_aperture("inspect " + demo());
  EXPECT_FALSE(contains(r.out, "features:")) << "a 2.0 module: " << r.out;
  r = run_aperture("run " + m + " --invoke answer");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "42\n");
}

// Issue 25: inspect lists 64-bit memories (memory64) and marks the memory; it runs.
TEST_F(CommandLineTest, InspectListsMemory64) {
  std::string m = wat_module("uses_memory64");
  for (const char* cmd : {"validate ", "inspect "}) {
    Result r = run_aperture(cmd + m);
    EXPECT_EQ(r.exit_code, 0) << cmd << r.out;
    EXPECT_TRUE(contains(r.out, "features: 64-bit memories\n")) << r.out;
  }
  Result r = run_aperture("inspect " + m);
  EXPECT_TRUE(contains(r.out, "[0] pages min 1, 64-bit")) << r.out;
  r = run_aperture("inspect " + demo());
  EXPECT_FALSE(contains(r.out, "64-bit")) << "a 2.0 module: " << r.out;
  r = run_aperture("run " + m + " --invoke size");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "1\n");
}

// Issue 25: inspect lists the 3.0 features a module uses. Hand-assembled (wabt 1.0.32 has
// no typed references): type 0 (func (result (ref null 0))), func 0 returns ref.null 0,
// exported as "f".
TEST_F(CommandLineTest, InspectListsTypedFunctionReferences) {
  const std::string bytes("\0asm\1\0\0\0"
                          "\x01\x06\x01\x60\x00\x01\x63\x00"  // types
                          "\x03\x02\x01\x00"                      // functions
                          "\x07\x05\x01\x01\x66\x00\x00"       // export "f"
                          "\x0a\x06\x01\x04\x00\xd0\x00\x0b",  // ref.null 0
                          35);
  const std::string m = write("typed_refs.wasm", bytes);
  for (const char* cmd : {"validate ", "inspect "}) {
    Result r = run_aperture(cmd + m);
    EXPECT_EQ(r.exit_code, 0) << cmd << r.out;
    EXPECT_TRUE(contains(r.out, "features: typed-function-references (engines:")) << r.out;
    for (const std::string& engine : aperture::available_engines())
      EXPECT_TRUE(contains(r.out, " " + engine)) << "every engine runs them: " << r.out;
  }
  Result r = run_aperture("run " + m + " --invoke f");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "null\n") << "a (ref null 0) result prints as a funcref";
}

TEST_F(CommandLineTest, WrongInvokeNameListsTheExportedFunctions) {
  Result r = run_aperture("run " + demo() + " --invoke ad 1 2");
  EXPECT_EQ(r.exit_code, kExitUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "no exported function 'ad'; its exported functions are: add, mix,")) << r.out;
  EXPECT_FALSE(contains(r.out, "counter")) << "globals are not functions: " << r.out;
}

TEST_F(CommandLineTest, ProcExitStatus) {
  std::string m = wat_module("wasi_demo");
  EXPECT_EQ(run_aperture("run " + m + " --invoke exit_with 0").exit_code, 0);
  EXPECT_EQ(run_aperture("run " + m + " --invoke exit_with 7").exit_code, 7);
  EXPECT_EQ(run_aperture("run " + m + " --invoke exit_with 125").exit_code, 125);
  // 300 would reach the shell as 44 (300 mod 256), 134 would look like a trap: refused.
  for (const char* status : {"126", "134", "300", "-1"}) {
    Result r = run_aperture("run " + m + " --invoke exit_with " + status);
    EXPECT_EQ(r.exit_code, kExitError) << status << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "exit statuses above 125 cannot be passed on")) << r.out;
  }
}

}  // namespace
