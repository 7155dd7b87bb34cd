// Runs the official WebAssembly spec test scripts, converted to JSON by wabt's wast2json
// (../shared/spec-tests/convert.sh), against Aperture and reports per-file and total
// counts of assertions passed / failed / skipped.
//
//   spec_runner SPEC_JSON_DIR SUBDIR [--expected-failures FILE] [--only NAME] [-v]
//
// Exit status 0 only when every failure is listed in the expected-failures file and
// every listed failure still fails (so the list stays honest).
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "aperture/memory.h"
#include "aperture/runtime.h"

namespace {

using aperture::Value;
using aperture::ValType;
using nlohmann::json;

struct Counts {
  int passed = 0, failed = 0, skipped = 0;
};

struct Failure {
  std::string file;
  int line;
  std::string what;
};

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::optional<ValType> parse_type(const std::string& t) {
  if (t == "i32") return ValType::I32;
  if (t == "i64") return ValType::I64;
  if (t == "f32") return ValType::F32;
  if (t == "f64") return ValType::F64;
  if (t == "funcref") return ValType::FuncRef;
  if (t == "externref") return ValType::ExternRef;
  return std::nullopt;  // v128 and anything newer
}

// A JSON argument/expected value. Returns nullopt when the type is unsupported.
std::optional<Value> parse_value(const json& j) {
  auto type = parse_type(j.at("type").get<std::string>());
  if (!type) return std::nullopt;
  std::string v = j.at("value").get<std::string>();
  if (*type == ValType::FuncRef || *type == ValType::ExternRef) {
    if (v == "null") return Value::null(*type);
    return *type == ValType::ExternRef ? Value::extern_ref(std::stoull(v))
                                       : Value{ValType::FuncRef, std::stoull(v) + 1};
  }
  return Value{*type, std::stoull(v)};
}

class SpecHost {
 public:
  explicit SpecHost(aperture::Store& store) {
    using aperture::Extern;
    using aperture::FuncType;
    auto print = [&](const std::string& name, std::vector<ValType> params) {
      linker_.define("spectest", name,
                     Extern::func(store.create_host_function(
                         FuncType{params, {}}, [](aperture::HostContext&, const uint64_t*, uint64_t*) {},
                         name)));
    };
    print("print", {});
    print("print_i32", {ValType::I32});
    print("print_i64", {ValType::I64});
    print("print_f32", {ValType::F32});
    print("print_f64", {ValType::F64});
    print("print_i32_f32", {ValType::I32, ValType::F32});
    print("print_f64_f64", {ValType::F64, ValType::F64});
    auto global = [&](const std::string& name, Value v) {
      linker_.define("spectest", name,
                     Extern::global(store.create_global(aperture::GlobalType{v.type, false}, v)));
    };
    global("global_i32", Value::i32(666));
    global("global_i64", Value::i64(666));
    global("global_f32", Value::f32(666.6f));
    global("global_f64", Value::f64(666.6));
    linker_.define("spectest", "table",
                   Extern::table(store.create_table(
                       aperture::TableType{ValType::FuncRef, aperture::Limits{10, 20}})));
    linker_.define("spectest", "memory",
                   Extern::memory(store.create_memory(aperture::MemoryType{aperture::Limits{1, 2}})));
  }
  aperture::Linker& linker() { return linker_; }

 private:
  aperture::Linker linker_;
};

class FileRunner {
 public:
  FileRunner(std::string dir, std::string name, bool verbose)
      : dir_(std::move(dir)), name_(std::move(name)), verbose_(verbose), host_(store_) {}

  Counts run(std::vector<Failure>& failures) {
    std::ifstream in(dir_ + "/" + name_ + ".json");
    json doc = json::parse(in);
    for (const json& cmd : doc.at("commands")) {
      int line = cmd.value("line", 0);
      std::string failure;
      Outcome o = command(cmd, &failure);
      switch (o) {
        case Outcome::Pass: ++counts_.passed; break;
        case Outcome::Skip: ++counts_.skipped; break;
        case Outcome::Fail:
          ++counts_.failed;
          failures.push_back({name_, line, cmd.at("type").get<std::string>() + ": " + failure});
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
    if (type == "module") return module(cmd, why);
    if (type == "register") {
      aperture::Instance* inst = find_instance(cmd);
      if (!inst) { *why = "no module to register"; return Outcome::Fail; }
      host_.linker().define_instance(cmd.at("as"), *inst);
      return Outcome::NotCounted;
    }
    if (type == "action") return action_only(cmd, why);
    if (type == "assert_return") return assert_return(cmd, why);
    if (type == "assert_trap" || type == "assert_exhaustion") return assert_trap(cmd, why);
    if (type == "assert_invalid" || type == "assert_malformed") return assert_rejected(cmd, why);
    if (type == "assert_unlinkable" || type == "assert_uninstantiable")
      return assert_instantiation_fails(cmd, why);
    *why = "unknown command type";
    return Outcome::Skip;
  }

  Outcome module(const json& cmd, std::string* why) {
    try {
      auto compiled = aperture::compile(read_file(dir_ + "/" + cmd.at("filename").get<std::string>()));
      aperture::Instance& inst = store_.instantiate(compiled, host_.linker());
      current_ = &inst;
      if (cmd.contains("name")) named_[cmd.at("name")] = &inst;
      return Outcome::NotCounted;
    } catch (const std::exception& e) {
      *why = std::string("module failed to load: ") + e.what();
      current_ = nullptr;
      return Outcome::Fail;
    }
  }

  aperture::Instance* find_instance(const json& j) {
    if (j.contains("module")) {
      auto it = named_.find(j.at("module"));
      return it == named_.end() ? nullptr : it->second;
    }
    if (j.contains("name")) {
      auto it = named_.find(j.at("name"));
      return it == named_.end() ? nullptr : it->second;
    }
    return current_;
  }

  // Performs an action; returns false (with *why) when it could not be attempted.
  bool perform(const json& action, std::vector<Value>* results, std::string* why, bool* unsupported) {
    aperture::Instance* inst = find_instance(action);
    if (!inst) { *why = "no current module"; return false; }
    const std::string field = action.at("field");
    if (action.at("type") == "get") {
      const aperture::Extern* e = inst->find_export(field);
      if (!e || !e->as_global()) { *why = "no global export " + field; return false; }
      results->push_back(e->as_global()->get());
      return true;
    }
    std::vector<Value> args;
    for (const json& a : action.at("args")) {
      auto v = parse_value(a);
      if (!v) { *unsupported = true; return false; }
      args.push_back(*v);
    }
    *results = inst->call(field, args);  // may throw Trap
    return true;
  }

  Outcome action_only(const json& cmd, std::string* why) {
    std::vector<Value> results;
    bool unsupported = false;
    try {
      if (!perform(cmd.at("action"), &results, why, &unsupported))
        return unsupported ? Outcome::Skip : Outcome::Fail;
    } catch (const std::exception& e) {
      *why = e.what();
      return Outcome::Fail;
    }
    return Outcome::NotCounted;
  }

  static bool nan_matches(const std::string& pattern, ValType t, uint64_t bits) {
    bool canonical = pattern == "nan:canonical";
    if (t == ValType::F32) {
      uint32_t b = static_cast<uint32_t>(bits) & 0x7FFFFFFF;
      return canonical ? b == 0x7FC00000 : (b & 0x7FC00000) == 0x7FC00000;
    }
    uint64_t b = bits & 0x7FFFFFFFFFFFFFFFull;
    return canonical ? b == 0x7FF8000000000000ull
                     : (b & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
  }

  static bool value_matches(const json& expected, const Value& got, bool* unsupported) {
    auto type = parse_type(expected.at("type").get<std::string>());
    if (!type) { *unsupported = true; return false; }
    if (got.type != *type) return false;
    std::string v = expected.value("value", "");
    if (v.rfind("nan:", 0) == 0) return nan_matches(v, *type, got.bits);
    if (*type == ValType::FuncRef && v != "null") return !got.is_null();
    auto want = parse_value(expected);
    return want && want->bits == got.bits;
  }

  Outcome assert_return(const json& cmd, std::string* why) {
    std::vector<Value> results;
    bool unsupported = false;
    try {
      if (!perform(cmd.at("action"), &results, why, &unsupported))
        return unsupported ? Outcome::Skip : Outcome::Fail;
    } catch (const std::exception& e) {
      *why = std::string("unexpected trap/error: ") + e.what();
      return Outcome::Fail;
    }
    const json& expected = cmd.at("expected");
    if (expected.size() != results.size()) {
      *why = "expected " + std::to_string(expected.size()) + " results, got " +
             std::to_string(results.size());
      return Outcome::Fail;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (value_matches(expected[i], results[i], &unsupported)) continue;
      if (unsupported) return Outcome::Skip;
      *why = "result " + std::to_string(i) + ": expected " + expected[i].dump() + ", got " +
             results[i].to_string() + " (bits " + std::to_string(results[i].bits) + ")";
      return Outcome::Fail;
    }
    return Outcome::Pass;
  }

  static bool message_matches(const std::string& got, const std::string& expected) {
    size_t n = std::min(got.size(), expected.size());
    return n > 0 && got.compare(0, n, expected, 0, n) == 0;
  }

  Outcome assert_trap(const json& cmd, std::string* why) {
    std::vector<Value> results;
    bool unsupported = false;
    const std::string expected = cmd.value("text", "");
    try {
      if (!perform(cmd.at("action"), &results, why, &unsupported))
        return unsupported ? Outcome::Skip : Outcome::Fail;
    } catch (const aperture::Trap& t) {
      if (message_matches(t.what(), expected)) return Outcome::Pass;
      *why = std::string("trap message '") + t.what() + "', expected '" + expected + "'";
      return Outcome::Fail;
    } catch (const std::exception& e) {
      *why = std::string("error instead of trap: ") + e.what();
      return Outcome::Fail;
    }
    *why = "no trap, expected '" + expected + "'";
    return Outcome::Fail;
  }

  Outcome assert_rejected(const json& cmd, std::string* why) {
    if (cmd.value("module_type", "binary") != "binary") return Outcome::Skip;
    try {
      aperture::compile(read_file(dir_ + "/" + cmd.at("filename").get<std::string>()));
    } catch (const aperture::DecodeError& e) {
      if (verbose_) std::cout << "    " << name_ << ":" << cmd.value("line", 0) << " rejected (" << e.what() << "), expected '" << cmd.value("text", "") << "'\n";
      return Outcome::Pass;
    } catch (const aperture::ValidationError& e) {
      if (verbose_) std::cout << "    " << name_ << ":" << cmd.value("line", 0) << " rejected (" << e.what() << "), expected '" << cmd.value("text", "") << "'\n";
      return Outcome::Pass;
    } catch (const std::exception& e) {
      *why = std::string("unexpected error kind: ") + e.what();
      return Outcome::Fail;
    }
    *why = "module accepted, expected '" + cmd.value("text", "") + "'";
    return Outcome::Fail;
  }

  Outcome assert_instantiation_fails(const json& cmd, std::string* why) {
    const std::string expected = cmd.value("text", "");
    try {
      auto compiled = aperture::compile(read_file(dir_ + "/" + cmd.at("filename").get<std::string>()));
      store_.instantiate(compiled, host_.linker());
    } catch (const aperture::LinkError& e) {
      if (cmd.at("type") == "assert_unlinkable") return Outcome::Pass;
      *why = std::string("link error instead of trap: ") + e.what();
      return Outcome::Fail;
    } catch (const aperture::Trap& t) {
      if (cmd.at("type") == "assert_uninstantiable" && message_matches(t.what(), expected))
        return Outcome::Pass;
      *why = std::string("trap '") + t.what() + "', expected '" + expected + "'";
      return Outcome::Fail;
    } catch (const std::exception& e) {
      *why = std::string("unexpected error: ") + e.what();
      return Outcome::Fail;
    }
    *why = "instantiation succeeded, expected '" + expected + "'";
    return Outcome::Fail;
  }

  std::string dir_, name_;
  bool verbose_;
  aperture::Store store_;
  SpecHost host_;
  aperture::Instance* current_ = nullptr;
  std::map<std::string, aperture::Instance*> named_;
  Counts counts_;
};

std::vector<std::string> list_dirs(const std::string& path) {
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

// "file:line reason" per line; '#' starts a comment.
std::map<std::string, std::string> read_expected_failures(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find(' ');
    out[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: spec_runner SPEC_JSON_DIR SUBDIR [--expected-failures FILE] [--only NAME] [-v]\n";
    return 2;
  }
  std::string root = argv[1], subdir = argv[2], expected_path, only;
  bool verbose = false;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--expected-failures" && i + 1 < argc) expected_path = argv[++i];
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "-v") verbose = true;
  }
  auto expected = expected_path.empty() ? std::map<std::string, std::string>{}
                                        : read_expected_failures(expected_path);
  std::string dir = root + "/" + subdir;
  std::vector<std::string> files = list_dirs(dir);
  if (files.empty()) {
    std::cerr << "spec_runner: no converted scripts in " << dir << "\n";
    return 2;
  }
  Counts total;
  std::vector<Failure> failures;
  std::vector<std::string> unsupported;
  for (const std::string& name : files) {
    if (!only.empty() && name != only) continue;
    if (name.rfind("simd_", 0) == 0) {
      unsupported.push_back(name);
      continue;
    }
    Counts c;
    try {
      c = FileRunner(dir + "/" + name, name, verbose).run(failures);
    } catch (const std::exception& e) {
      failures.push_back({name, 0, std::string("runner error: ") + e.what()});
      c.failed++;
    }
    std::printf("%-28s passed %6d  failed %4d  skipped %4d\n", (subdir + "/" + name).c_str(),
                c.passed, c.failed, c.skipped);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  int unexpected = 0;
  std::set<std::string> seen;
  for (const Failure& f : failures) {
    std::string key = f.file + ":" + std::to_string(f.line);
    seen.insert(key);
    bool listed = expected.count(key);
    if (!listed) ++unexpected;
    if (!listed || verbose)
      std::printf("%s %s: %s\n", listed ? "EXPECTED FAILURE" : "FAIL", key.c_str(), f.what.c_str());
  }
  int stale = 0;
  for (const auto& [key, reason] : expected) {
    std::string file = key.substr(0, key.find(':'));
    if (!only.empty() && file != only) continue;
    if (!seen.count(key)) {
      std::printf("UNEXPECTED PASS %s (listed as expected failure: %s)\n", key.c_str(), reason.c_str());
      ++stale;
    }
  }
  if (!unsupported.empty()) {
    std::printf("unsupported (SIMD, not run, not counted): %zu files:", unsupported.size());
    for (const auto& u : unsupported) std::printf(" %s", u.c_str());
    std::printf("\n");
  }
  std::printf("spec %s total: passed %d, failed %d (expected %d), skipped %d\n", subdir.c_str(),
              total.passed, total.failed, total.failed - unexpected, total.skipped);
  return (unexpected == 0 && stale == 0) ? 0 : 1;
}
