// Region handles are bounded per instance (GuestRegions::kDefaultMaxHandles, docs/limits.md):
// a guest that calls region_open without region_close gets -EMFILE instead of growing host
// memory without bound. The guest side is tests/region/wat/guest_calls.wat.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

constexpr int32_t kEmfile = -33, kRead = 1;

std::shared_ptr<const CompiledModule> guest_calls() {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/guest_calls.wasm", std::ios::binary);
  std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, testing_support::engine_under_test());
}

int32_t open(Instance& inst) { return inst.call("open", std::vector<Value>{Value::i32(kRead)}).at(0).as_i32(); }
int32_t close(Instance& inst, int32_t h) {
  return inst.call("close", std::vector<Value>{Value::i32(static_cast<uint32_t>(h))}).at(0).as_i32();
}

struct Guest {
  explicit Guest(GuestRegions& regions) {
    regions.grant("shared", Region::create_memfd(host_page_size(), "shared"), Access::Read);
    regions.define_imports(store, linker);
  }
  Store store;
  Linker linker;
};

TEST(HandleLimitTest, DefaultLimitPerInstanceThenEmfile) {
  GuestRegions regions;
  Guest g(regions);
  auto module = guest_calls();
  Instance& a = g.store.instantiate(module, g.linker);
  std::vector<int32_t> handles;
  for (uint32_t i = 0; i < GuestRegions::kDefaultMaxHandles; ++i) {
    handles.push_back(open(a));
    ASSERT_GT(handles.back(), 0) << "open #" << i;
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(open(a), kEmfile);
  // Another instance has its own allowance.
  Instance& b = g.store.instantiate(module, g.linker);
  EXPECT_GT(open(b), 0);
  // Closing one makes room for one.
  EXPECT_EQ(close(a, handles[500]), 0);
  int32_t again = open(a);
  EXPECT_GT(again, 0);
  EXPECT_EQ(open(a), kEmfile);
}

TEST(HandleLimitTest, LimitIsConfigurable) {
  GuestRegions regions(2);
  Guest g(regions);
  Instance& a = g.store.instantiate(guest_calls(), g.linker);
  int32_t h1 = open(a), h2 = open(a);
  EXPECT_GT(h1, 0);
  EXPECT_GT(h2, h1);
  EXPECT_EQ(open(a), kEmfile);
  EXPECT_EQ(close(a, h1), 0);
  EXPECT_GT(open(a), 0);
}

TEST(HandleLimitTest, ZeroHandlesMeansNoOpens) {
  GuestRegions regions(0);
  Guest g(regions);
  Instance& a = g.store.instantiate(guest_calls(), g.linker);
  EXPECT_EQ(open(a), kEmfile);
}

}  // namespace
}  // namespace aperture
