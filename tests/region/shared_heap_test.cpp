// The WAMR-compatible shared heap: the allocator through the C++ API, a C guest written
// for WAMR under `aperture run`, and two processes allocating from one heap at once.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>
#include <vector>

#include "cli/run_aperture.h"
#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "aperture/shared_heap.h"
#include "child_process.h"
#include "shm_cli_fixture.h"
#include "wasi/wasi_types.h"

namespace aperture {
namespace {

using testing_support::ChildProcess;

TEST(SharedHeapTest, AllocatesFreesReusesAndExhausts) {
  auto region = Region::create_memfd(256 * 1024, "heap");
  auto heap = SharedHeap::open(region);
  EXPECT_EQ(heap->address() + heap->capacity(), Memory::kAddressSpace) << "at the top of the 4 GiB space";
  EXPECT_EQ(heap->address(), SharedHeap::default_address(*region));
  uint64_t a = heap->malloc(100), b = heap->malloc(1);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  EXPECT_EQ(a % SharedHeap::kGranule, 0u);
  EXPECT_GE(b, a + 100) << "blocks do not overlap";
  heap->free(a);
  EXPECT_EQ(heap->malloc(100), a) << "the freed block is reused";
  EXPECT_EQ(heap->malloc(0), 0u);
  EXPECT_EQ(heap->malloc(UINT32_MAX), 0u);
  heap->free(0);
  heap->free(b + 16);            // inside no block start: ignored
  heap->free(heap->address() - 16);  // outside the heap: ignored
  std::vector<uint64_t> blocks;
  while (uint64_t p = heap->malloc(1000)) blocks.push_back(p);
  EXPECT_EQ(heap->malloc(1000), 0u) << "exhausted";
  EXPECT_GT(blocks.size(), heap->capacity() / 1008 - 3);
  for (uint64_t p : blocks) heap->free(p);
  heap->free(a);
  heap->free(b);
  EXPECT_NE(heap->malloc(static_cast<uint32_t>(heap->capacity())), 0u) << "all free again: one block of everything";
}

TEST(SharedHeapTest, TwoOpensOfOneRegionShareTheAllocator) {
  auto region = Region::create_memfd(128 * 1024, "heap2");
  auto first = SharedHeap::open(region);
  auto again = Region::from_fd(region->fd(), 0, region->size(), true, "heap2-again");
  auto second = SharedHeap::open(again);
  std::vector<uint64_t> got;
  for (int i = 0; i < 20; ++i) {
    got.push_back(first->malloc(256));
    got.push_back(second->malloc(256));
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end()) << "no block handed out twice";
  for (size_t i = 1; i < got.size(); ++i) EXPECT_GE(got[i], got[i - 1] + 256);
}

TEST(SharedHeapTest, BadRegionsAreRefused) {
  auto garbage = Region::create_memfd(64 * 1024, "garbage");
  std::memset(garbage->data(), 0x5A, 64);
  try {
    SharedHeap::open(garbage);
    ADD_FAILURE() << "a region holding other data must be refused";
  } catch (const RegionError& e) {
    EXPECT_NE(std::string(e.what()).find("not a shared heap"), std::string::npos) << e.what();
  }
  auto tiny = Region::create_memfd(host_page_size(), "tiny");
  EXPECT_THROW(SharedHeap::open(tiny), RegionError);
  std::vector<uint8_t> buffer(1 << 16);
  EXPECT_THROW(SharedHeap::open(Region::from_host_memory(buffer.data(), buffer.size(), true)), RegionError);
  auto made = Region::create_memfd(128 * 1024, "sized");
  SharedHeap::open(made);
  auto smaller = Region::from_fd(made->fd(), 0, 64 * 1024, true, "smaller");
  EXPECT_THROW(SharedHeap::open(smaller), RegionError) << "a heap made for another size";
  EXPECT_THROW(SharedHeap::open(nullptr), RegionError);
}

TEST(SharedHeapTest, TheHeapWindowIsMappedAtItsAddressInEveryMemory) {
  auto region = Region::create_memfd(128 * 1024, "heap3");
  auto heap = SharedHeap::open(region);
  Memory one(MemoryType{Limits{1, std::nullopt, false}});
  Memory two(MemoryType{Limits{1, std::nullopt, false}});
  heap->attach(one);
  heap->attach(two);
  uint64_t p = heap->malloc(64);
  ASSERT_NE(p, 0u);
  uint32_t v = 0xFEEDBEEF;
  ASSERT_TRUE(one.write(p, &v, 4));
  uint32_t seen = 0;
  ASSERT_TRUE(two.read(p, &seen, 4));
  EXPECT_EQ(seen, v) << "one pointer, the same bytes in both memories";
  EXPECT_THROW(heap->attach(one), RegionError) << "twice in one memory overlaps";
  EXPECT_EQ(one.grow(65536 - 1), -1) << "memory.grow stops below the heap";
}

// --- under `aperture run` ---

std::string aperture() { return std::string(APERTURE_BINARY_DIR) + "/aperture"; }
std::string guest() { return testing_support::guest("wamr_heap"); }
using testing_support::run;

class WamrHeapGuestTest : public testing_support::ShmCliTest {
 protected:
  WamrHeapGuestTest() : ShmCliTest("/aperture_heap_", 1 << 20) {}
};

TEST_F(WamrHeapGuestTest, AGuestWrittenForWamrRunsUnchanged) {
  // The expected block count comes from the same layout on a private region.
  uint64_t capacity = SharedHeap::open(Region::create_memfd(1 << 20, "probe"))->capacity();
  std::string out;
  ASSERT_EQ(run("run --region h=shm:" + shm_ + " --shared-heap h " + guest() + " basic", &out), 0) << out;
  std::ostringstream want;
  want << "allocated two blocks, aligned\n"
       << "freed block reused: yes\n"
       << "exhausted after " << capacity / 4096 << " blocks of 4096 bytes (next: 0), 0 bad bytes\n"
       << "too large: 0\n"
       << "after freeing all, one block of " << capacity / 4096 * 4096 << " bytes: ok\n";
  EXPECT_EQ(out, want.str());
  out.clear();
  EXPECT_EQ(run("run --region h=shm:" + shm_ + " --shared-heap h " + guest() + " basic", &out), 0)
      << "a second run joins the heap the first one made (and left empty): " << out;
}

struct Block {
  uint64_t addr, size;
};

// Reads "block ADDR SIZE" lines up to "holding".
std::vector<Block> blocks_of(ChildProcess& p, std::string* log) {
  std::vector<Block> blocks;
  for (;;) {
    std::string l = p.line();
    *log += l + "\n";
    if (l == "holding" || l == "(timeout)" || l == "(eof)") break;
    unsigned long long addr = 0, size = 0;
    if (std::sscanf(l.c_str(), "block %llu %llu", &addr, &size) == 2) blocks.push_back({addr, size});
  }
  return blocks;
}

TEST_F(WamrHeapGuestTest, TwoProcessesNeverGetOverlappingBlocks) {
  constexpr int kBlocks = 300;
  auto start = [&](const char* tag, const char* size) {
    return std::make_unique<ChildProcess>(std::vector<std::string>{
        aperture(), "run", "--region", "h=shm:" + shm_, "--shared-heap", "h", guest(), "hold", tag,
        std::to_string(kBlocks), size});
  };
  auto a = start("A", "1000");
  auto b = start("B", "1500");
  std::string log_a, log_b;
  std::vector<Block> all = blocks_of(*a, &log_a);
  ASSERT_EQ(all.size(), static_cast<size_t>(kBlocks)) << log_a;
  std::vector<Block> from_b = blocks_of(*b, &log_b);
  ASSERT_EQ(from_b.size(), static_cast<size_t>(kBlocks)) << log_b;
  all.insert(all.end(), from_b.begin(), from_b.end());
  std::sort(all.begin(), all.end(), [](const Block& x, const Block& y) { return x.addr < y.addr; });
  for (size_t i = 1; i < all.size(); ++i)
    ASSERT_GE(all[i].addr, all[i - 1].addr + all[i - 1].size) << "blocks at " << all[i - 1].addr << " and " << all[i].addr << " overlap";
  a->send("go\n");
  b->send("go\n");
  EXPECT_EQ(a->line(), "intact");
  EXPECT_EQ(b->line(), "intact");
  EXPECT_EQ(a->wait(), 0);
  EXPECT_EQ(b->wait(), 0);
}

TEST_F(WamrHeapGuestTest, BadHeapOptionsAreClearErrors) {
  std::string out;
  EXPECT_EQ(run("run --region h=shm:" + shm_ + " --shared-heap nope " + guest() + " basic", &out), 2) << out;
  EXPECT_NE(out.find("which no --region defines"), std::string::npos) << out;
  std::memset(region_->data(), 0x77, 16);
  out.clear();
  EXPECT_EQ(run("run --region h=shm:" + shm_ + " --shared-heap h " + guest() + " basic", &out), 1) << out;
  EXPECT_NE(out.find("not a shared heap"), std::string::npos) << out;
}

}  // namespace
}  // namespace aperture
