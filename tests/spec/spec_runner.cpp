// Runs the official WebAssembly spec test scripts, converted to JSON by wabt's wast2json
// (../shared/spec-tests/convert.sh), against Aperture and reports per-file and total
// counts of assertions passed / failed / skipped.
//
//   spec_runner SPEC_JSON_DIR SUBDIR [--engine NAME] [--expected-failures FILE]
//               [--only NAME[,NAME...]] [--only-containing TEXT[,TEXT...]]
//               [--no-multi-memory] [--no-extended-const] [--max-failures N] [-v]
//               [--write-artifacts DIR --target MACHINE] [--precompiled DIR]
//
// SUBDIR is `core` or a proposal directory (`threads`, `multi-memory`, `memory64`).
// `--only` runs the named scripts, which must all exist; `--only-containing` those whose
// name contains one of the texts (`simd_,relaxed`: the SIMD suites). Without either, the
// SIMD scripts are left to the SIMD suites (tests/spec/CMakeLists.txt) and not run.
// `--no-multi-memory` checks modules by the 2.0 rules, as the 2.0 core suite expects: one
// memory, and 2.0 constant expressions (no extended constants). `--no-extended-const`
// keeps multiple memories but 2.0 constant expressions: the multi-memory proposal's own
// suite is written against 2.0 (a data offset's global.get of a defined global is invalid).
// With an engine that does not run SIMD, modules it refuses and the commands that need
// them are skipped, not failed; assert_invalid / assert_malformed still count.
//
// Cross-compiled code (tests/aarch64/run.sh): `--write-artifacts DIR --target MACHINE`
// also compiles every module that validates for MACHINE (aperture compile --target) into
// DIR/SCRIPT/MODULE.cwasm while the scripts run here; `--precompiled DIR` (on MACHINE,
// with `--engine compiled`) loads those artifacts in place of compiling the modules. A
// module without an artifact is compiled as usual (an invalid one is refused as usual).
//
// Exit status: 0 when every failure is listed in the expected-failures file and every
// listed failure still fails (so the list stays honest); 1 otherwise; 2 on bad usage.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <optional>
#include <string>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace {

using aperture::Value;
using aperture::ValType;
using nlohmann::json;

constexpr size_t kMaxExpectedFailures = 10;

struct Counts {
  int passed = 0, failed = 0, skipped = 0;
  void add(const Counts& o) {
    passed += o.passed;
    failed += o.failed;
    skipped += o.skipped;
  }
};

struct Failure {
  std::string file;
  int line;
  std::string what;
  std::string key() const { return file + ":" + std::to_string(line); }
};

// Skipped assertions by reason, over all files.
using SkipReasons = std::map<std::string, int>;

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::optional<ValType> parse_type(const std::string& t) {
  if (t == "i32") return ValType::I32;
  if (t == "i64") return ValType::I64;
  if (t == "f32") return ValType::F32;
  if (t == "f64") return ValType::F64;
  if (t == "funcref") return ValType::FuncRef;
  if (t == "externref") return ValType::ExternRef;
  if (t == "v128") return ValType::V128;
  return std::nullopt;  // anything newer
}

// Bits per lane of a v128's "lane_type" (i8 ... f64).
unsigned lane_bits(const json& j) {
  std::string t = j.at("lane_type").get<std::string>();
  return static_cast<unsigned>(std::stoul(t.substr(1)));
}

// A v128 from its lanes (each an unsigned integer or float bit pattern in text);
// `lane_ok(i, text)` may claim lanes that are NaN patterns (they become zero).
template <typename LaneOk>
Value parse_v128(const json& j, LaneOk&& lane_ok) {
  unsigned bits = lane_bits(j);
  const json& lanes = j.at("value");
  uint64_t half[2] = {0, 0};
  for (size_t i = 0; i < lanes.size(); ++i) {
    std::string text = lanes[i].get<std::string>();
    if (lane_ok(i, text)) continue;
    uint64_t v = std::stoull(text);
    if (bits < 64) v &= (uint64_t{1} << bits) - 1;
    size_t bit = i * bits;
    half[bit / 64] |= v << (bit % 64);
  }
  return Value::v128(half[0], half[1]);
}

// A JSON argument / expected value (not a NaN pattern). nullopt: unsupported type.
std::optional<Value> parse_value(const json& j) {
  auto type = parse_type(j.at("type").get<std::string>());
  if (!type) return std::nullopt;
  if (*type == ValType::V128) return parse_v128(j, [](size_t, const std::string&) { return false; });
  std::string v = j.value("value", "");
  if (aperture::is_ref(*type)) {
    if (v == "null") return Value::null(*type);
    // A funcref argument is never a number in the 2.0 suite; only externrefs are.
    if (*type == ValType::FuncRef) return std::nullopt;
    return Value::extern_ref(std::stoull(v));
  }
  return Value{*type, std::stoull(v)};  // integers and float bit patterns, as unsigned text
}

bool nan_matches(const std::string& pattern, ValType t, uint64_t bits) {
  bool canonical = pattern == "nan:canonical";
  if (t == ValType::F32) {
    uint32_t b = static_cast<uint32_t>(bits) & 0x7FFFFFFFu;
    return canonical ? b == 0x7FC00000u : (b & 0x7FC00000u) == 0x7FC00000u;
  }
  if (t != ValType::F64) return false;
  uint64_t b = bits & 0x7FFFFFFFFFFFFFFFull;
  return canonical ? b == 0x7FF8000000000000ull
                   : (b & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
}

// Trap messages: ours must contain the spec's text (usually as a prefix).
bool message_matches(const std::string& got, const std::string& expected) {
  return got.find(expected) != std::string::npos;
}

std::string describe(const Value& v) {
  std::ostringstream s;
  s << v.to_string();
  if (v.type != ValType::V128) s << " (bits 0x" << std::hex << v.bits << ")";
  return s.str();
}

// The `spectest` host module the suite imports from (see shared/spec-tests/README.md).
void define_spectest(aperture::Store& store, aperture::Linker& linker, bool verbose) {
  using aperture::Extern;
  auto print = [&](const std::string& name, std::vector<ValType> params) {
    size_t n = params.size();
    auto cb = [name, n, verbose](aperture::HostContext&, const uint64_t* args, uint64_t*) {
      if (!verbose) return;  // the suite calls these thousands of times
      std::printf("    spectest.%s(", name.c_str());
      for (size_t i = 0; i < n; ++i) std::printf("%s0x%llx", i ? ", " : "", (unsigned long long)args[i]);
      std::printf(")\n");
    };
    linker.define("spectest", name,
                  Extern::func(store.create_host_function(aperture::FuncType{params, {}}, cb, name)));
  };
  print("print", {});
  print("print_i32", {ValType::I32});
  print("print_i64", {ValType::I64});
  print("print_f32", {ValType::F32});
  print("print_f64", {ValType::F64});
  print("print_i32_f32", {ValType::I32, ValType::F32});
  print("print_f64_f64", {ValType::F64, ValType::F64});

  auto global = [&](const std::string& name, Value v) {
    linker.define("spectest", name,
                  Extern::global(store.create_global(aperture::GlobalType{v.type, false}, v)));
  };
  global("global_i32", Value::i32(666));
  global("global_i64", Value::i64(666));
  global("global_f32", Value::f32(666.6f));
  global("global_f64", Value::f64(666.6));

  linker.define("spectest", "table",
                Extern::table(store.create_table(
                    aperture::TableType{ValType::FuncRef, aperture::Limits{10, 20}})));
  linker.define("spectest", "memory",
                Extern::memory(store.create_memory(aperture::MemoryType{aperture::Limits{1, 2}})));
  // `shared_memory` (threads) and `table64` (memory64) need engine features that may be
  // missing; without them the modules importing these fail to link, which is reported.
  try {
    aperture::MemoryType shared{aperture::Limits{1, 2, true}};
    linker.define("spectest", "shared_memory", Extern::memory(store.create_memory(shared)));
  } catch (const aperture::Error&) {
  }
  linker.define("spectest", "table64",
                Extern::table(store.create_table(aperture::TableType{
                    ValType::FuncRef, aperture::Limits{10, 20, false, /*is64=*/true}})));
}

// Where cross-compiled artifacts are written or read (empty: neither).
struct ArtifactDirs {
  std::string write_dir, target, read_dir;
};

// Runs one converted script in its own Store (each memory reserves 8 GiB of address
// space, so nothing may outlive the file).
class FileRunner {
 public:
  FileRunner(std::string dir, std::string name, aperture::EngineConfig engine, bool verbose,
             const ArtifactDirs& artifacts)
      : dir_(std::move(dir)), name_(std::move(name)), engine_(engine), verbose_(verbose),
        artifacts_(artifacts) {
    define_spectest(store_, linker_, verbose_);
  }

  Counts run(std::vector<Failure>& failures, SkipReasons& skips) {
    std::ifstream in(dir_ + "/" + name_ + ".json");
    json doc = json::parse(in);
    for (const json& cmd : doc.at("commands")) {
      std::string why;
      switch (command(cmd, &why)) {
        case Outcome::Pass: ++counts_.passed; break;
        case Outcome::Skip:
          ++counts_.skipped;
          ++skips[why];
          break;
        case Outcome::Fail:
          ++counts_.failed;
          failures.push_back({name_, cmd.value("line", 0), cmd.at("type").get<std::string>() + ": " + why});
          break;
        case Outcome::NotCounted: break;
      }
    }
    return counts_;
  }

 private:
  enum class Outcome { Pass, Fail, Skip, NotCounted };

  Outcome command(const json& cmd, std::string* why) {
    const std::string type = cmd.at("type");
    if (type == "module") return load_module(cmd, why);
    if (type == "register") return register_module(cmd, why);
    if (type == "action") return action_only(cmd, why);
    if (type == "assert_return") return assert_return(cmd, why);
    if (type == "assert_trap" || type == "assert_exhaustion") return assert_trap(cmd, why);
    if (type == "assert_invalid" || type == "assert_malformed") return assert_rejected(cmd, why);
    if (type == "assert_unlinkable") return assert_unlinkable(cmd, why);
    if (type == "assert_uninstantiable") return assert_uninstantiable(cmd, why);
    *why = "unknown command type " + type;
    return Outcome::Skip;
  }

  std::shared_ptr<const aperture::CompiledModule> compile_file(const json& cmd) {
    const std::string filename = cmd.at("filename").get<std::string>();
    std::vector<uint8_t> bytes = read_bytes(dir_ + "/" + filename);
    if (!artifacts_.read_dir.empty()) {
      std::string path = artifacts_.read_dir + "/" + name_ + "/" + filename + ".cwasm";
      if (access(path.c_str(), R_OK) == 0) return aperture::load_artifact(read_bytes(path));
    }
    if (!artifacts_.write_dir.empty()) {
      aperture::EngineConfig config = engine_;
      config.kind = aperture::EngineKind::Compiled;
      config.target = artifacts_.target;
      std::vector<uint8_t> artifact;
      try {
        artifact = aperture::compile_to_artifact(bytes, config);
      } catch (const aperture::DecodeError&) {
      } catch (const aperture::ValidationError&) {  // the assertion below says whether it should
      }
      if (!artifact.empty()) {
        std::string dir = artifacts_.write_dir + "/" + name_;
        mkdir(artifacts_.write_dir.c_str(), 0755);
        mkdir(dir.c_str(), 0755);
        std::ofstream(dir + "/" + filename + ".cwasm", std::ios::binary)
            .write(reinterpret_cast<const char*>(artifact.data()), static_cast<std::streamsize>(artifact.size()));
      }
    }
    return aperture::compile(bytes, engine_);
  }

  // Not an assertion, but a module that fails to load makes the following ones fail,
  // so it is reported (and counted) as a failure.
  Outcome load_module(const json& cmd, std::string* why) {
    current_ = nullptr;
    try {
      // `(module definition ...)`: decode, validate and compile, do not instantiate (a
      // memory64 test declares 2^48 pages that no host could commit).
      if (cmd.value("definition", "") == "true") {
        compile_file(cmd);
        return Outcome::NotCounted;
      }
      aperture::Instance& inst = store_.instantiate(compile_file(cmd), linker_);
      current_ = &inst;
      if (cmd.contains("name")) named_[cmd.at("name")] = &inst;
      return Outcome::NotCounted;
    } catch (const aperture::UnsupportedFeatureError& e) {
      if (!e.by_engine()) throw;
      refused_ = true;  // what needs this module is skipped too
      *why = std::string("module refused by the engine: ") + e.detail();
      return Outcome::Skip;
    } catch (const std::exception& e) {
      *why = std::string("module failed to load: ") + e.what();
      return Outcome::Fail;
    }
  }

  Outcome register_module(const json& cmd, std::string* why) {
    aperture::Instance* inst = find_instance(cmd);
    if (!inst && refused_) return Outcome::NotCounted;
    if (!inst) {
      *why = "no module to register";
      return Outcome::Fail;
    }
    linker_.define_instance(cmd.at("as"), *inst);
    return Outcome::NotCounted;
  }

  // `module` names an earlier named module (actions); `name` does so in `register`.
  aperture::Instance* find_instance(const json& j) {
    for (const char* key : {"module", "name"}) {
      if (!j.contains(key)) continue;
      auto it = named_.find(j.at(key));
      return it == named_.end() ? nullptr : it->second;
    }
    return current_;
  }

  enum class Performed { Done, Unsupported, Impossible };

  // Performs an action. Traps and engine errors propagate as exceptions.
  Performed perform(const json& action, std::vector<Value>* results, std::string* why) {
    aperture::Instance* inst = find_instance(action);
    if (!inst) {
      *why = refused_ ? "module refused by the engine" : "no current module";
      return refused_ ? Performed::Unsupported : Performed::Impossible;
    }
    const std::string field = action.at("field");
    if (action.at("type") == "get") {
      const aperture::Extern* e = inst->find_export(field);
      if (!e || !e->as_global()) {
        *why = "no global export " + field;
        return Performed::Impossible;
      }
      results->push_back(e->as_global()->get());
      return Performed::Done;
    }
    std::vector<Value> args;
    for (const json& a : action.at("args")) {
      auto v = parse_value(a);
      if (!v) {
        *why = "unsupported argument type " + a.at("type").get<std::string>();
        return Performed::Unsupported;
      }
      args.push_back(*v);
    }
    *results = inst->call(field, args);
    return Performed::Done;
  }

  static Outcome not_done(Performed p) {
    return p == Performed::Unsupported ? Outcome::Skip : Outcome::Fail;
  }

  Outcome action_only(const json& cmd, std::string* why) {
    std::vector<Value> results;
    try {
      Performed p = perform(cmd.at("action"), &results, why);
      return p == Performed::Done ? Outcome::NotCounted : not_done(p);
    } catch (const std::exception& e) {
      *why = e.what();
      return Outcome::Fail;
    }
  }

  // Exact bit equality except for NaN patterns; non-null funcrefs match any function.
  static bool value_matches(const json& expected, const Value& got, bool* unsupported) {
    auto type = parse_type(expected.at("type").get<std::string>());
    if (!type) {
      *unsupported = true;
      return false;
    }
    if (got.type != *type) return false;
    if (*type == ValType::V128) return v128_matches(expected, got);
    std::string v = expected.value("value", "");
    if (v.rfind("nan:", 0) == 0) return nan_matches(v, *type, got.bits);
    if (*type == ValType::FuncRef && v != "null") return !got.is_null();
    auto want = parse_value(expected);
    return want && want->bits == got.bits;
  }

  // Lane by lane: exact bits, or a NaN pattern for a float lane.
  static bool v128_matches(const json& expected, const Value& got) {
    unsigned bits = lane_bits(expected);
    bool nan_lanes_ok = true;
    Value want = parse_v128(expected, [&](size_t i, const std::string& text) {
      if (text.rfind("nan:", 0) != 0) return false;
      size_t bit = i * bits;
      uint64_t half = bit < 64 ? got.bits : got.high;
      uint64_t lane = bits == 64 ? half : (half >> (bit % 64)) & ((uint64_t{1} << bits) - 1);
      nan_lanes_ok &= nan_matches(text, bits == 32 ? ValType::F32 : ValType::F64, lane);
      return true;
    });
    if (!nan_lanes_ok) return false;
    // NaN lanes are zero in `want`: compare the other lanes only.
    uint64_t mask[2] = {~uint64_t{0}, ~uint64_t{0}};
    const json& lanes = expected.at("value");
    for (size_t i = 0; i < lanes.size(); ++i) {
      if (lanes[i].get<std::string>().rfind("nan:", 0) != 0) continue;
      size_t bit = i * bits;
      uint64_t lane_mask = bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1) << (bit % 64);
      mask[bit / 64] &= ~lane_mask;
    }
    return (want.bits & mask[0]) == (got.bits & mask[0]) && (want.high & mask[1]) == (got.high & mask[1]);
  }

  Outcome assert_return(const json& cmd, std::string* why) {
    std::vector<Value> results;
    try {
      Performed p = perform(cmd.at("action"), &results, why);
      if (p != Performed::Done) return not_done(p);
    } catch (const std::exception& e) {
      *why = std::string("unexpected trap/error: ") + e.what();
      return Outcome::Fail;
    }
    if (cmd.contains("either")) {  // relaxed SIMD: any one of the listed results
      bool unsupported = false;
      for (const json& alternative : cmd.at("either"))
        if (results.size() == 1 && value_matches(alternative, results[0], &unsupported))
          return Outcome::Pass;
      *why = "result matches none of the " + std::to_string(cmd.at("either").size()) +
             " alternatives: got " + (results.empty() ? "nothing" : describe(results[0]));
      return Outcome::Fail;
    }
    const json& expected = cmd.at("expected");
    if (expected.size() != results.size()) {
      *why = "expected " + std::to_string(expected.size()) + " results, got " +
             std::to_string(results.size());
      return Outcome::Fail;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      bool unsupported = false;
      if (value_matches(expected[i], results[i], &unsupported)) continue;
      if (unsupported) {
        *why = "unsupported result type " + expected[i].at("type").get<std::string>();
        return Outcome::Skip;
      }
      *why = "result " + std::to_string(i) + ": expected " + expected[i].dump() + ", got " +
             describe(results[i]);
      return Outcome::Fail;
    }
    return Outcome::Pass;
  }

  // assert_trap on an invoke, and assert_exhaustion ("call stack exhausted").
  Outcome assert_trap(const json& cmd, std::string* why) {
    // Some wast2json versions write `(assert_trap (module ...) "msg")` as assert_trap
    // with a module file instead of assert_uninstantiable.
    if (!cmd.contains("action") && cmd.contains("filename")) return assert_uninstantiable(cmd, why);
    std::vector<Value> results;
    std::optional<Outcome> early;
    std::string not_performed;
    Outcome o = expect_trap(cmd.value("text", ""), why, "no trap", [&] {
      Performed p = perform(cmd.at("action"), &results, &not_performed);
      if (p != Performed::Done) early = not_done(p);
    });
    if (early) *why = not_performed;
    return early ? *early : o;
  }

  // Runs `attempt`; passes when it traps with the expected message.
  template <typename Attempt>
  Outcome expect_trap(const std::string& expected, std::string* why, const char* no_trap,
                      Attempt&& attempt) {
    try {
      attempt();
    } catch (const aperture::Trap& t) {
      if (message_matches(t.what(), expected)) return Outcome::Pass;
      *why = std::string("trap '") + t.what() + "', expected '" + expected + "'";
      return Outcome::Fail;
    } catch (const std::exception& e) {
      *why = std::string("expected a trap, got: ") + e.what();
      return Outcome::Fail;
    }
    *why = std::string(no_trap) + ", expected '" + expected + "'";
    return Outcome::Fail;
  }

  // Any decode or validation error counts; the message is shown with -v only, since
  // engines word these differently.
  Outcome assert_rejected(const json& cmd, std::string* why) {
    if (cmd.value("module_type", "binary") != "binary") {
      *why = "text-format module (binary modules only)";
      return Outcome::Skip;
    }
    const std::string expected = cmd.value("text", "");
    try {
      compile_file(cmd);
    } catch (const aperture::UnsupportedFeatureError& e) {
      if (!e.by_engine()) return rejected(cmd, e.what());
      *why = std::string("module valid (refused by the engine only), expected '") + expected + "'";
      return Outcome::Fail;
    } catch (const aperture::DecodeError& e) {
      return rejected(cmd, e.what());
    } catch (const aperture::ValidationError& e) {
      return rejected(cmd, e.what());
    } catch (const std::exception& e) {
      *why = std::string("unexpected error kind: ") + e.what();
      return Outcome::Fail;
    }
    *why = "module accepted, expected '" + expected + "'";
    return Outcome::Fail;
  }

  Outcome rejected(const json& cmd, const char* message) {
    if (verbose_)
      std::printf("    %s:%d rejected: %s (expected '%s')\n", name_.c_str(), cmd.value("line", 0),
                  message, cmd.value("text", "").c_str());
    return Outcome::Pass;
  }

  Outcome assert_unlinkable(const json& cmd, std::string* why) {
    try {
      store_.instantiate(compile_file(cmd), linker_);
    } catch (const aperture::UnsupportedFeatureError& e) {
      if (!e.by_engine()) throw;
      *why = std::string("module refused by the engine: ") + e.detail();
      return Outcome::Skip;
    } catch (const aperture::LinkError& e) {
      if (verbose_)
        std::printf("    %s:%d unlinkable: %s\n", name_.c_str(), cmd.value("line", 0), e.what());
      return Outcome::Pass;
    } catch (const std::exception& e) {
      *why = std::string("expected a link error, got: ") + e.what();
      return Outcome::Fail;
    }
    *why = "instantiation succeeded, expected '" + cmd.value("text", "") + "'";
    return Outcome::Fail;
  }

  // A trap during instantiation (segment out of bounds, start function trapped).
  Outcome assert_uninstantiable(const json& cmd, std::string* why) {
    try {
      compile_file(cmd);
    } catch (const aperture::UnsupportedFeatureError& e) {
      if (!e.by_engine()) throw;
      *why = std::string("module refused by the engine: ") + e.detail();
      return Outcome::Skip;
    } catch (const std::exception&) {
    }
    return expect_trap(cmd.value("text", ""), why, "instantiation succeeded",
                       [&] { store_.instantiate(compile_file(cmd), linker_); });
  }

  std::string dir_, name_;
  aperture::EngineConfig engine_;
  bool verbose_;
  ArtifactDirs artifacts_;
  aperture::Store store_;
  aperture::Linker linker_;
  aperture::Instance* current_ = nullptr;
  std::map<std::string, aperture::Instance*> named_;
  bool refused_ = false;  // the engine refused a module of this script (no SIMD)
  Counts counts_;
};

std::vector<std::string> converted_scripts(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = opendir(path.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream probe(path + "/" + e->d_name + "/" + e->d_name + ".json");
    if (probe) out.push_back(e->d_name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// Scripts of `subdir` that convert.sh could not convert (conversion.tsv: dir name status flags).
std::vector<std::string> unconverted_scripts(const std::string& root, const std::string& subdir) {
  std::vector<std::string> out;
  std::ifstream in(root + "/conversion.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string dir, name, status;
    if (std::getline(fields, dir, '\t') && std::getline(fields, name, '\t') &&
        std::getline(fields, status, '\t') && dir == subdir && status != "ok")
      out.push_back(name + " (" + status + ")");
  }
  return out;
}

// "file:line reason" per line; '#' starts a comment. Returns false (with a message on
// stderr) when the file breaks the rules: at most 10 entries, each with a reason.
bool read_expected_failures(const std::string& path, std::map<std::string, std::string>* out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "spec_runner: cannot read " << path << "\n";
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find(' ');
    std::string key = line.substr(0, space);
    std::string reason = space == std::string::npos ? "" : line.substr(space + 1);
    if (key.find(':') == std::string::npos || reason.find_first_not_of(' ') == std::string::npos) {
      std::cerr << path << ":" << n << ": expected 'file:line reason'\n";
      return false;
    }
    (*out)[key] = reason;
  }
  if (out->size() > kMaxExpectedFailures) {
    std::cerr << path << ": " << out->size() << " entries; at most " << kMaxExpectedFailures
              << " known failures may be listed\n";
    return false;
  }
  return true;
}

struct Options {
  std::string root, subdir, expected_path, engine;
  std::set<std::string> only;
  std::set<std::string> only_containing;
  bool multi_memory = true;
  bool extended_const = true;
  size_t max_failures = 50;
  bool verbose = false;
  ArtifactDirs artifacts;
};

// "a,b,c" -> {a, b, c}
std::set<std::string> split_names(const std::string& list) {
  std::set<std::string> names;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');)
    if (!name.empty()) names.insert(name);
  return names;
}

bool parse_args(int argc, char** argv, Options* o) {
  if (argc < 3) return false;
  o->root = argv[1];
  o->subdir = argv[2];
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--expected-failures" && has_value) o->expected_path = argv[++i];
    else if (a == "--engine" && has_value) o->engine = argv[++i];
    else if (a == "--only" && has_value) o->only = split_names(argv[++i]);
    else if (a == "--only-containing" && has_value) o->only_containing = split_names(argv[++i]);
    else if (a == "--no-multi-memory") o->multi_memory = false;
    else if (a == "--no-extended-const") o->extended_const = false;
    else if (a == "--max-failures" && has_value) o->max_failures = std::stoul(argv[++i]);
    else if (a == "-v") o->verbose = true;
    else if (a == "--write-artifacts" && has_value) o->artifacts.write_dir = argv[++i];
    else if (a == "--target" && has_value) o->artifacts.target = argv[++i];
    else if (a == "--precompiled" && has_value) o->artifacts.read_dir = argv[++i];
    else return false;
  }
  // Artifacts are written for a named target only (code for this CPU is what --engine
  // compiled runs anyway).
  return o->artifacts.write_dir.empty() == o->artifacts.target.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse_args(argc, argv, &opt)) {
    std::cerr << "usage: spec_runner SPEC_JSON_DIR SUBDIR [--engine NAME] "
                 "[--expected-failures FILE] [--only NAME[,NAME...]] "
                 "[--only-containing TEXT[,TEXT...]] [--no-multi-memory] [--no-extended-const] "
                 "[--max-failures N] [-v] [--write-artifacts DIR --target MACHINE] "
                 "[--precompiled DIR]\n";
    return 2;
  }
  std::map<std::string, std::string> expected;
  if (!opt.expected_path.empty() && !read_expected_failures(opt.expected_path, &expected)) return 2;
  if (!opt.engine.empty() && !aperture::engine_from_name(opt.engine)) {
    std::cerr << "spec_runner: unknown engine '" << opt.engine << "'\n";
    return 2;
  }
  aperture::EngineConfig engine = aperture::testing_support::engine_config_named(opt.engine);
  engine.features.multi_memory = opt.multi_memory;
  engine.features.extended_const = opt.multi_memory && opt.extended_const;
  std::string dir = opt.root + "/" + opt.subdir;
  std::vector<std::string> files = converted_scripts(dir);
  if (files.empty()) {
    std::cerr << "spec_runner: no converted scripts in " << dir << "\n";
    return 2;
  }
  for (const std::string& name : opt.only) {  // a misspelt name must not pass as "nothing failed"
    if (std::find(files.begin(), files.end(), name) != files.end()) continue;
    std::cerr << "spec_runner: --only names '" << name << "', which is not a converted script in " << dir << "\n";
    return 2;
  }

  Counts total;
  std::vector<Failure> failures;
  SkipReasons skips;
  std::vector<std::string> left_to_simd_suites;
  auto contains_any = [&](const std::string& name) {
    for (const std::string& text : opt.only_containing)
      if (name.find(text) != std::string::npos) return true;
    return false;
  };
  const bool all = opt.only.empty() && opt.only_containing.empty();
  for (const std::string& name : files) {
    if (!opt.only.empty() && !opt.only.count(name)) continue;
    if (!opt.only_containing.empty() && !contains_any(name)) continue;
    if (all && (name.rfind("simd_", 0) == 0 || name.find("relaxed") != std::string::npos)) {
      left_to_simd_suites.push_back(name);
      continue;
    }
    Counts c;
    try {
      c = FileRunner(dir + "/" + name, name, engine, opt.verbose, opt.artifacts).run(failures, skips);
    } catch (const std::exception& e) {
      failures.push_back({name, 0, std::string("runner error: ") + e.what()});
      c.failed++;
    }
    std::printf("%-34s passed %6d  failed %4d  skipped %4d\n", (opt.subdir + "/" + name).c_str(),
                c.passed, c.failed, c.skipped);
    total.add(c);
  }

  int unexpected = 0;
  size_t printed = 0;
  std::set<std::string> failed_keys;
  for (const Failure& f : failures) {
    failed_keys.insert(f.key());
    bool listed = expected.count(f.key()) > 0;
    if (!listed) ++unexpected;
    if ((listed && !opt.verbose) || printed >= opt.max_failures) continue;
    ++printed;
    std::printf("%s %s/%s: %s\n", listed ? "EXPECTED FAILURE" : "FAIL", opt.subdir.c_str(),
                f.key().c_str(), f.what.c_str());
  }
  if (unexpected > static_cast<int>(printed))
    std::printf("... %d more unexpected failures not shown (--max-failures)\n",
                unexpected - static_cast<int>(printed));

  int stale = 0;
  for (const auto& [key, reason] : expected) {
    std::string file = key.substr(0, key.find(':'));
    if (!opt.only.empty() && !opt.only.count(file)) continue;
    if (failed_keys.count(key)) continue;
    std::printf("UNEXPECTED PASS %s (listed as expected failure: %s)\n", key.c_str(), reason.c_str());
    ++stale;
  }

  for (const auto& [reason, n] : skips) std::printf("skipped %d: %s\n", n, reason.c_str());
  if (!left_to_simd_suites.empty())
    std::printf("SIMD scripts, run by the spec_simd suites (--only-containing simd_,relaxed): "
                "%zu files\n", left_to_simd_suites.size());
  std::vector<std::string> unconverted = unconverted_scripts(opt.root, opt.subdir);
  if (!unconverted.empty() && opt.only.empty()) {
    std::printf("not converted by wast2json, not run: %zu files:", unconverted.size());
    for (const auto& u : unconverted) std::printf(" %s", u.c_str());
    std::printf("\n");
  }
  std::printf("spec %s total (engine %s): passed %d, failed %d (%d expected, %d unexpected), "
              "skipped %d, unexpected passes %d\n",
              opt.subdir.c_str(), aperture::engine_name(engine.kind), total.passed, total.failed, total.failed - unexpected, unexpected,
              total.skipped, stale);
  return (unexpected == 0 && stale == 0) ? 0 : 1;
}
