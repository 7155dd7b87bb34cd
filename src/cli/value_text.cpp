#include "cli/value_text.h"

#include <cerrno>
#include <cctype>
#include <cinttypes>
#include <cmath>
#include <optional>
#include <cstdio>
#include <cstdlib>

#include "cli/file_util.h"

namespace aperture::cli {
namespace {

[[noreturn]] void bad(ValType t, const std::string& text) {
  throw UsageError("cannot parse '" + text + "' as " + to_string(t));
}

// Decimal or 0x hex. Not base 0: a leading zero must not silently mean octal.
int integer_base(const std::string& digits) {
  return digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
}

uint64_t parse_integer(ValType t, const std::string& text, int bits) {
  bool negative = !text.empty() && text[0] == '-';
  std::string digits = negative ? text.substr(1) : text;
  if (digits.empty() || !std::isxdigit(static_cast<unsigned char>(digits[0]))) bad(t, text);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(digits.c_str(), &end, integer_base(digits));
  if (errno || *end) bad(t, text);
  uint64_t limit = bits == 32 ? UINT32_MAX : UINT64_MAX;
  // Signed values down to -2^(bits-1), unsigned up to 2^bits - 1.
  if (negative) {
    if (v > (limit >> 1) + 1) bad(t, text);
    return static_cast<uint64_t>(0) - v;
  }
  if (v > limit) bad(t, text);
  return v;
}

// "nan:0xPAYLOAD" (wasm text syntax) for an exact NaN; nullopt when `text` is not one.
std::optional<uint64_t> nan_payload(ValType t, const std::string& text) {
  bool negative = !text.empty() && text[0] == '-';
  std::string body = negative || (!text.empty() && text[0] == '+') ? text.substr(1) : text;
  if (body.rfind("nan:0x", 0) != 0) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  uint64_t payload = std::strtoull(body.c_str() + 6, &end, 16);
  bool f32 = t == ValType::F32;
  uint64_t mask = f32 ? 0x7FFFFF : 0xFFFFFFFFFFFFFull;
  if (errno || *end || body.size() == 6 || payload == 0 || payload > mask) bad(t, text);
  uint64_t sign = negative ? (f32 ? 0x80000000ull : 1ull << 63) : 0;
  uint64_t exponent = f32 ? 0x7F800000ull : 0x7FF0000000000000ull;
  return sign | exponent | payload;
}

// NaNs print as "nan"/"-nan" when canonical, else as "nan:0xPAYLOAD" (parseable back).
std::string format_nan(bool negative, uint64_t payload, uint64_t canonical) {
  char buf[40];
  if (payload == canonical) return negative ? "-nan" : "nan";
  std::snprintf(buf, sizeof buf, "%snan:0x%" PRIx64, negative ? "-" : "", payload);
  return buf;
}

// An externref argument: an unsigned number that is not the null reference's encoding.
Value parse_extern(const std::string& text) {
  const ValType t = ValType::ExternRef;
  if (!text.empty() && text[0] == '-')
    throw UsageError("cannot parse '" + text + "' as externref: use null or a number from 0 to " +
                     std::to_string(Value::kMaxExternValue));
  uint64_t v = parse_integer(t, text, 64);
  if (v > Value::kMaxExternValue)
    throw UsageError("externref " + text + " is out of range: use null or a number from 0 to " +
                     std::to_string(Value::kMaxExternValue) + " (2^64-1 would be null)");
  return Value::extern_ref(v);
}

// A v128 as one unsigned 128-bit number, decimal or 0x hex (up to 32 hex digits), as
// wasmtime's --invoke takes it; lane 0 is the least significant.
Value parse_v128(const std::string& text) {
  const ValType t = ValType::V128;
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  std::string digits = hex ? text.substr(2) : text;
  if (digits.empty()) bad(t, text);
  unsigned __int128 v = 0;
  for (char c : digits) {
    if (c == '_') continue;
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                                 : -1;
    if (d < 0) bad(t, text);
    unsigned __int128 base = hex ? 16 : 10;
    if (v > (~static_cast<unsigned __int128>(0) - d) / base)
      throw UsageError("v128 " + text + " is out of range: at most 2^128-1 (0x" +
                       std::string(32, 'f') + ")");
    v = v * base + static_cast<unsigned>(d);
  }
  return Value::v128(static_cast<uint64_t>(v), static_cast<uint64_t>(v >> 64));
}

}  // namespace

Value parse_value(ValType type, const std::string& text) {
  char* end = nullptr;
  const ValType t = api_type(type);  // a typed function reference reads as funcref
  switch (t) {
    case ValType::I32: return Value::i32(static_cast<uint32_t>(parse_integer(t, text, 32)));
    case ValType::I64: return Value::i64(parse_integer(t, text, 64));
    case ValType::F32: {
      if (auto bits = nan_payload(t, text)) return Value::f32_bits(static_cast<uint32_t>(*bits));
      float f = std::strtof(text.c_str(), &end);
      if (text.empty() || *end) bad(t, text);
      return Value::f32(f);
    }
    case ValType::F64: {
      if (auto bits = nan_payload(t, text)) return Value::f64_bits(*bits);
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || *end) bad(t, text);
      return Value::f64(d);
    }
    case ValType::V128: return parse_v128(text);
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (text == "null") return Value::null(t);
      if (t == ValType::ExternRef) return parse_extern(text);
      bad(t, text);  // there is no way to name a function on the command line
    default: bad(t, text);
  }
}

std::string format_value(const Value& v) {
  char buf[64];
  switch (v.type) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "%" PRId32, v.as_i32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "%" PRId64, v.as_i64()); break;
    case ValType::F32:
      if (std::isnan(v.as_f32())) return format_nan(v.bits & 0x80000000u, v.bits & 0x7FFFFF, 0x400000);
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v.as_f32()));
      break;
    case ValType::F64:
      if (std::isnan(v.as_f64()))
        return format_nan(v.bits >> 63, v.bits & 0xFFFFFFFFFFFFFull, 1ull << 51);
      std::snprintf(buf, sizeof buf, "%.17g", v.as_f64());
      break;
    case ValType::V128:  // as wasmtime prints it: 0x and 32 hex digits, lane 0 last
      std::snprintf(buf, sizeof buf, "0x%016" PRIx64 "%016" PRIx64, v.high, v.bits);
      break;
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
