// Cold start (docs/performance.md, "Cold start"): generated programs of several megabytes,
// or built to be hard to compile, print their first line at once in the tiered engine with
// an empty cache, long before their compilation could finish; the compile budget
// (docs/limits.md, "Compilation") keeps compiling them bounded. Figures are reported, never
// asserted: the test machine's load decides them.
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "aperture/runtime.h"
#include "compile/generated_modules.h"

namespace aperture {
namespace {

using testing_support::GeneratedKind;
using Clock = std::chrono::steady_clock;

struct Measured {
  int exit_code = -1;
  std::string out;               // stdout and stderr
  double first_output_ms = -1;   // from fork to the first byte of output
  double total_ms = 0;
  long max_rss_kb = 0;
};

// Runs build/aperture with `args`, timing its first output.
Measured run_measured(const std::vector<std::string>& args) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  Clock::time_point start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    std::vector<char*> argv;
    std::string exe = APERTURE_BINARY_DIR "/aperture";
    argv.push_back(exe.data());
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  Measured m;
  char buf[4096];
  while (true) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    if (m.first_output_ms < 0)
      m.first_output_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    m.out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  m.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m.max_rss_kb = usage.ru_maxrss;
  return m;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aperture-cold-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string write_program(const TempDir& dir, const std::string& name, GeneratedKind kind,
                          uint32_t count) {
  std::vector<uint8_t> bytes = testing_support::generated_program(kind, count);
  std::string file = (dir.path / (name + ".wasm")).string();
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  return file;
}

bool cache_has_entries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec))
    if (e.path().extension() == ".cwasm") return true;
  return false;
}

void report(const std::string& what, const Measured& m) {
  std::printf("%-44s first output %8.1f ms, exit after %8.1f ms, peak RSS %6ld MB\n", what.c_str(),
              m.first_output_ms, m.total_ms, m.max_rss_kb / 1024);
}

// A ≥ 5 MB program in the tiered engine with an empty cache prints its first line about as
// soon as the interpreter alone would, and leaves before its compilation is done (the
// cache stays empty: the tiered engine does not wait for a compile at exit).
TEST(ColdStartTest, LargeModulePrintsBeforeItsCompilationFinishes) {
  TempDir dir;
  std::string module = write_program(dir, "large", GeneratedKind::Large, 20'000);
  uint64_t size = std::filesystem::file_size(module);
  ASSERT_GE(size, 5'000'000u);
  std::string cache = (dir.path / "cache").string();
  Measured interp = run_measured({"run", "--engine", "interp", "--no-cache", module});
  Measured tiered = run_measured({"run", "--engine", "tiered", "--cache-dir", cache, module});
  std::printf("generated module: %.1f MB\n", size / 1e6);
  report("interp", interp);
  report("tiered, empty cache", tiered);
  EXPECT_EQ(interp.exit_code, 0) << interp.out;
  EXPECT_EQ(interp.out, "ready\n");
  EXPECT_EQ(tiered.exit_code, 0) << tiered.out;
  EXPECT_EQ(tiered.out, "ready\n");
  EXPECT_FALSE(cache_has_entries(cache)) << "compilation finished before the program ended";
}

// A generated module of the kinds the compile budget is for, with a name for reports.
struct GeneratedCase {
  const char* name;
  GeneratedKind kind;
  uint32_t count;
};

// The modules the compile budget is for, each with an empty cache in the tiered engine:
// the first line comes from the interpreter, whatever compiling them would cost.
TEST(ColdStartTest, ModulesHardToCompileStartAtOnce) {
  TempDir dir;
  const GeneratedCase cases[] = {
      {"20,000 calls to a tiny function", GeneratedKind::ManyCalls, 20'000},
      {"50,000 tiny functions", GeneratedKind::TinyFunctions, 50'000},
      {"80 functions x 50,000 locals", GeneratedKind::ManyLocals, 50'000},
      {"6,000 ordinary functions", GeneratedKind::Large, 6'000},
  };
  for (const GeneratedCase& c : cases) {
    std::string module = write_program(dir, "m", c.kind, c.count);
    std::string cache = (dir.path / "cache").string();
    Measured m = run_measured({"run", "--engine", "tiered", "--cache-dir", cache, module});
    report(std::string(c.name) + " (" + std::to_string(std::filesystem::file_size(module) / 1024) +
               " KB)",
           m);
    EXPECT_EQ(m.exit_code, 0) << c.name << ": " << m.out;
    EXPECT_EQ(m.out, "ready\n") << c.name;
    std::filesystem::remove_all(cache);
  }
}

// Functions past the compile budget are compiled without optimisation: the compiled engine
// finishes them in seconds (the optimising pipeline took minutes and gigabytes; the test's
// timeout fails a regression).
TEST(CompileBudgetTest, FunctionsPastTheBudgetCompileQuickly) {
  const GeneratedCase cases[] = {
      {"20,000 calls to a tiny function", GeneratedKind::ManyCalls, 20'000},
      {"80 functions x 50,000 locals", GeneratedKind::ManyLocals, 50'000},
  };
  for (const GeneratedCase& c : cases) {
    EngineConfig config;
    config.kind = EngineKind::Compiled;
    Clock::time_point start = Clock::now();
    std::shared_ptr<const CompiledModule> module =
        compile(testing_support::generated_program(c.kind, c.count), config);
    std::printf("%-44s compiled in %.2f s\n", c.name,
                std::chrono::duration<double>(Clock::now() - start).count());
    Store store;
    Linker linker;
    FuncType fd_write{{ValType::I32, ValType::I32, ValType::I32, ValType::I32}, {ValType::I32}};
    linker.define("wasi_snapshot_preview1", "fd_write",
                  Extern::func(store.create_host_function(
                      fd_write, [](HostContext&, const uint64_t*, uint64_t* r) { r[0] = 0; })));
    Instance& inst = store.instantiate(module, linker);
    EXPECT_NO_THROW(inst.call("_start", {})) << c.name;
  }
}

}  // namespace
}  // namespace aperture
