// FreeRanges (window placement bookkeeping) against a brute-force model: random takes and
// returns of page ranges, every query compared.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "runtime/free_ranges.h"

namespace aperture {
namespace {

constexpr uint64_t kUnit = 4096;

// The model: one flag per unit.
struct Model {
  std::vector<bool> used;
  explicit Model(size_t units) : used(units, false) {}
  bool free(uint64_t at, uint64_t n) const {
    for (uint64_t i = at; i < at + n; ++i)
      if (i >= used.size() || used[i]) return false;
    return true;
  }
  std::optional<uint64_t> highest_fit(uint64_t n, uint64_t floor) const {
    for (uint64_t at = used.size() - std::min<uint64_t>(n, used.size()) + 1; at-- > floor;)
      if (free(at, n)) return at;
    return std::nullopt;
  }
  size_t ranges() const {
    size_t count = 0;
    for (size_t i = 0; i < used.size(); ++i) count += !used[i] && (i == 0 || used[i - 1]);
    return count;
  }
};

TEST(FreeRangesTest, MatchesABruteForceModel) {
  constexpr size_t kUnits = 200;
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 20; ++trial) {
    FreeRanges ranges(kUnits * kUnit);
    Model model(kUnits);
    std::vector<std::pair<uint64_t, uint64_t>> taken;  // (unit, count)
    for (int step = 0; step < 2000; ++step) {
      uint64_t n = 1 + rng() % 8, floor = rng() % kUnits;
      std::optional<uint64_t> want = model.highest_fit(n, floor);
      std::optional<uint64_t> got = ranges.highest_fit(n * kUnit, floor * kUnit);
      ASSERT_EQ(got.has_value(), want.has_value()) << "trial " << trial << " step " << step;
      if (want) {
        ASSERT_EQ(*got, *want * kUnit);
      }
      bool do_take = taken.empty() || rng() % 3 != 0;
      if (do_take) {
        uint64_t at = rng() % kUnits;
        if (rng() % 2 && want) at = *want;  // placements as map_window makes them
        if (!model.free(at, n)) continue;
        ranges.take(at * kUnit, n * kUnit);
        for (uint64_t i = at; i < at + n; ++i) model.used[i] = true;
        taken.push_back({at, n});
      } else {
        size_t k = rng() % taken.size();
        auto [at, count] = taken[k];
        taken.erase(taken.begin() + static_cast<long>(k));
        ranges.give_back(at * kUnit, count * kUnit);
        for (uint64_t i = at; i < at + count; ++i) model.used[i] = false;
      }
      ASSERT_EQ(ranges.count(), model.ranges()) << "trial " << trial << " step " << step;
    }
  }
}

TEST(FreeRangesTest, WholeSpaceAndEdges) {
  FreeRanges r(16 * kUnit);
  EXPECT_EQ(r.highest_fit(16 * kUnit, 0), 0u);
  EXPECT_FALSE(r.highest_fit(17 * kUnit, 0));
  EXPECT_FALSE(r.highest_fit(0, 0));
  r.take(15 * kUnit, kUnit);
  EXPECT_EQ(r.highest_fit(kUnit, 0), 14 * kUnit);
  EXPECT_EQ(r.highest_fit(kUnit, 14 * kUnit), 14 * kUnit);
  EXPECT_FALSE(r.highest_fit(2 * kUnit, 14 * kUnit)) << "the part above the floor is too small";
  r.give_back(15 * kUnit, kUnit);
  EXPECT_EQ(r.count(), 1u) << "merged back into one range";
}

}  // namespace
}  // namespace aperture
