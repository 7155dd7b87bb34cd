// Decoder: LEB128 rules, section structure, instruction immediates, error offsets.
#include <gtest/gtest.h>

#include "aperture/error.h"
#include "binary/decoder.h"
#include "binary/reader.h"

namespace aperture {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes header() { return {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}; }
Bytes with(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Expects decoding to fail at `offset` with a message containing `what`.
void expect_error(const Bytes& b, uint64_t offset, const std::string& what) {
  try {
    decode_module(b);
    FAIL() << "decoded, expected: " << what;
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), offset) << e.what();
    EXPECT_NE(e.detail().find(what), std::string::npos) << e.what();
  }
}

TEST(ReaderTest, UnsignedLeb) {
  Bytes b = {0xE5, 0x8E, 0x26};
  Reader r(b, 0, b.size());
  EXPECT_EQ(r.u32(), 624485u);
  Bytes max = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  Reader r2(max, 0, max.size());
  EXPECT_EQ(r2.u32(), 0xFFFFFFFFu);
}

TEST(ReaderTest, LebTooLongOrTooLarge) {
  Bytes too_long = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  Reader r(too_long, 0, too_long.size());
  EXPECT_THROW(r.u32(), DecodeError);
  Bytes too_large = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F};  // 33 bits
  Reader r2(too_large, 0, too_large.size());
  try {
    r2.u32();
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.detail(), "integer too large");
  }
}

TEST(ReaderTest, SignedLeb) {
  Bytes minus_one = {0x7F};
  Reader r(minus_one, 0, 1);
  EXPECT_EQ(r.s32(), -1);
  Bytes min32 = {0x80, 0x80, 0x80, 0x80, 0x78};
  Reader r2(min32, 0, min32.size());
  EXPECT_EQ(r2.s32(), INT32_MIN);
  Bytes bad_sign = {0x80, 0x80, 0x80, 0x80, 0x70};  // unused bits not a sign extension
  Reader r3(bad_sign, 0, bad_sign.size());
  EXPECT_THROW(r3.s32(), DecodeError);
  Bytes i64min = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F};
  Reader r4(i64min, 0, i64min.size());
  EXPECT_EQ(r4.s64(), INT64_MIN);
}

TEST(ReaderTest, TruncatedInput) {
  Bytes b = {0x80};
  Reader r(b, 0, 1);
  try {
    r.u32();
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.detail(), "unexpected end");
    EXPECT_EQ(e.offset(), 1u);
  }
}

TEST(DecoderTest, EmptyModule) {
  Module m = decode_module(header());
  EXPECT_TRUE(m.types.empty());
  EXPECT_EQ(m.num_funcs(), 0u);
}

TEST(DecoderTest, HeaderErrors) {
  expect_error({0x00, 0x61, 0x73}, 0, "magic header not detected");
  expect_error({0x00, 0x61, 0x73, 0x6E, 1, 0, 0, 0}, 0, "magic header not detected");
  expect_error({0x00, 0x61, 0x73, 0x6D, 2, 0, 0, 0}, 4, "unknown binary version");
}

TEST(DecoderTest, FunctionWithBodyAndNames) {
  // (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add) + names
  Bytes b = with(header(), {
      0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F,        // type
      0x03, 0x02, 0x01, 0x00,                                // function
      0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,               // export
      0x0A, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B,  // code
      0x00, 0x0C, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x05, 0x01, 0x00, 0x02, 'h', 'i',  // names
  });
  Module m = decode_module(b);
  ASSERT_EQ(m.bodies.size(), 1u);
  const auto& code = m.bodies[0].code;
  ASSERT_EQ(code.size(), 4u);
  EXPECT_EQ(code[0].op, Opcode::LocalGet);
  EXPECT_EQ(code[1].op, Opcode::I32Const);
  EXPECT_EQ(code[1].imm, 1u);
  EXPECT_EQ(code[2].op, Opcode::I32Add);
  EXPECT_EQ(code[3].op, Opcode::End);
  EXPECT_EQ(code[2].offset, 36u) << "instruction offsets are absolute";
  EXPECT_EQ(m.function_name(0), "hi");
  ASSERT_EQ(m.customs.size(), 1u);
  EXPECT_EQ(m.customs[0].name, "name");
}

TEST(DecoderTest, SectionErrors) {
  expect_error(with(header(), {0x0D, 0x00}), 8, "malformed section id");
  expect_error(with(header(), {0x01, 0x05, 0x00}), 10, "length out of bounds");
  // type section declares size 2 but holds 1 byte of content plus trailing junk
  expect_error(with(header(), {0x01, 0x02, 0x00, 0x00}), 11, "section size mismatch");
  // function section after code section
  expect_error(with(header(), {0x0A, 0x01, 0x00, 0x03, 0x01, 0x00}), 11,
               "unexpected content after last section");
  // function declared without a code section
  expect_error(with(header(), {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00}), 18,
               "function and code section have inconsistent lengths");
}

TEST(DecoderTest, HugeCountsFailWithoutAllocating) {
  expect_error(with(header(), {0x01, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}), 10,
               "length out of bounds");
}

TEST(DecoderTest, IllegalOpcodeAndSimd) {
  Bytes base = with(header(), {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00});
  expect_error(with(base, {0x0A, 0x04, 0x01, 0x02, 0x00, 0xFF}), 23, "illegal opcode");
  // A truncated v128.const immediate (16 bytes) is malformed.
  expect_error(with(base, {0x0A, 0x05, 0x01, 0x03, 0x00, 0xFD, 0x0C}), 25, "unexpected end");
  // v128.const 0; drop: decodes, and the module remembers where SIMD is first used.
  Bytes simd = with(base, {0x0A, 0x17, 0x01, 0x15, 0x00, 0xFD, 0x0C});
  simd.insert(simd.end(), 16, 0x00);
  simd.insert(simd.end(), {0x1A, 0x0B});
  Module m = decode_module(simd);
  ASSERT_EQ(m.bodies.size(), 1u);
  EXPECT_EQ(m.bodies[0].code[0].op, Opcode::V128Const);
  ASSERT_TRUE(m.simd_offset.has_value());
  EXPECT_EQ(*m.simd_offset, 23u);
  EXPECT_FALSE(m.uses_relaxed_simd());
}

TEST(DecoderTest, UnknownProposalIsNamedNotMalformed) {
  Bytes base = with(header(), {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00});
  for (auto [byte, proposal] : {std::pair<uint8_t, const char*>{0xFB, "garbage collection"},
                                {0x08, "exception handling"}}) {
    try {
      decode_module(with(base, {0x0A, 0x05, 0x01, 0x03, 0x00, byte, 0x00}));
      FAIL() << "decoded opcode " << int(byte);
    } catch (const UnsupportedFeatureError& e) {
      EXPECT_EQ(e.offset(), 23u);
      EXPECT_NE(std::string(e.what()).find(std::string("module uses ") + proposal), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("which this build does not support yet"),
                std::string::npos) << e.what();
      EXPECT_FALSE(e.by_engine());
    }
  }
}

TEST(DecoderTest, SimdOpcodeTable) {
  Opcode op;
  ASSERT_TRUE(opcode_from_bytes(0xFD, 0x00, &op));
  EXPECT_STREQ(opcode_name(op), "v128.load");
  ASSERT_TRUE(opcode_from_bytes(0xFD, 0xFF, &op));
  EXPECT_STREQ(opcode_name(op), "f64x2.convert_low_i32x4_u");
  ASSERT_TRUE(opcode_from_bytes(0xFD, 0x113, &op)) << "relaxed SIMD";
  EXPECT_STREQ(opcode_name(op), "i32x4.relaxed_dot_i8x16_i7x16_add_s");
  EXPECT_TRUE(is_simd(op));
  EXPECT_FALSE(opcode_from_bytes(0xFD, 0x9A, &op)) << "a gap in the SIMD opcode space";
  EXPECT_FALSE(opcode_from_bytes(0xFD, 0x114, &op));
  int count = 0;
  for (uint32_t code = 0; code < 0x200; ++code) count += opcode_from_bytes(0xFD, code, &op);
  EXPECT_EQ(count, 236 + 20) << "the 2.0 SIMD instructions and relaxed SIMD's";
}

TEST(DecoderTest, MemoryInitNeedsDataCount) {
  Bytes b = with(header(), {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                            0x05, 0x03, 0x01, 0x00, 0x01,
                            0x0A, 0x0E, 0x01, 0x0C, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00,
                            0xFC, 0x08, 0x00, 0x00, 0x0B});
  try {
    decode_module(b);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.detail(), "data count section required");
  }
}

TEST(DecoderTest, TooManyLocals) {
  Bytes b = with(header(), {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                            0x0A, 0x0A, 0x01, 0x08, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x0B});
  try {
    decode_module(b);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.detail(), "too many locals");
  }
}

TEST(DecoderTest, EveryTruncationOfAValidModuleFailsCleanly) {
  Bytes b = with(header(), {
      0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x03, 0x02, 0x01, 0x00,
      0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,
      0x0A, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B});
  for (size_t n = 0; n < b.size(); ++n) {
    Bytes cut(b.begin(), b.begin() + static_cast<long>(n));
    if (n == 8 || n == 16) continue;  // cut at a section boundary: a valid smaller module
    EXPECT_THROW(decode_module(cut), DecodeError) << "length " << n;
  }
}

// Threads proposal: limits flag 2 = shared (memories only), the 0xFE prefix, fence's
// reserved byte.
TEST(DecoderTest, SharedMemoryLimits) {
  Module m = decode_module(with(header(), {0x05, 0x04, 0x01, 0x03, 0x01, 0x02}));
  ASSERT_EQ(m.memories.size(), 1u);
  EXPECT_TRUE(m.memories[0].limits.shared);
  EXPECT_EQ(m.memories[0].limits.min, 1u);
  EXPECT_EQ(*m.memories[0].limits.max, 2u);
  // Shared without a maximum decodes; the validator rejects it.
  m = decode_module(with(header(), {0x05, 0x03, 0x01, 0x02, 0x01}));
  EXPECT_TRUE(m.memories[0].limits.shared);
  EXPECT_FALSE(m.memories[0].limits.max);
  // Imported: (import "e" "m" (memory 1 2 shared))
  m = decode_module(with(header(), {0x02, 0x09, 0x01, 0x01, 'e', 0x01, 'm', 0x02, 0x03, 0x01, 0x02}));
  ASSERT_EQ(m.imports.size(), 1u);
  EXPECT_TRUE(m.imports[0].memory.limits.shared);
  // Flag bit 2 is a 64-bit memory (memory64, WebAssembly 3.0); bit 3 and above are not limits.
  m = decode_module(with(header(), {0x05, 0x03, 0x01, 0x04, 0x01}));
  EXPECT_TRUE(m.memories[0].limits.is64);
  expect_error(with(header(), {0x05, 0x03, 0x01, 0x08, 0x01}), 11, "integer too large");
  // (table 1 2 shared funcref) does not exist.
  expect_error(with(header(), {0x04, 0x05, 0x01, 0x70, 0x03, 0x01, 0x02}), 12,
               "tables cannot be shared");
}

TEST(DecoderTest, AtomicInstructions) {
  // type () -> (); one function; memory (1 1 shared); body:
  //   i32.const 0  i32.atomic.rmw.add align=2 offset=8  drop  atomic.fence  end
  Bytes base = with(header(), {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                               0x05, 0x04, 0x01, 0x03, 0x01, 0x01});
  Bytes body = {0x00, 0x41, 0x00, 0x41, 0x01, 0xFE, 0x1E, 0x02, 0x08, 0x1A, 0xFE, 0x03, 0x00, 0x0B};
  Bytes code = {0x0A, static_cast<uint8_t>(body.size() + 2), 0x01, static_cast<uint8_t>(body.size())};
  Module m = decode_module(with(with(base, code), body));
  const auto& c = m.bodies[0].code;
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[2].op, Opcode::I32AtomicRmwAdd);
  EXPECT_EQ(c[2].a, 2u);    // alignment exponent
  EXPECT_EQ(c[2].imm, 8u);  // offset
  EXPECT_EQ(c[4].op, Opcode::AtomicFence);
  // The fence's reserved byte must be zero.
  Bytes bad = body;
  bad[12] = 0x01;
  expect_error(with(with(base, code), bad), 40, "zero byte expected");
  // An unknown 0xFE sub-opcode.
  bad = body;
  bad[11] = 0x04;
  expect_error(with(with(base, code), bad), 38, "illegal opcode");
}

TEST(OpcodeTest, TableRoundTrip) {
  Opcode op;
  ASSERT_TRUE(opcode_from_bytes(0x00, 0x6A, &op));
  EXPECT_EQ(op, Opcode::I32Add);
  EXPECT_STREQ(opcode_name(op), "i32.add");
  ASSERT_TRUE(opcode_from_bytes(0xFC, 0x0B, &op));
  EXPECT_EQ(op, Opcode::MemoryFill);
  EXPECT_FALSE(opcode_from_bytes(0x00, 0xFF, &op));
  ASSERT_TRUE(opcode_from_bytes(0xFC, 0x12, &op)) << "memory.discard (memory-control)";
  EXPECT_EQ(op, Opcode::MemoryDiscard);
  EXPECT_FALSE(opcode_from_bytes(0xFC, 0x13, &op));
  EXPECT_EQ(opcode_info(Opcode::I64Load32U)->mem_bytes, 4);
  ASSERT_TRUE(opcode_from_bytes(0xFE, 0x4E, &op));
  EXPECT_EQ(op, Opcode::I64AtomicRmw32CmpxchgU);
  EXPECT_STREQ(opcode_name(op), "i64.atomic.rmw32.cmpxchg_u");
  EXPECT_EQ(opcode_info(op)->mem_bytes, 4);
  EXPECT_TRUE(is_atomic(op));
  EXPECT_FALSE(is_atomic(Opcode::I32Load));
  ASSERT_TRUE(opcode_from_bytes(0xFE, 0x02, &op));
  EXPECT_STREQ(opcode_name(op), "memory.atomic.wait64");
  EXPECT_FALSE(opcode_from_bytes(0xFE, 0x04, &op));
  EXPECT_FALSE(opcode_from_bytes(0xFE, 0x4F, &op));
  EXPECT_FALSE(opcode_from_bytes(0xFE, 0x1000, &op));
}

}  // namespace
}  // namespace aperture
