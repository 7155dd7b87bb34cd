// Decoding the multiple-memories encoding (WebAssembly 3.0): memory-index immediates,
// memarg flags with bit 6, and the 2.0 encoding when the feature is switched off.
#include <gtest/gtest.h>

#include "aperture/error.h"
#include "binary/decoder.h"

namespace aperture {
namespace {

using Bytes = std::vector<uint8_t>;

// One function () -> () with `body` (instructions, without the final end), two memories.
Bytes module_with_body(const Bytes& body) {
  Bytes b = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
             0x01, 0x04, 0x01, 0x60, 0x00, 0x00,         // type () -> ()
             0x03, 0x02, 0x01, 0x00,                     // one function
             0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01};  // two memories of 1 page
  Bytes code = {0x00};                                   // no locals
  code.insert(code.end(), body.begin(), body.end());
  code.push_back(0x0B);
  b.insert(b.end(), {0x0A, static_cast<uint8_t>(code.size() + 2), 0x01, static_cast<uint8_t>(code.size())});
  b.insert(b.end(), code.begin(), code.end());
  return b;
}

std::string decode_error(const Bytes& b, const Features& f = {}) {
  try {
    decode_module(b, f);
  } catch (const DecodeError& e) {
    return e.detail();
  }
  return "decoded";
}

TEST(MultiMemoryDecoderTest, MemargWithBitSixCarriesAMemoryIndex) {
  // i32.const 0; i32.load align=2 (flags 2|64) memory 1 offset 8; drop
  Module m = decode_module(module_with_body({0x41, 0x00, 0x28, 0x42, 0x01, 0x08, 0x1A}));
  const Instr& load = m.bodies[0].code[1];
  EXPECT_EQ(load.op, Opcode::I32Load);
  EXPECT_EQ(load.a, 2u) << "alignment without the flag";
  EXPECT_EQ(load.b, 1u) << "memory index";
  EXPECT_EQ(load.imm, 8u) << "offset";
  Module plain = decode_module(module_with_body({0x41, 0x00, 0x28, 0x02, 0x08, 0x1A}));
  EXPECT_EQ(plain.bodies[0].code[1].b, 0u) << "no flag: memory 0";
}

TEST(MultiMemoryDecoderTest, MemoryInstructionsCarryIndices) {
  // memory.size 1; drop; i32.const 0 x3; memory.copy 1 0
  Module m = decode_module(module_with_body(
      {0x3F, 0x01, 0x1A, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0A, 0x01, 0x00}));
  EXPECT_EQ(m.bodies[0].code[0].a, 1u);
  EXPECT_EQ(m.bodies[0].code[5].a, 1u) << "destination";
  EXPECT_EQ(m.bodies[0].code[5].b, 0u) << "source";
}

TEST(MultiMemoryDecoderTest, FlagsOf128AndAboveAreMalformed) {
  EXPECT_EQ(decode_error(module_with_body({0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1A})), "malformed memop flags");
}

TEST(MultiMemoryDecoderTest, WithoutTheFeatureThe20EncodingApplies) {
  Features v2;
  v2.multi_memory = false;
  EXPECT_EQ(decode_error(module_with_body({0x3F, 0x01, 0x1A}), v2), "zero byte expected");
  // bit 6 is just a (too large) alignment in 2.0: decoded, rejected later by validation
  Module m = decode_module(module_with_body({0x41, 0x00, 0x28, 0x42, 0x01, 0x1A}), v2);
  EXPECT_EQ(m.bodies[0].code[1].a, 0x42u);
  EXPECT_EQ(m.bodies[0].code[1].b, 0u);
}

}  // namespace
}  // namespace aperture
