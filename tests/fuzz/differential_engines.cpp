// Differential test: the same random valid modules in every engine built in, compared
// call by call (results, traps and their messages, arguments passed to imports, final
// memory digests and globals: fuzz/module_runner.h). The modules come from binaryen's
// translate-to-fuzz (`wasm-opt -ttf`), which turns random bytes into a valid module with
// loops, calls, memory and table traffic and a hang limit; --denan keeps results free of
// the spec's nondeterministic NaN bits.
//
//   differential_engines [--simd] WASM_OPT WORK_DIR COUNT [SEED [ENGINE,ENGINE...]]
//
// The engines default to every engine built in; naming one twice checks that repeated
// runs of an engine agree (what the test relies on).
//
// --simd: the generator also emits fixed-width SIMD (issue 22): v128 locals, globals,
// parameters and results, constants, arithmetic, lane and shuffle ops, loads and stores,
// and v128 arguments to an import (binaryen's log-v128). Relaxed SIMD is not generated:
// binaryen 108 predates its final opcodes. Every engine compared must run SIMD, else the
// run is skipped (77) naming the engine (a build whose compiled engine had no SIMD would
// otherwise compare the interpreter with itself: its tiered engine would keep SIMD
// modules in the interpreter). At least half the modules must really use SIMD.
// NaN bits stay uncompared as in scalar code: binaryen's --denan does not reach into
// vectors, so lanes and memory words with a NaN's bits are hidden (module_runner.h).
//
// Exit 0 when every engine agrees on every module; 1 on the first disagreement (the
// module is kept as WORK_DIR/mismatch-SEED-N.wasm, both transcripts are printed); 77
// (CTest: skipped) when this build has a single engine and there is nothing to compare,
// or with --simd when an engine does not run SIMD.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "aperture/engine.h"
#include "aperture/runtime.h"
#include "binary/module.h"
#include "engine_under_test.h"
#include "fuzz/module_runner.h"

extern char** environ;

namespace {

using Bytes = std::vector<uint8_t>;

// The features Aperture implements that binaryen 108's generator emits correctly
// (its reference-types output uses typed references, which are not WebAssembly 2.0).
const char* const kFeatures[] = {"--mvp-features", "--enable-sign-ext",
                                 "--enable-mutable-globals", "--enable-nontrapping-float-to-int",
                                 "--enable-bulk-memory", "--enable-multivalue"};

bool write_file(const std::string& path, const Bytes& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return static_cast<bool>(out);
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes{std::istreambuf_iterator<char>(in), {}};
}

// wasm-opt SEED_FILE -ttf ... -o OUT; true on success.
bool translate_to_fuzz(const std::string& wasm_opt, const std::string& seed_file,
                       const std::string& out, bool simd) {
  std::vector<std::string> args = {wasm_opt, seed_file, "-ttf", "--denan", "-o", out};
  args.insert(args.end(), std::begin(kFeatures), std::end(kFeatures));
  if (simd) args.push_back("--enable-simd");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);  // its warnings
  pid_t pid;
  int rc = posix_spawn(&pid, wasm_opt.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Lines of a transcript that start with `prefix`.
size_t lines_starting(const std::string& text, const std::string& prefix) {
  return (text.rfind(prefix, 0) == 0 ? 1 : 0) + count(text, "\n" + prefix);
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t comma; (comma = list.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(list.substr(start, comma - start));
  out.push_back(list.substr(start));
  return out;
}

// Whether `module` uses SIMD instructions (decoded by the interpreter's front end).
bool uses_simd(const Bytes& module) {
  aperture::EngineConfig interp;
  interp.kind = aperture::EngineKind::Interpreter;
  return aperture::module_of(*aperture::compile(module, interp)).simd_offset.has_value();
}

}  // namespace

int main(int argc, char** argv) {
  bool simd = argc > 1 && std::string(argv[1]) == "--simd";
  if (simd) --argc, ++argv;
  if (argc < 4) {
    std::fprintf(stderr, "usage: differential_engines [--simd] WASM_OPT WORK_DIR COUNT [SEED [ENGINES]]\n");
    return 2;
  }
  std::string wasm_opt = argv[1], work = argv[2];
  int modules = std::atoi(argv[3]);
  uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 14;
  std::vector<std::string> engines = aperture::available_engines();
  if (argc > 5) engines = split(argv[5]);
  if (engines.size() < 2) {
    std::printf("only one engine (%s) in this build: nothing to compare\n", engines[0].c_str());
    return 77;
  }
  for (const std::string& e : engines) {
    if (simd && !aperture::engine_supports_simd(aperture::testing_support::engine_config_named(e).kind)) {
      std::printf("skipped: the %s engine does not run SIMD in this build; nothing to compare "
                  "SIMD modules with\n", e.c_str());
      return 77;
    }
  }
  std::printf("comparing %s modules in engines", simd ? "SIMD" : "scalar");
  for (const std::string& e : engines) std::printf(" %s", e.c_str());
  std::printf("\n");
  mkdir(work.c_str(), 0755);
  std::mt19937_64 rng(seed);
  aperture::fuzz::RunLimits limits;
  limits.hide_nan_words = simd;  // --denan does not reach into vectors
  size_t calls = 0, traps = 0, imports = 0, compared = 0, stack_exhausted = 0;
  size_t simd_modules = 0, v128_values = 0;
  for (int n = 0; n < modules; ++n) {
    Bytes random_bytes(std::uniform_int_distribution<size_t>(200, 4000)(rng));
    for (uint8_t& b : random_bytes) b = static_cast<uint8_t>(rng());
    std::string seed_file = work + "/seed.bin", module_file = work + "/module.wasm";
    if (!write_file(seed_file, random_bytes) || !translate_to_fuzz(wasm_opt, seed_file, module_file, simd)) {
      std::fprintf(stderr, "module %d: %s -ttf failed\n", n, wasm_opt.c_str());
      return 1;
    }
    Bytes module = read_file(module_file);
    std::vector<std::string> transcripts;
    for (const std::string& e : engines)
      transcripts.push_back(aperture::fuzz::run_module(
          module, aperture::testing_support::engine_config_named(e), limits));
    // How deep the stack goes before "call stack exhausted" differs between engines by
    // design (docs/limits.md); such a module is counted, not compared.
    bool exhausted = false;
    for (const std::string& t : transcripts) exhausted |= count(t, "call stack exhausted") > 0;
    if (exhausted) {
      ++stack_exhausted;
      continue;
    }
    for (size_t e = 1; e < engines.size(); ++e) {
      if (transcripts[e] == transcripts[0]) continue;
      std::string kept = work + "/mismatch-" + std::to_string(seed) + "-" + std::to_string(n) + ".wasm";
      write_file(kept, module);
      std::printf("module %d (kept as %s): %s and %s disagree\n--- %s\n%s--- %s\n%s", n,
                  kept.c_str(), engines[0].c_str(), engines[e].c_str(), engines[0].c_str(),
                  transcripts[0].c_str(), engines[e].c_str(), transcripts[e].c_str());
      return 1;
    }
    if (transcripts[0].rfind("compile:", 0) == 0) {
      std::printf("module %d: refused by every engine: %s", n, transcripts[0].c_str());
      return 1;  // the generator makes valid modules: refusing one is a bug
    }
    ++compared;
    if (simd && uses_simd(module)) ++simd_modules;
    v128_values += count(transcripts[0], "v128:");
    calls += lines_starting(transcripts[0], "call ");
    traps += count(transcripts[0], ": trap ");
    imports += lines_starting(transcripts[0], "import ");
  }
  std::printf("%zu modules agree in %zu engines: %zu calls (%zu trapped), %zu import calls; "
              "%zu modules skipped for stack exhaustion\n",
              compared, engines.size(), calls, traps, imports, stack_exhausted);
  if (simd)
    std::printf("%zu of the %zu modules use SIMD; %zu v128 values compared (results, globals, "
                "import arguments)\n", simd_modules, compared, v128_values);
  // Skips must stay the exception, or the test would compare nothing.
  if (stack_exhausted * 10 > static_cast<size_t>(modules)) return 1;
  if (simd && simd_modules * 2 < compared) {
    std::printf("too few SIMD modules: the generator did not emit SIMD\n");
    return 1;
  }
  return 0;
}
