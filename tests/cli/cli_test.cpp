// Runs the `aperture` executable like a user would and checks output and exit codes
// (docs/cli.md): 0 ok, 1 load error, 2 usage, 134 trap, WASI proc_exit status passed through.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <array>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

constexpr int kUsage = 2;
constexpr int kLoadError = 1;
constexpr int kTrap = 134;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr interleaved
};

// A signal (a crash of the runtime) maps to 128 + signal, which no expectation uses.
Result run_with_env(const std::string& env, const std::string& args) {
  std::string cmd = env + " " + std::string(APERTURE_BINARY_DIR) + "/aperture " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Runs with the environment of the test, whose $APERTURE_ENGINE picks the engine.
Result run(const std::string& args) { return run_with_env("", args); }

std::string module(const std::string& name) { return std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm"; }
std::string demo() { return module("cli_demo"); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(CliTest, InvokePrintsEachResultOnItsOwnLine) {
  Result r = run("run " + demo() + " --invoke add 40 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "42\n");
  r = run("run " + demo() + " --invoke mix -5 1.5 0x1p-2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "-5\n1.5\n0.25\n");
  r = run("run " + demo() + " --invoke none");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "");
}

TEST(CliTest, InvokeBeforeModuleWorksToo) {
  Result r = run("run --invoke add " + demo() + " 1 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "3\n");
}

TEST(CliTest, ArgumentSyntax) {
  // Unsigned and signed spellings of the same i32; hex; no octal surprise.
  EXPECT_EQ(run("run " + demo() + " --invoke add 4294967295 0").out, "-1\n");
  EXPECT_EQ(run("run " + demo() + " --invoke add -2147483648 0").out, "-2147483648\n");
  EXPECT_EQ(run("run " + demo() + " --invoke add 0x10 010").out, "26\n");
  // Floats: decimal, hex float, inf, nan, and exact NaN payloads.
  EXPECT_EQ(run("run " + demo() + " --invoke mix 0 -inf 0x1.8p1").out, "0\n-inf\n3\n");
  EXPECT_EQ(run("run " + demo() + " --invoke f32_bits 1").out, "1065353216\n");
  EXPECT_EQ(run("run " + demo() + " --invoke f32_bits nan:0x200001").out, "2141192193\n");
  EXPECT_EQ(run("run " + demo() + " --invoke f64_id nan").out, "nan\n");
  EXPECT_EQ(run("run " + demo() + " --invoke f64_id -nan:0x1234").out, "-nan:0x1234\n");
  EXPECT_EQ(run("run " + demo() + " --invoke f64_id 0.1").out, "0.10000000000000001\n");
  // externref: null, numbers up to 2^64-2 (2^64-1 is null's encoding, so it is refused).
  EXPECT_EQ(run("run " + demo() + " --invoke extern_id null").out, "null\n");
  EXPECT_EQ(run("run " + demo() + " --invoke extern_id 0").out, "externref:0\n");
  EXPECT_EQ(run("run " + demo() + " --invoke extern_id 18446744073709551614").out,
            "externref:18446744073709551614\n");
  EXPECT_EQ(run("run " + demo() + " --invoke extern_is_null 18446744073709551614").out, "0\n");
  EXPECT_EQ(run("run " + demo() + " --invoke extern_is_null null").out, "1\n");
}

TEST(CliTest, ExternrefOutOfRangeIsAUsageError) {
  for (const char* text : {"18446744073709551615", "0xffffffffffffffff", "-1"}) {
    Result r = run("run " + demo() + " --invoke extern_id " + text);
    EXPECT_EQ(r.exit_code, kUsage) << text << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "use null or a number from 0 to 18446744073709551614")) << r.out;
    EXPECT_FALSE(contains(r.out, "\nnull\n")) << "must not print back as null: " << r.out;
  }
  EXPECT_EQ(run("run " + demo() + " --invoke extern_id 18446744073709551616").exit_code, kUsage);
}

TEST(CliTest, UnboundedRecursionTrapsWithCallStackExhausted) {
  Result r = run("run " + demo() + " --invoke recurse 0");
  EXPECT_EQ(r.exit_code, kTrap) << r.out;
  EXPECT_TRUE(contains(r.out, "trap: call stack exhausted")) << r.out;
  EXPECT_TRUE(contains(r.out, "recurse")) << "backtrace names the function: " << r.out;
}

TEST(CliTest, LoadPastEndOfMemoryTrapsWithBacktrace) {
  Result r = run("run " + demo() + " --invoke outer 65535");
  EXPECT_EQ(r.exit_code, kTrap) << r.out;
  EXPECT_TRUE(contains(r.out, "trap: out of bounds memory access")) << r.out;
  size_t peek = r.out.find("#0 peek"), outer = r.out.find("#1 outer");
  EXPECT_NE(peek, std::string::npos) << r.out;
  EXPECT_NE(outer, std::string::npos) << r.out;
  EXPECT_LT(peek, outer) << "innermost frame first: " << r.out;
}

TEST(CliTest, BadArgumentsAreUsageErrors) {
  Result r = run("run " + demo() + " --invoke add 1");
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "takes 2 arguments")) << r.out;
  r = run("run " + demo() + " --invoke add 1 x");
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "cannot parse 'x' as i32")) << r.out;
  EXPECT_EQ(run("run " + demo() + " --invoke add 4294967296 1").exit_code, kUsage);
  EXPECT_EQ(run("run " + demo() + " --invoke add -2147483649 1").exit_code, kUsage);
  EXPECT_EQ(run("run " + demo() + " --invoke mix 1 1.5x 2").exit_code, kUsage);
  r = run("run " + demo() + " --invoke nosuch");
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "no exported function 'nosuch'")) << r.out;
  EXPECT_EQ(run("run " + demo() + " --invoke").exit_code, kUsage);
  EXPECT_EQ(run("frobnicate").exit_code, kUsage);
  EXPECT_EQ(run("").exit_code, kUsage);
  EXPECT_EQ(run("run").exit_code, kUsage);
  EXPECT_EQ(run("run --no-such-flag " + demo()).exit_code, kUsage);
  EXPECT_EQ(run("run /nonexistent.wasm").exit_code, kLoadError);
  r = run("run " + demo());
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "--invoke")) << "hints at --invoke: " << r.out;
}

TEST(CliTest, EngineIsChosenByOptionOrEnvironment) {
  // The test itself runs once per engine with $APERTURE_ENGINE set (tests/CMakeLists.txt).
  const char* engine = std::getenv("APERTURE_ENGINE");
  std::string name = engine ? engine : "interp";
  Result r = run("run --engine " + name + " " + demo() + " --invoke add 40 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "42\n");
  r = run("run --engine bogus " + demo() + " --invoke add 1 2");
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "--engine: unknown engine 'bogus'; available: ")) << r.out;
  EXPECT_TRUE(contains(r.out, "interp")) << r.out;
  // The environment variable is read (a bad value is an error, not silently ignored) and
  // --engine overrides it.
  r = run_with_env("APERTURE_ENGINE=bogus", "run " + demo() + " --invoke add 1 2");
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "APERTURE_ENGINE: unknown engine 'bogus'")) << r.out;
  r = run_with_env("APERTURE_ENGINE=bogus", "run --engine " + name + " " + demo() + " --invoke add 1 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(CliTest, MalformedModuleIsALoadError) {
  std::string path = std::string(APERTURE_BINARY_DIR) + "/malformed_cli_test_" + std::to_string(getpid()) + ".wasm";
  std::ofstream(path, std::ios::binary) << std::string("\0asm\x01\0\0\0\x01\x05", 10);
  Result r = run("run " + path + " --invoke f");
  EXPECT_EQ(r.exit_code, kLoadError) << r.out;
  EXPECT_TRUE(contains(r.out, "malformed module at offset")) << r.out;
  r = run("validate " + path);
  EXPECT_EQ(r.exit_code, kLoadError) << r.out;
  EXPECT_TRUE(contains(r.out, "malformed module")) << r.out;
  r = run("inspect " + path);
  EXPECT_EQ(r.exit_code, kLoadError) << r.out;
  unlink(path.c_str());
}

TEST(CliTest, ValidateAndInspect) {
  Result r = run("validate " + demo());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "valid\n");
  r = run("inspect " + demo());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "add: func 0 (i32, i32) -> (i32)")) << r.out;
  EXPECT_TRUE(contains(r.out, "counter: global 0")) << r.out;
  EXPECT_TRUE(contains(r.out, "[0] pages min 1, max 2")) << r.out;
  EXPECT_TRUE(contains(r.out, "[0] funcref min 3")) << r.out;
  EXPECT_TRUE(contains(r.out, "globals: 2\n  [0] mut i32\n  [1] f64\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "name (")) << "custom name section with size: " << r.out;
  EXPECT_TRUE(contains(r.out, "validation: valid")) << r.out;
}

TEST(CliTest, WasiStartWithArgsAndEnv) {
  // Exit status = 10 * number of env vars + argc (argv[0] is the module).
  Result r = run("run " + module("wasi_demo") + " one two three");
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_EQ(r.out, "hello\n");
  r = run("run --env A=1 --env B=x=y " + module("wasi_demo"));
  EXPECT_EQ(r.exit_code, 21) << r.out;
  // Options after MODULE belong to the program: argv = {module, --env, A=1, --dir, x}.
  r = run("run " + module("wasi_demo") + " --env A=1 --dir x");
  EXPECT_EQ(r.exit_code, 5) << r.out;
}

TEST(CliTest, WasiOptionErrors) {
  Result r = run("run --env =VALUE " + module("wasi_demo"));
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(contains(r.out, "--env expects KEY=VALUE or KEY")) << r.out;
  r = run("run --dir ::guest " + module("wasi_demo"));
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  r = run("run --dir /nonexistent/dir " + module("wasi_demo"));
  EXPECT_EQ(r.exit_code, kLoadError) << r.out;
}

TEST(CliTest, WasiTrapPrintsBacktrace) {
  Result r = run("run " + module("wasi_trap"));
  EXPECT_EQ(r.exit_code, kTrap) << r.out;
  EXPECT_TRUE(contains(r.out, "trap: unreachable\nwasm backtrace:\n  #0 fail\n  #1 _start\n")) << r.out;
}

}  // namespace
