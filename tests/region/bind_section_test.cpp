// The aperture.bind section format (docs/regions.md, "Declarative bindings"): encode and
// parse agree, records concatenate (the linker joins the sections of several objects),
// and every malformed record is refused with its byte offset.
#include <gtest/gtest.h>

#include "aperture/bindings.h"

namespace aperture {
namespace {

Binding window(const std::string& name, uint64_t addr) {
  Binding b;
  b.region = name;
  b.memory = 2;
  b.offset = 0x3000;
  b.size = 0x10000;
  b.addr = addr;
  b.access = Access::Read;
  return b;
}

TEST(BindSectionTest, EncodeAndParseRoundTrip) {
  Binding mem;
  mem.kind = Binding::Kind::Memory;
  mem.region = "heap";
  mem.memory = 1;
  mem.offset = 0x20000;
  std::vector<Binding> in{window("sensors", 0xF0000000), mem};
  std::vector<uint8_t> bytes = encode_bind_section(in);
  ASSERT_EQ(bytes.size(), 2 * kBindRecordHeaderBytes + 7 + 4);
  // The documented layout: version, kind, access, name length, then little-endian fields.
  EXPECT_EQ(bytes[0], 1);
  EXPECT_EQ(bytes[1], 1);
  EXPECT_EQ(bytes[2], 1);
  EXPECT_EQ(bytes[3], 7);
  EXPECT_EQ(bytes[4], 2);       // memory
  EXPECT_EQ(bytes[9], 0x30);    // offset 0x3000
  EXPECT_EQ(bytes[18], 0x01);   // size 0x10000
  EXPECT_EQ(bytes[27], 0xF0);   // addr 0xF0000000
  EXPECT_EQ(std::string(bytes.begin() + 32, bytes.begin() + 39), "sensors");
  std::vector<Binding> out = parse_bind_section(bytes);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].region, "sensors");
  EXPECT_EQ(out[0].kind, Binding::Kind::Window);
  EXPECT_EQ(out[0].memory, 2u);
  EXPECT_EQ(out[0].offset, 0x3000u);
  EXPECT_EQ(out[0].size, 0x10000u);
  EXPECT_EQ(out[0].addr, 0xF0000000u);
  EXPECT_EQ(out[0].access, Access::Read);
  EXPECT_EQ(out[1].kind, Binding::Kind::Memory);
  EXPECT_EQ(out[1].region, "heap");
  EXPECT_EQ(out[1].memory, 1u);
  EXPECT_EQ(out[1].offset, 0x20000u);
  EXPECT_TRUE(parse_bind_section({}).empty());
}

TEST(BindSectionTest, MalformedRecordsAreRefusedWithTheirOffset) {
  std::vector<uint8_t> good = encode_bind_section(std::vector<Binding>{window("a", 0), window("bb", 0x10000)});
  size_t second = kBindRecordHeaderBytes + 1;
  struct Case {
    size_t at;
    uint8_t value;
    std::string message;
  } cases[] = {
      {second + 0, 2, "format version 2"},
      {second + 1, 7, "kind 7"},
      {second + 2, 2, "access 2"},
      {second + 3, 0, "an empty region name"},
      {second + 3, 9, "the region name needs 9 bytes, 2 left"},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> bad = good;
    bad[c.at] = c.value;
    try {
      parse_bind_section(bad);
      ADD_FAILURE() << c.message << ": accepted";
    } catch (const BindError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("record at byte " + std::to_string(second)), std::string::npos)
          << e.what();
    }
  }
  std::vector<uint8_t> truncated(good.begin(), good.end() - 20);
  EXPECT_THROW(parse_bind_section(truncated), BindError);
  // A memory record with a window's fields.
  Binding mem = window("m", 0x10000);
  mem.kind = Binding::Kind::Memory;
  EXPECT_THROW(parse_bind_section(encode_bind_section(std::vector<Binding>{mem})), BindError);
  // Names of 0 or more than 255 bytes cannot be written.
  EXPECT_THROW(encode_bind_section(std::vector<Binding>{window("", 0)}), BindError);
  EXPECT_THROW(encode_bind_section(std::vector<Binding>{window(std::string(256, 'x'), 0)}), BindError);
}

TEST(BindSectionTest, ResolvingNamesEveryMissingOrUnfitRegion) {
  auto small = Region::create_memfd(4096, "small");
  RegionLookup lookup = [&](const std::string& name) -> std::shared_ptr<Region> {
    if (name == "small") return small;
    return nullptr;
  };
  auto message = [&](const Binding& b) {
    try {
      resolve_bindings(std::vector<Binding>{b}, lookup);
    } catch (const BindError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message(window("absent", 0)).find("binds region 'absent'"), std::string::npos);
  EXPECT_NE(message(window("small", 0)).find("region 'small' has 4096 bytes, too small"), std::string::npos);
  Binding huge_offset = window("small", 0);
  huge_offset.offset = ~0ull - 10;
  EXPECT_NE(message(huge_offset).find("too small"), std::string::npos);
  Binding fits = window("small", 0);
  fits.offset = 0;
  fits.size = 4096;
  EXPECT_EQ(message(fits), "accepted");
}

}  // namespace
}  // namespace aperture
