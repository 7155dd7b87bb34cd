// Typed function references (WebAssembly 3.0) in the decoder: (ref null? ht) value types,
// table initialisers (0x40 0x00), the new instructions, and GC refused by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "aperture/error.h"
#include "binary/decoder.h"

namespace aperture {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes module(const Bytes& sections) {
  // Sized first: GCC 12 warns falsely (-Warray-bounds) on inserting after the header.
  Bytes m(8 + sections.size());
  const uint8_t header[] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  std::copy(std::begin(header), std::end(header), m.begin());
  std::copy(sections.begin(), sections.end(), m.begin() + 8);
  return m;
}

TEST(FuncRefsDecoderTest, ReferenceTypesWithHeapTypes) {
  // type 0: (func (param (ref null 0) (ref func) (ref null func)) (result (ref extern)))
  Module m = decode_module(module({0x01, 0x0C, 0x01, 0x60, 0x03, 0x63, 0x00, 0x64, 0x70, 0x63,
                                   0x70, 0x01, 0x64, 0x6F}));
  ASSERT_EQ(m.types.size(), 1u);
  const FuncType& t = m.types[0];
  ASSERT_EQ(t.params.size(), 3u);
  EXPECT_EQ(t.params[0], make_ref(true, kHeapConcrete + 0));
  EXPECT_STREQ(to_string(t.params[0]), "(ref null 0)");
  EXPECT_EQ(t.params[1], make_ref(false, kHeapFunc));
  EXPECT_FALSE(is_nullable(t.params[1]));
  EXPECT_EQ(t.params[2], ValType::FuncRef) << "(ref null func) is funcref, one encoding";
  EXPECT_EQ(t.results[0], make_ref(false, kHeapExtern));
  EXPECT_EQ(api_type(t.params[0]), ValType::FuncRef);
  EXPECT_EQ(api_type(t.results[0]), ValType::ExternRef);
  ASSERT_TRUE(m.typed_ref_offset.has_value());
  EXPECT_EQ(*m.typed_ref_offset, 13u);
}

TEST(FuncRefsDecoderTest, TableWithInitialiser) {
  // type 0: (func); func 0; table: 0x40 0x00 (ref 0) min 1, init ref.func 0
  Module m = decode_module(module({0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  //
                                   0x03, 0x02, 0x01, 0x00,              //
                                   0x04, 0x0A, 0x01, 0x40, 0x00, 0x64, 0x00, 0x00, 0x01,
                                   0xD2, 0x00, 0x0B,  //
                                   0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B}));
  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_EQ(m.tables[0].elem, make_ref(false, kHeapConcrete + 0));
  ASSERT_EQ(m.table_inits.size(), 1u);
  ASSERT_EQ(m.table_inits[0].code.size(), 1u);
  EXPECT_EQ(m.table_inits[0].code[0].op, Opcode::RefFunc);
}

TEST(FuncRefsDecoderTest, NewInstructions) {
  // type 0: (func); body: ref.null 0; ref.as_non_null; br_on_null 0; br_on_non_null 0;
  // call_ref 0 — decoded only (this body would not validate).
  Module m = decode_module(module({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                                   0x0A, 0x0D, 0x01, 0x0B, 0x00, 0xD0, 0x00, 0xD4, 0xD5, 0x00,
                                   0xD6, 0x00, 0x14, 0x00, 0x0B}));
  const std::vector<Instr>& code = m.bodies[0].code;
  ASSERT_EQ(code.size(), 6u);
  EXPECT_EQ(code[0].op, Opcode::RefNull);
  EXPECT_EQ(static_cast<ValType>(code[0].a), make_ref(true, kHeapConcrete + 0));
  EXPECT_EQ(code[1].op, Opcode::RefAsNonNull);
  EXPECT_EQ(code[2].op, Opcode::BrOnNull);
  EXPECT_EQ(code[3].op, Opcode::BrOnNonNull);
  EXPECT_EQ(code[4].op, Opcode::CallRef);
}

// GC's types are a feature Aperture does not implement: named, never "malformed".
TEST(FuncRefsDecoderTest, GcIsRefusedByName) {
  const Bytes cases[] = {
      {0x01, 0x03, 0x01, 0x5F, 0x00},                    // struct type
      {0x01, 0x04, 0x01, 0x4E, 0x01, 0x60},              // rec group
      {0x01, 0x05, 0x01, 0x60, 0x01, 0x6E, 0x00},        // anyref param
      {0x01, 0x06, 0x01, 0x60, 0x01, 0x63, 0x6C, 0x00},  // (ref null i31) param
  };
  for (const Bytes& c : cases) {
    try {
      decode_module(module(c));
      FAIL() << "decoded a GC module";
    } catch (const UnsupportedFeatureError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find("module uses garbage collection (GC"), std::string::npos) << what;
      EXPECT_NE(what.find("not GC"), std::string::npos) << what;
      EXPECT_EQ(what.find("malformed"), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace aperture
