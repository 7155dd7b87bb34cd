// A SIMD guest transforms a shm window in place (issue 22; guests/simd_window.c): the
// test fills the region through its own mapping, `aperture run` maps it into the guest,
// whose v128 loads and stores rewrite the pixels, and the test checks every byte against
// a scalar transform of its own. Runs in every engine that runs SIMD; an engine without
// SIMD is skipped, saying so (it refuses the module).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "engine_under_test.h"
#include "shm_cli_fixture.h"

namespace aperture {
namespace {

using testing_support::guest;
using testing_support::run;

constexpr uint64_t kRegionBytes = 1 << 16;

class SimdWindowTest : public testing_support::ShmCliTest {
 protected:
  SimdWindowTest() : ShmCliTest("/aperture_simd_", kRegionBytes) {}
  void SetUp() override {
    ShmCliTest::SetUp();
    if (IsSkipped()) return;
    EngineKind kind = testing_support::engine_under_test().kind;
    if (!engine_supports_simd(kind))
      GTEST_SKIP() << "the " << engine_name(kind) << " engine does not run SIMD in this build";
  }
};

uint8_t add30(uint8_t v) { return static_cast<uint8_t>(v > 225 ? 255 : v + 30); }

// The expected region: RGBA -> BGRA, colour channels +30 saturating, in [0, length).
std::vector<uint8_t> reference(const std::vector<uint8_t>& in, size_t length) {
  std::vector<uint8_t> out = in;
  for (size_t i = 0; i < length; i += 4) {
    out[i] = add30(in[i + 2]);
    out[i + 1] = add30(in[i + 1]);
    out[i + 2] = add30(in[i]);
  }
  return out;
}

TEST_F(SimdWindowTest, GuestTransformsTheRegionInPlace) {
  uint8_t* bytes = region_->data();
  std::vector<uint8_t> before(kRegionBytes);
  uint32_t x = 0x2468ace1;
  for (uint8_t& b : before) b = static_cast<uint8_t>((x = x * 1664525u + 1013904223u) >> 24);
  std::memcpy(bytes, before.data(), kRegionBytes);
  // 12 bytes past a multiple of 16: the guest's scalar tail runs too; the last 4 KiB
  // and 4 bytes stay as they were.
  const size_t length = kRegionBytes - 4096 - 4;
  std::string out;
  ASSERT_EQ(run("run --region frame=shm:" + shm_ + " --grant frame " + guest("simd_window") + " " +
                    std::to_string(length), &out), 0) << out;
  EXPECT_NE(out.find("transformed " + std::to_string(length) + " bytes"), std::string::npos) << out;
  std::vector<uint8_t> expected = reference(before, length);
  size_t wrong = 0, first = 0;
  for (size_t i = 0; i < kRegionBytes; ++i)
    if (bytes[i] != expected[i] && wrong++ == 0) first = i;
  EXPECT_EQ(wrong, 0u) << "first at byte " << first << ": " << int(bytes[first]) << ", expected "
                       << int(expected[first]) << " (was " << int(before[first]) << ")";

  // A second run transforms the result again: the window shows what the first left.
  ASSERT_EQ(run("run --region frame=shm:" + shm_ + " --grant frame " + guest("simd_window") + " " +
                    std::to_string(length), &out), 0) << out;
  expected = reference(expected, length);
  EXPECT_EQ(std::memcmp(bytes, expected.data(), kRegionBytes), 0);
}

TEST_F(SimdWindowTest, TheModuleUsesSimd) {
  std::string out;
  ASSERT_EQ(run("inspect " + guest("simd_window"), &out), 0) << out;
  EXPECT_NE(out.find("features: simd"), std::string::npos) << out;
}

}  // namespace
}  // namespace aperture
