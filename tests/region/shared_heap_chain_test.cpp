// Chained shared heaps (issue 24; docs/regions.md, "Chained heaps"): placement, the
// chain's allocator, the chains it refuses, and under `aperture run` a C guest written for
// WAMR allocating across two heaps, in two processes at once.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/shared_heap.h"
#include "child_process.h"
#include "heap_blocks.h"
#include "cli/run_aperture.h"
#include "shm_cli_fixture.h"
#include "wasi/wasi_types.h"

namespace aperture {
namespace {

using testing_support::ChildProcess;

// Whether `f` throws a RegionError whose message contains `text`.
template <class F>
::testing::AssertionResult refused(F f, const std::string& text) {
  try {
    f();
  } catch (const RegionError& e) {
    if (std::string(e.what()).find(text) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "the error does not say '" << text << "': " << e.what();
  }
  return ::testing::AssertionFailure() << "not refused (expected: " << text << ")";
}

TEST(SharedHeapChainTest, HeapsArePlacedDownwardAndMallocTakesTheFirstWithRoom) {
  auto ra = Region::create_memfd(128 * 1024, "a"), rb = Region::create_memfd(64 * 1024, "b");
  auto a = SharedHeap::open(ra), b = SharedHeap::open(rb);
  auto chain = SharedHeapChain::make({a, b});
  EXPECT_EQ(a->address(), Memory::kAddressSpace - a->capacity()) << "the first heap stays where it is alone";
  EXPECT_EQ(b->address(), a->address() - b->capacity()) << "the next one directly below it";
  EXPECT_EQ(chain->address(), b->address());
  EXPECT_EQ(SharedHeap::open(Region::from_fd(ra->fd(), 0, 0, true, "a-alone"))->address(), a->address())
      << "a process attaching only the first heap agrees on its addresses";

  uint64_t whole_a = chain->malloc(static_cast<uint32_t>(a->capacity()));
  EXPECT_EQ(whole_a, a->address()) << "all of the first heap";
  uint64_t in_b = chain->malloc(16);
  EXPECT_EQ(in_b, b->address()) << "the first heap is full: the second one serves";
  EXPECT_EQ(chain->malloc(static_cast<uint32_t>(b->capacity())), 0u) << "no heap has room";
  chain->free(in_b);
  EXPECT_EQ(b->usage().blocks, 0u) << "freed into the heap that holds it";
  EXPECT_EQ(a->usage().blocks, 1u);
  chain->free(whole_a);
  EXPECT_EQ(a->usage().blocks, 0u);
  EXPECT_EQ(chain->malloc(16), a->address()) << "the first heap has room again";
  chain->free(0);
  chain->free(b->address() - 16);  // below the chain: ignored
}

TEST(SharedHeapChainTest, BadChainsAreRefused) {
  auto ra = Region::create_memfd(64 * 1024, "a");
  auto a = SharedHeap::open(ra), b = SharedHeap::open(Region::create_memfd(64 * 1024, "b"));
  EXPECT_TRUE(refused([] { SharedHeapChain::make({}); }, "no heap"));
  EXPECT_TRUE(refused([&] { SharedHeapChain::make({a, nullptr}); }, "heap 2 is null"));
  EXPECT_TRUE(refused([&] { SharedHeapChain::make({a, a}); }, "is heap 1 and heap 2"));
  auto a_again = SharedHeap::open(Region::from_fd(ra->fd(), 0, 0, true, "a-again"));
  EXPECT_TRUE(refused([&] { SharedHeapChain::make({a, b, a_again}); }, "is heap 1 and heap 3"))
      << "two handles of one region are one heap";
  auto attached = SharedHeap::open(Region::create_memfd(64 * 1024, "c"));
  Memory m(MemoryType{Limits{1, std::nullopt, false}});
  attached->attach(m);
  EXPECT_TRUE(refused([&] { SharedHeapChain::make({a, attached}); }, "attached already"));
  SharedHeapChain::make({a, b});
  EXPECT_TRUE(refused([&] { SharedHeapChain::make({b}); }, "in another chain"));
}

// Two fresh heaps of 1.5 GiB and 1 GiB (sparse memfds: opening them reads no pages) take
// more than the 2 GiB a chain may have.
TEST(SharedHeapChainTest, AChainTooBigForTheSpaceBelow4GiBIsRefused) {
  auto big = SharedHeap::open(Region::create_memfd(3ull << 29, "big"));
  auto more = SharedHeap::open(Region::create_memfd(1ull << 30, "more"));
  EXPECT_TRUE(refused([&] { SharedHeapChain::make({big, more}); }, "more than the 2 GiB a chain may take"));
  EXPECT_NO_THROW(SharedHeapChain::make({big})) << "alone, it fits";
}

TEST(SharedHeapChainTest, AttachIsAllOrNothingAndRefusesWhatIsInTheWay) {
  auto a = SharedHeap::open(Region::create_memfd(128 * 1024, "a"));
  auto b = SharedHeap::open(Region::create_memfd(128 * 1024, "b"));
  auto chain = SharedHeapChain::make({a, b});
  // A window where the second heap goes.
  Memory m(MemoryType{Limits{1, std::nullopt, false}});
  map_window(m, Region::create_memfd(host_page_size(), "other"), 0, host_page_size(), b->address(), Access::Read);
  EXPECT_TRUE(refused([&] { chain->attach(m); }, "overlaps an existing window"));
  EXPECT_FALSE(a->attached_to(m)) << "the first heap's window went again";
  EXPECT_FALSE(chain->attached_to(m));
  // A memory whose pages reach below the first heap but into the second.
  uint64_t pages = (b->address() + b->capacity() / 2) / kWasmPageSize;
  Memory big(MemoryType{Limits{pages, std::nullopt, false}});
  ASSERT_LT(big.size_bytes(), a->address());
  ASSERT_GT(big.size_bytes(), b->address());
  EXPECT_TRUE(refused([&] { chain->attach(big); }, "reach into the heap's window"));
  Memory fits(MemoryType{Limits{1, std::nullopt, false}});
  chain->attach(fits);
  EXPECT_TRUE(chain->attached_to(fits));
  EXPECT_EQ(fits.grow(pages), -1) << "memory.grow stops below the chain";
}

// --- under `aperture run`: two shm regions, heaps a and b ---

std::string aperture() { return std::string(APERTURE_BINARY_DIR) + "/aperture"; }
std::string guest() { return testing_support::guest("wamr_heap"); }
using testing_support::run;

class ChainCliTest : public testing_support::ShmCliTest {
 protected:
  ChainCliTest() : ShmCliTest("/aperture_chain_a_", 128 * 1024) {}
  void SetUp() override {
    ShmCliTest::SetUp();
    if (IsSkipped()) return;
    shm_b_ = "/aperture_chain_b_" + std::to_string(getpid());
    Region::create_shm(shm_b_, 128 * 1024);
    capacity_ = SharedHeap::open(Region::create_memfd(128 * 1024, "probe"))->capacity();
  }
  void TearDown() override {
    if (!shm_b_.empty()) Region::remove_shm(shm_b_);
    ShmCliTest::TearDown();
  }
  std::vector<std::string> chain_args() {
    return {aperture(), "run", "--region", "a=shm:" + shm_, "--region", "b=shm:" + shm_b_,
            "--shared-heap", "a", "--shared-heap", "b"};
  }
  std::string chain_cli() {
    return "run --region a=shm:" + shm_ + " --region b=shm:" + shm_b_ + " --shared-heap a --shared-heap b ";
  }
  std::string shm_b_;
  uint64_t capacity_ = 0;
};

using testing_support::Block;
using testing_support::blocks_of;

// Process A takes more than heap a holds, so its last blocks come from heap b; process B,
// on the same chain at the same time, gets blocks of neither of A's; a third process reads
// A's byte in heap b at A's address; at the end every block went back to its own heap.
TEST_F(ChainCliTest, TwoProcessesAllocateAcrossTheChainAndSeeTheSameBlocks) {
  const uint64_t top = Memory::kAddressSpace, a_start = top - capacity_, b_start = a_start - capacity_;
  const int per_heap = static_cast<int>(capacity_ / 4096);
  auto hold = [&](const char* tag, int n) {
    std::vector<std::string> argv = chain_args();
    for (std::string s : {guest(), std::string("hold"), std::string(tag), std::to_string(n), std::string("4096")})
      argv.push_back(s);
    return std::make_unique<ChildProcess>(argv);
  };
  auto a = hold("A", per_heap + 2);
  std::string log_a, log_b;
  std::vector<Block> from_a = blocks_of(*a, &log_a);
  ASSERT_EQ(from_a.size(), static_cast<size_t>(per_heap + 2)) << log_a;
  for (int i = 0; i < per_heap; ++i) ASSERT_GE(from_a[i].addr, a_start) << "block " << i << " in heap a\n" << log_a;
  for (int i = per_heap; i < per_heap + 2; ++i) {
    EXPECT_GE(from_a[i].addr, b_start) << log_a;
    EXPECT_LT(from_a[i].addr, a_start) << "block " << i << " of heap b\n" << log_a;
  }
  auto b = hold("B", 4);
  std::vector<Block> from_b = blocks_of(*b, &log_b);
  ASSERT_EQ(from_b.size(), 4u) << log_b;
  std::vector<Block> all = from_a;
  all.insert(all.end(), from_b.begin(), from_b.end());
  std::sort(all.begin(), all.end(), [](const Block& x, const Block& y) { return x.addr < y.addr; });
  for (size_t i = 1; i < all.size(); ++i) ASSERT_GE(all[i].addr, all[i - 1].addr + all[i - 1].size) << "overlap";
  for (const Block& blk : from_b) EXPECT_LT(blk.addr, a_start) << "heap a is full: B's blocks come from heap b";

  std::string out;
  ASSERT_EQ(run(chain_cli() + guest() + " peek " + std::to_string(from_a.back().addr), &out), 0) << out;
  EXPECT_EQ(out, "byte at " + std::to_string(from_a.back().addr) + ": A\n");
  testing_support::release_holders(*a, *b);
  for (const std::string& shm : {shm_, shm_b_}) {
    out.clear();
    ASSERT_EQ(run("region heap " + shm, &out), 0) << out;
    EXPECT_NE(out.find("0 blocks in use"), std::string::npos) << "each block was freed into its own heap: " << out;
  }
}

TEST_F(ChainCliTest, BadChainsOnTheCommandLineAreClearErrors) {
  std::string base = "run --region a=shm:" + shm_ + " --region b=shm:" + shm_b_ + " ";
  std::string out;
  EXPECT_EQ(run(base + "--shared-heap a,b " + guest() + " basic", &out), 2) << out;
  EXPECT_NE(out.find("to chain heaps, repeat it (--shared-heap a --shared-heap b)"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run(base + "--shared-heap a --shared-heap a " + guest() + " basic", &out), 1) << out;
  EXPECT_NE(out.find("is heap 1 and heap 2"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run(base + "--shared-heap ,reclaim " + guest() + " basic", &out), 2) << out;
  EXPECT_NE(out.find("names no region"), std::string::npos) << out;
  out.clear();
  // A window where heap b goes: the run stops before the guest starts.
  char where[32];
  std::snprintf(where, sizeof where, "0x%llx", static_cast<unsigned long long>(Memory::kAddressSpace - 2 * capacity_));
  EXPECT_EQ(run(base + "--region w=memfd:size=4K --map w@" + std::string(where) +
                    ",ro --shared-heap a --shared-heap b " + guest() + " basic",
                &out),
            1)
      << out;
  EXPECT_NE(out.find("overlaps an existing window"), std::string::npos) << out;
}

// --- reclaim in a chain: per heap (docs/regions.md, "Chained heaps", "Lifetime") ---

// A chain of a reclaiming handle of heap a and a keeping handle of heap b: when the chain
// goes, its blocks of a go with it and its blocks of b stay.
TEST(SharedHeapChainTest, ReclaimIsPerHeapOfTheChain) {
  auto ra = Region::create_memfd(64 * 1024, "a"), rb = Region::create_memfd(64 * 1024, "b");
  SharedHeapOptions reclaim;
  reclaim.reclaim = true;
  {
    auto a = SharedHeap::open(ra, reclaim), b = SharedHeap::open(rb);
    auto chain = SharedHeapChain::make({a, b});
    ASSERT_EQ(chain->malloc(static_cast<uint32_t>(a->capacity())), a->address());
    ASSERT_EQ(chain->malloc(64), b->address());
    EXPECT_EQ(a->usage().owners.size(), 1u);
  }
  EXPECT_EQ(SharedHeap::open(ra)->usage().blocks, 0u) << "heap a reclaimed the chain's block";
  SharedHeapUsage u = SharedHeap::open(rb)->usage();
  EXPECT_EQ(u.blocks, 1u) << "heap b keeps its block";
  EXPECT_EQ(u.kept_blocks, 1u);
}

// Under `aperture run`: `--shared-heap a --shared-heap b,reclaim` with a program that takes
// 512 KiB and never frees. The first run's block stays in a; every later run finds a too
// full and takes b, which gets its block back when the run ends — so they all run.
TEST_F(ChainCliTest, ReclaimOnTheCommandLineIsPerHeap) {
  // 1 MiB heaps for this one: a 512 KiB block fits once.
  Region::remove_shm(shm_);
  Region::remove_shm(shm_b_);
  region_ = Region::create_shm(shm_, 1 << 20);
  Region::create_shm(shm_b_, 1 << 20);
  std::string cli = "run --region a=shm:" + shm_ + " --region b=shm:" + shm_b_ +
                    " --shared-heap a --shared-heap b,reclaim " + testing_support::guest("heap_app");
  std::string out;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(run(cli, &out), 0) << "run " << i << ": " << out;
  out.clear();
  ASSERT_EQ(run("region heap " + shm_, &out), 0) << out;
  EXPECT_NE(out.find("kept (no owner): 1 block, 524288 bytes"), std::string::npos) << out;
  out.clear();
  ASSERT_EQ(run("region heap " + shm_b_, &out), 0) << out;
  EXPECT_NE(out.find("0 blocks in use"), std::string::npos) << out;
}

}  // namespace
}  // namespace aperture
