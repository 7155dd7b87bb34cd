#include "binary/printable_name.h"

#include <cstdint>

namespace aperture {
namespace {

void append_hex(std::string& out, uint8_t byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0xF];
}

}  // namespace

std::string printable_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    uint8_t c = static_cast<uint8_t>(name[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      append_hex(out, c);
    } else if (c == 0xC2 && i + 1 < name.size() && static_cast<uint8_t>(name[i + 1]) < 0xA0 &&
               static_cast<uint8_t>(name[i + 1]) >= 0x80) {
      // U+0080..U+009F: two bytes, 0xC2 then 0x80..0x9F.
      out += "\\u{";
      append_hex(out, static_cast<uint8_t>(name[++i]));
      out += '}';
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace aperture
