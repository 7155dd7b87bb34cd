// Decoding 64-bit limits (memory64, table64): flag bit 2, u64 limits, u64 memarg offsets;
// flags above 7 are refused.
#include <gtest/gtest.h>

#include "aperture/error.h"
#include "binary/decoder.h"

namespace aperture {
namespace {

using Bytes = std::vector<uint8_t>;

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

// A module with one memory section holding `memtype`.
Bytes module_with_memory(const Bytes& memtype) {
  Bytes b = kHeader;
  b.insert(b.end(), {0x05, static_cast<uint8_t>(memtype.size() + 1), 0x01});
  b.insert(b.end(), memtype.begin(), memtype.end());
  return b;
}

std::string decode_error(const Bytes& b) {
  try {
    decode_module(b);
  } catch (const DecodeError& e) {
    return e.detail();
  }
  return "decoded";
}

TEST(Memory64DecoderTest, FlagBitTwoMeans64BitLimits) {
  // flags 5 (64-bit, has max), min 2^32 pages (a u64 LEB), max 2^33.
  Module m = decode_module(module_with_memory(
      {0x05, 0x80, 0x80, 0x80, 0x80, 0x10, 0x80, 0x80, 0x80, 0x80, 0x20}));
  ASSERT_EQ(m.memories.size(), 1u);
  EXPECT_TRUE(m.memories[0].limits.is64);
  EXPECT_EQ(m.memories[0].limits.min, 1ull << 32);
  EXPECT_EQ(*m.memories[0].limits.max, 1ull << 33);
  Module shared = decode_module(module_with_memory({0x07, 0x01, 0x02}));
  EXPECT_TRUE(shared.memories[0].limits.is64);
  EXPECT_TRUE(shared.memories[0].limits.shared);
  Module plain = decode_module(module_with_memory({0x00, 0x01}));
  EXPECT_FALSE(plain.memories[0].limits.is64);
}

TEST(Memory64DecoderTest, ThirtyTwoBitLimitsStayU32) {
  // flags 0 with a 5-byte LEB above 2^32-1: malformed for 32-bit limits.
  EXPECT_NE(decode_error(module_with_memory({0x00, 0x80, 0x80, 0x80, 0x80, 0x10})), "decoded");
}

TEST(Memory64DecoderTest, FlagsAboveSevenAreRefused) {
  EXPECT_EQ(decode_error(module_with_memory({0x08, 0x01})), "integer too large");
}

TEST(Memory64DecoderTest, MemargOffsetIsU64) {
  Bytes b = kHeader;
  b.insert(b.end(), {0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7E,  // type () -> i64
                     0x03, 0x02, 0x01, 0x00,                    // one function
                     0x05, 0x03, 0x01, 0x04, 0x01});            // one 64-bit memory of 1 page
  // i64.const 0; i64.load align=3 offset=2^40; end
  Bytes code = {0x00, 0x42, 0x00, 0x29, 0x03, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x0B};
  b.insert(b.end(), {0x0A, static_cast<uint8_t>(code.size() + 2), 0x01, static_cast<uint8_t>(code.size())});
  b.insert(b.end(), code.begin(), code.end());
  Module m = decode_module(b);
  EXPECT_EQ(m.bodies[0].code[1].imm, 1ull << 40);
}

}  // namespace
}  // namespace aperture
