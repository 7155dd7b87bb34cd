// The free (window-less) ranges of a memory's wasm address space, kept so that placing a
// window at "the highest free range" and taking or returning a range cost O(log n) for n
// windows (docs/performance.md, "Mapping cost": map, unmap and protect cost one system
// call plus O(log n) bookkeeping). A treap keyed by range start; each node also knows the
// longest range in its subtree, which prunes the search.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

namespace aperture {

class FreeRanges {
 public:
  // Initially one free range [0, space).
  explicit FreeRanges(uint64_t space);
  ~FreeRanges();
  FreeRanges(const FreeRanges&) = delete;
  FreeRanges& operator=(const FreeRanges&) = delete;

  // Marks [addr, addr+len) used. It must lie inside one free range (the caller has
  // checked that it overlaps no window).
  void take(uint64_t addr, uint64_t len);
  // Marks [addr, addr+len) free again, merging it with free neighbours.
  void give_back(uint64_t addr, uint64_t len);
  // The highest address `a` >= floor with [a, a+len) free, or nullopt.
  std::optional<uint64_t> highest_fit(uint64_t len, uint64_t floor) const;
  // Number of free ranges (for tests).
  size_t count() const { return count_; }

  struct Node;

 private:
  std::unique_ptr<Node> root_;
  size_t count_ = 0;
  uint64_t seed_ = 0x9E3779B97F4A7C15ull;  // priorities: xorshift, deterministic
};

}  // namespace aperture
