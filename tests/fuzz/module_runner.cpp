#include "fuzz/module_runner.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "aperture/error.h"
#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "aperture/trap.h"
#include "binary/module.h"
#include "binary/printable_name.h"

namespace aperture::fuzz {
namespace {

// A value as the description shows it: nondeterministic bits hidden. A v128 shows its
// raw bits, four 32-bit lanes: which lanes hold NaNs depends on the lane shape, which
// the value does not record (the generator's --denan keeps NaNs out of vectors too).
std::string describe(ValType t, uint64_t bits, uint64_t high = 0) {
  char buf[48];
  switch (t) {
    case ValType::V128:
      std::snprintf(buf, sizeof buf, "v128:%08" PRIx32 "_%08" PRIx32 "_%08" PRIx32 "_%08" PRIx32,
                    static_cast<uint32_t>(bits), static_cast<uint32_t>(bits >> 32),
                    static_cast<uint32_t>(high), static_cast<uint32_t>(high >> 32));
      break;
    case ValType::I32: std::snprintf(buf, sizeof buf, "i32:%" PRIu32, static_cast<uint32_t>(bits)); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "i64:%" PRIu64, bits); break;
    case ValType::F32: {
      float f;
      uint32_t b = static_cast<uint32_t>(bits);
      std::memcpy(&f, &b, 4);
      if (std::isnan(f)) return "f32:nan";
      std::snprintf(buf, sizeof buf, "f32:0x%08" PRIx32, b);
      break;
    }
    case ValType::F64: {
      double d;
      std::memcpy(&d, &bits, 8);
      if (std::isnan(d)) return "f64:nan";
      std::snprintf(buf, sizeof buf, "f64:0x%016" PRIx64, bits);
      break;
    }
    case ValType::FuncRef: return bits == 0 ? "funcref:null" : "funcref:func";
    case ValType::ExternRef:
      if (bits == 0) return "externref:null";
      std::snprintf(buf, sizeof buf, "externref:%" PRIu64, bits - 1);
      break;
    default: return "?";
  }
  return buf;
}

uint64_t fnv1a(const uint8_t* p, uint64_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

// Stubs for every import of `m`; false (and a line in `log`) when one cannot be made.
bool define_stubs(const Module& m, Store& store, Linker& linker, std::string& log) {
  for (const Import& imp : m.imports) {
    std::string what = printable_name(imp.module) + "." + printable_name(imp.name);
    switch (imp.kind) {
      case ExternKind::Func: {
        const FuncType& type = m.types.at(imp.func_type);
        auto cb = [&log, what, type](HostContext&, const uint64_t* args, uint64_t* results) {
          // One 64-bit slot per value, two for a v128 (aperture/types.h).
          log += "import " + what + "(";
          size_t slot = 0;
          for (size_t i = 0; i < type.params.size(); ++i) {
            if (i) log += ", ";
            bool wide = type.params[i] == ValType::V128;
            log += describe(type.params[i], args[slot], wide ? args[slot + 1] : 0);
            slot += wide ? 2 : 1;
          }
          log += ")\n";
          for (size_t i = 0; i < slot_count(type.results); ++i) results[i] = 0;
        };
        linker.define(imp.module, imp.name, Extern::func(store.create_host_function(type, cb, what)));
        break;
      }
      case ExternKind::Table:
        linker.define(imp.module, imp.name, Extern::table(store.create_table(imp.table)));
        break;
      case ExternKind::Memory:
        linker.define(imp.module, imp.name, Extern::memory(store.create_memory(imp.memory)));
        break;
      case ExternKind::Global:
        linker.define(imp.module, imp.name,
                      Extern::global(store.create_global(imp.global, Value{imp.global.type, 0})));
        break;
      default:
        log += "import " + what + ": unsupported kind\n";
        return false;
    }
  }
  return true;
}

void call_exports(Instance& inst, Store& store, const RunLimits& limits, std::string& log) {
  uint32_t calls = 0;
  for (const Export& e : inst.module().exports) {
    if (e.kind != ExternKind::Func) continue;
    if (calls++ == limits.max_calls) break;
    const FuncType& type = inst.module().func_type(e.index);
    std::vector<Value> args;
    for (ValType t : type.params) args.push_back(Value{t, 0});
    log += "call " + printable_name(e.name) + ": ";
    store.set_fuel(limits.fuel_per_call);
    try {
      std::vector<Value> results = inst.call(e.name, args);
      for (size_t i = 0; i < results.size(); ++i) {
        if (i) log += ' ';
        log += describe(results[i].type, results[i].bits, results[i].high);
      }
      log += "\n";
    } catch (const Trap& t) {
      log += std::string("trap ") + t.what() + "\n";
    }
  }
}

void describe_state(const Instance& inst, std::string& log) {
  for (size_t i = 0; i < inst.memories_.size(); ++i) {
    const Memory* mem = inst.memories_[i];
    char buf[80];
    std::snprintf(buf, sizeof buf, "memory %zu: %" PRIu64 " bytes, fnv1a %016" PRIx64 "\n", i,
                  mem->size_bytes(), fnv1a(mem->base(), mem->size_bytes()));
    log += buf;
  }
  for (size_t i = 0; i < inst.globals_.size(); ++i) {
    Value v = inst.globals_[i]->get();
    log += "global " + std::to_string(i) + ": " + describe(v.type, v.bits, v.high) + "\n";
  }
}

}  // namespace

std::string run_module(std::span<const uint8_t> bytes, const EngineConfig& engine,
                       const RunLimits& limits) {
  std::string log;
  std::shared_ptr<const CompiledModule> compiled;
  try {
    compiled = compile(bytes, engine);
  } catch (const Error& e) {  // DecodeError and ValidationError are Errors
    return "compile: " + std::string(e.what()) + "\n";
  }
  StoreLimits store_limits;
  store_limits.max_memory_bytes = limits.max_memory_bytes;
  store_limits.table_elements = limits.table_elements;
  Store store(store_limits);
  Linker linker;
  Instance* inst = nullptr;
  try {
    if (!define_stubs(module_of(*compiled), store, linker, log)) return log;
    store.set_fuel(limits.fuel_per_call);
    inst = &store.instantiate(compiled, linker);
  } catch (const Trap& t) {
    return log + "instantiate: trap " + t.what() + "\n";
  } catch (const Error& e) {
    return log + "instantiate: " + e.what() + "\n";
  }
  call_exports(*inst, store, limits, log);
  describe_state(*inst, log);
  return log;
}

}  // namespace aperture::fuzz
