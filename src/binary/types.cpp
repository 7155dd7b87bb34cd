#include <cinttypes>
#include <cstdio>

#include "aperture/types.h"

namespace aperture {

const char* to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  if (!is_ref(t)) return "<invalid type>";
  // A typed reference: "(ref null 3)", "(ref func)", "(ref null nofunc)".
  thread_local char buf[48];
  uint32_t heap = heap_type(t);
  const char* null = is_nullable(t) ? "null " : "";
  switch (heap) {
    case kHeapFunc: std::snprintf(buf, sizeof buf, "(ref %sfunc)", null); break;
    case kHeapExtern: std::snprintf(buf, sizeof buf, "(ref %sextern)", null); break;
    case kHeapNoFunc: std::snprintf(buf, sizeof buf, "(ref %snofunc)", null); break;
    case kHeapNoExtern: std::snprintf(buf, sizeof buf, "(ref %snoextern)", null); break;
    default:
      std::snprintf(buf, sizeof buf, "(ref %s%" PRIu32 ")", null, heap - kHeapConcrete);
      break;
  }
  return buf;
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "<invalid kind>";
}

std::string FuncType::to_string() const {
  auto list = [](const std::vector<ValType>& v) {
    std::string s = "(";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) s += ", ";
      s += aperture::to_string(v[i]);
    }
    return s + ")";
  };
  return list(params) + " -> " + list(results);
}

std::string Value::to_string() const {
  char buf[64];
  switch (type) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "%" PRIu32, as_u32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "%" PRIu64, as_u64()); break;
    case ValType::F32: std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(as_f32())); break;
    case ValType::F64: std::snprintf(buf, sizeof buf, "%.17g", as_f64()); break;
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (is_null()) std::snprintf(buf, sizeof buf, "%s:null", aperture::to_string(type));
      else std::snprintf(buf, sizeof buf, "%s:%" PRIu64, aperture::to_string(type), bits);
      break;
    case ValType::V128:
      std::snprintf(buf, sizeof buf, "v128:0x%016" PRIx64 "%016" PRIx64, high, bits);
      break;
    default:  // a typed reference reads as its top type
      return Value{api_type(type), bits, high}.to_string();
  }
  return buf;
}

}  // namespace aperture
