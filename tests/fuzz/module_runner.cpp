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

// Whether a 32-bit word has the bits of an f32 NaN (of either sign). The high word of
// an f64 NaN is one too.
bool nan_word(uint32_t w) { return (w & 0x7f800000u) == 0x7f800000u && (w & 0x007fffffu) != 0; }

// A v128 lane by lane (four 32-bit lanes, lowest first); the value does not say its lane
// shape, so every lane with a NaN's bits prints as "nan" (an integer lane that looks
// like one is compared no further).
std::string describe_v128(uint64_t low, uint64_t high) {
  std::string out = "v128:";
  const uint32_t lanes[4] = {static_cast<uint32_t>(low), static_cast<uint32_t>(low >> 32),
                             static_cast<uint32_t>(high), static_cast<uint32_t>(high >> 32)};
  for (int i = 0; i < 4; ++i) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "%s%08" PRIx32, i ? "_" : "", lanes[i]);
    out += nan_word(lanes[i]) ? (i ? "_nan" : "nan") : buf;
  }
  return out;
}

// A value as the description shows it: nondeterministic bits hidden.
std::string describe(ValType t, uint64_t bits, uint64_t high = 0) {
  char buf[48];
  switch (api_type(t)) {  // a typed function reference shows as a funcref
    case ValType::V128: return describe_v128(bits, high);
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

uint64_t fnv1a(const uint8_t* p, uint64_t n, bool hide_nan_words) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t i = 0; i < n; i += 4) {
    uint32_t w = 0;
    std::memcpy(&w, p + i, n - i < 4 ? n - i : 4);
    if (hide_nan_words && nan_word(w)) w = 0x7fc00000u;
    for (uint64_t b = 0; b < 4 && i + b < n; ++b) h = (h ^ ((w >> (8 * b)) & 0xff)) * 0x100000001b3ull;
  }
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
    bool needs_ref = false;  // a non-nullable reference parameter: zero (null) is no argument
    for (ValType t : type.params) {
      args.push_back(Value{api_type(t), 0});
      needs_ref = needs_ref || (is_ref(t) && !is_nullable(t));
    }
    log += "call " + printable_name(e.name) + ": ";
    if (needs_ref) {
      log += "skipped (non-nullable reference parameter)\n";
      continue;
    }
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

void describe_state(const Instance& inst, const RunLimits& limits, std::string& log) {
  for (size_t i = 0; i < inst.memories_.size(); ++i) {
    const Memory* mem = inst.memories_[i];
    char buf[80];
    std::snprintf(buf, sizeof buf, "memory %zu: %" PRIu64 " bytes, fnv1a %016" PRIx64 "\n", i,
                  mem->size_bytes(), fnv1a(mem->base(), mem->size_bytes(), limits.hide_nan_words));
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
  describe_state(*inst, limits, log);
  return log;
}

}  // namespace aperture::fuzz
