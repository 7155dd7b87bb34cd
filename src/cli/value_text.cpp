#include "cli/value_text.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "aperture/error.h"

namespace aperture::cli {
namespace {

[[noreturn]] void bad(ValType t, const std::string& text) {
  throw Error("cannot parse '" + text + "' as " + to_string(t));
}

uint64_t parse_integer(ValType t, const std::string& text, int bits) {
  if (text.empty()) bad(t, text);
  char* end = nullptr;
  errno = 0;
  if (text[0] == '-') {
    long long v = std::strtoll(text.c_str(), &end, 0);
    if (errno || *end || (bits == 32 && v < INT32_MIN)) bad(t, text);
    return static_cast<uint64_t>(v);
  }
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (errno || *end || (bits == 32 && v > UINT32_MAX)) bad(t, text);
  return v;
}

}  // namespace

Value parse_value(ValType t, const std::string& text) {
  char* end = nullptr;
  switch (t) {
    case ValType::I32: return Value::i32(static_cast<uint32_t>(parse_integer(t, text, 32)));
    case ValType::I64: return Value::i64(parse_integer(t, text, 64));
    case ValType::F32: {
      float f = std::strtof(text.c_str(), &end);
      if (text.empty() || *end) bad(t, text);
      return Value::f32(f);
    }
    case ValType::F64: {
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || *end) bad(t, text);
      return Value::f64(d);
    }
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (text == "null") return Value::null(t);
      if (t == ValType::ExternRef) return Value::extern_ref(parse_integer(t, text, 64));
      bad(t, text);
    default: bad(t, text);
  }
}

std::string format_value(const Value& v) {
  char buf[64];
  switch (v.type) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "%" PRId32, v.as_i32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "%" PRId64, v.as_i64()); break;
    case ValType::F32: std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v.as_f32())); break;
    case ValType::F64: std::snprintf(buf, sizeof buf, "%.17g", v.as_f64()); break;
    case ValType::FuncRef: return v.is_null() ? "null" : "funcref";
    case ValType::ExternRef:
      if (v.is_null()) return "null";
      std::snprintf(buf, sizeof buf, "externref:%" PRIu64, v.extern_value());
      break;
    default: return "<unsupported>";
  }
  return buf;
}

}  // namespace aperture::cli
