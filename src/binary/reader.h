// A bounds-checked cursor over module bytes with the spec's LEB128 rules.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "aperture/error.h"

namespace aperture {

class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, size_t begin, size_t end)
      : bytes_(bytes), pos_(begin), end_(end) {}

  size_t pos() const { return pos_; }
  size_t end() const { return end_; }
  bool at_end() const { return pos_ >= end_; }
  size_t remaining() const { return end_ - pos_; }

  [[noreturn]] void fail(const std::string& what) const { throw DecodeError(pos_, what); }
  [[noreturn]] void fail_at(size_t offset, const std::string& what) const {
    throw DecodeError(offset, what);
  }

  uint8_t u8() {
    if (pos_ >= end_) fail("unexpected end");
    return bytes_[pos_++];
  }
  uint32_t fixed_u32() {
    if (remaining() < 4) fail("unexpected end");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(bytes_[pos_ + i]) << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t fixed_u64() {
    uint64_t lo = fixed_u32();
    uint64_t hi = fixed_u32();
    return lo | (hi << 32);
  }
  uint32_t u32() { return static_cast<uint32_t>(leb(32, false)); }
  uint64_t u64() { return leb(64, false); }
  int32_t s32() { return static_cast<int32_t>(leb(32, true)); }
  int64_t s33() { return static_cast<int64_t>(leb(33, true)); }
  int64_t s64() { return static_cast<int64_t>(leb(64, true)); }

  // A vector count: each element needs at least `min_bytes`, so a count larger than
  // the remaining bytes allow is malformed (and never causes a huge allocation).
  uint32_t count(size_t min_bytes = 1) {
    size_t at = pos_;
    uint32_t n = u32();
    if (min_bytes != 0 && static_cast<uint64_t>(n) * min_bytes > remaining())
      fail_at(at, n == 0 ? "unexpected end" : "length out of bounds");
    return n;
  }

  std::span<const uint8_t> bytes(size_t n) {
    if (n > remaining()) fail("unexpected end");
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

  std::string name() {
    size_t at = pos_;
    uint32_t n = u32();
    if (n > remaining()) fail_at(at, "length out of bounds");
    auto b = bytes(n);
    if (!valid_utf8(b)) fail_at(at, "malformed UTF-8 encoding");
    return std::string(b.begin(), b.end());
  }

  void skip_to(size_t p) { pos_ = p; }

 private:
  uint64_t leb(unsigned bits, bool is_signed) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (pos_ >= end_) fail("unexpected end");
      uint8_t byte = bytes_[pos_++];
      if (i == max_bytes - 1) {
        if (byte & 0x80) fail("integer representation too long");
        // The unused bits of the last byte must be a sign/zero extension.
        unsigned used = bits - shift;  // bits still meaningful in this byte
        if (used < 7) {
          uint8_t extra = static_cast<uint8_t>(byte & 0x7F) >> (is_signed ? used - 1 : used);
          uint8_t all = static_cast<uint8_t>(0x7F >> (is_signed ? used - 1 : used));
          if (is_signed ? (extra != 0 && extra != all) : extra != 0) fail("integer too large");
        }
      }
      result |= static_cast<uint64_t>(byte & 0x7F) << shift;
      shift += 7;
      if (!(byte & 0x80)) {
        if (is_signed && shift < 64 && (byte & 0x40)) result |= ~uint64_t{0} << shift;
        break;
      }
    }
    if (!is_signed && bits < 64) result &= (uint64_t{1} << bits) - 1;
    return result;
  }

  static bool valid_utf8(std::span<const uint8_t> s) {
    size_t i = 0;
    while (i < s.size()) {
      uint8_t c = s[i];
      if (c < 0x80) { ++i; continue; }
      size_t n;
      uint32_t cp;
      if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
      else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
      else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
      else return false;
      if (i + n >= s.size()) return false;  // truncated sequence
      for (size_t k = 1; k <= n; ++k) {
        if ((s[i + k] & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (s[i + k] & 0x3F);
      }
      if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
      i += n + 1;
    }
    return true;
  }

  std::span<const uint8_t> bytes_;
  size_t pos_;
  size_t end_;
};

}  // namespace aperture
