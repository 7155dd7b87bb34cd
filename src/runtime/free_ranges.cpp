// FreeRanges: a treap of free ranges with the longest range per subtree.
#include "runtime/free_ranges.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace aperture {

struct FreeRanges::Node {
  uint64_t start, end;
  uint64_t priority;
  uint64_t longest;  // longest range in this subtree
  std::unique_ptr<Node> left, right;
};

namespace {

using Node = FreeRanges::Node;
using Tree = std::unique_ptr<Node>;

uint64_t longest(const Tree& t) { return t ? t->longest : 0; }

void update(Node& n) {
  n.longest = std::max({n.end - n.start, longest(n.left), longest(n.right)});
}

// Splits `t` into ranges starting below `key` and the rest.
std::pair<Tree, Tree> split(Tree t, uint64_t key) {
  if (!t) return {};
  if (t->start < key) {
    auto [l, r] = split(std::move(t->right), key);
    t->right = std::move(l);
    update(*t);
    return {std::move(t), std::move(r)};
  }
  auto [l, r] = split(std::move(t->left), key);
  t->left = std::move(r);
  update(*t);
  return {std::move(l), std::move(t)};
}

// Joins two treaps; every key of `a` is below every key of `b`.
Tree merge(Tree a, Tree b) {
  if (!a) return b;
  if (!b) return a;
  if (a->priority > b->priority) {
    a->right = merge(std::move(a->right), std::move(b));
    update(*a);
    return a;
  }
  b->left = merge(std::move(a), std::move(b->left));
  update(*b);
  return b;
}

// The range with the largest start <= addr, or nullptr.
const Node* at_or_before(const Tree& t, uint64_t addr) {
  const Node* best = nullptr;
  for (const Node* n = t.get(); n;) {
    if (n->start <= addr) {
      best = n;
      n = n->right.get();
    } else {
      n = n->left.get();
    }
  }
  return best;
}

// The range with the highest start >= floor whose length is >= len, or nullptr. Visits
// O(log n) nodes: a subtree is entered only if it holds a long enough range, and only the
// path along `floor` can hold such ranges that start below it.
const Node* highest_long_enough(const Node* n, uint64_t len, uint64_t floor) {
  if (!n || n->longest < len) return nullptr;
  if (const Node* r = highest_long_enough(n->right.get(), len, floor)) return r;
  if (n->start < floor) return nullptr;  // the left subtree starts lower still
  if (n->end - n->start >= len) return n;
  return highest_long_enough(n->left.get(), len, floor);
}

}  // namespace

FreeRanges::FreeRanges(uint64_t space) {
  if (space != 0) give_back(0, space);
}

FreeRanges::~FreeRanges() {
  // Free iteratively: a recursive destructor on a degenerate tree could overflow the stack.
  std::vector<Tree> pending;
  if (root_) pending.push_back(std::move(root_));
  while (!pending.empty()) {
    Tree n = std::move(pending.back());
    pending.pop_back();
    if (n->left) pending.push_back(std::move(n->left));
    if (n->right) pending.push_back(std::move(n->right));
  }
}

void FreeRanges::take(uint64_t addr, uint64_t len) {
  const Node* g = at_or_before(root_, addr);
  if (!g || g->end < addr + len) return;  // not free: nothing to take (caller's bug)
  uint64_t start = g->start, end = g->end;
  auto [lower, rest] = split(std::move(root_), start);
  auto [node, upper] = split(std::move(rest), start + 1);
  --count_;
  root_ = std::move(lower);
  auto add = [&](uint64_t s, uint64_t e) {
    if (s == e) return;
    seed_ ^= seed_ << 13, seed_ ^= seed_ >> 7, seed_ ^= seed_ << 17;
    node->start = s;
    node->end = e;
    node->priority = seed_;
    node->left.reset();
    node->right.reset();
    update(*node);
    root_ = merge(std::move(root_), std::move(node));
    node = std::make_unique<Node>();
    ++count_;
  };
  add(start, addr);
  add(addr + len, end);
  root_ = merge(std::move(root_), std::move(upper));
}

void FreeRanges::give_back(uint64_t addr, uint64_t len) {
  if (len == 0) return;
  uint64_t start = addr, end = addr + len;
  // Absorb a free neighbour on either side.
  if (const Node* before = addr ? at_or_before(root_, addr - 1) : nullptr; before && before->end == addr)
    start = before->start;
  const Node* after = at_or_before(root_, end);
  bool merge_after = after && after->start == end;
  if (merge_after) end = after->end;
  auto [lower, rest] = split(std::move(root_), start);
  auto [absorbed, upper] = split(std::move(rest), end);  // ranges in [start, end): at most 2
  count_ -= (start < addr) + merge_after;
  Tree node = std::make_unique<Node>();
  seed_ ^= seed_ << 13, seed_ ^= seed_ >> 7, seed_ ^= seed_ << 17;
  node->start = start;
  node->end = end;
  node->priority = seed_;
  update(*node);
  ++count_;
  root_ = merge(merge(std::move(lower), std::move(node)), std::move(upper));
}

std::optional<uint64_t> FreeRanges::highest_fit(uint64_t len, uint64_t floor) const {
  if (len == 0) return std::nullopt;
  if (const Node* n = highest_long_enough(root_.get(), len, floor)) return n->end - len;
  // Only the range that contains `floor` is left: its part above floor may still fit.
  const Node* g = at_or_before(root_, floor);
  if (g && g->end > floor && g->end - floor >= len) return g->end - len;
  return std::nullopt;
}

}  // namespace aperture
