// The WAMR-compatible shared heap: the allocator through the C++ API, a C guest written
// for WAMR under `aperture run`, and two processes allocating from one heap at once.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <signal.h>
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
#include "heap_blocks.h"
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

// --- lifetime (issue 24; docs/regions.md, "Lifetime of a block") ---

SharedHeapOptions reclaiming() {
  SharedHeapOptions o;
  o.reclaim = true;
  return o;
}

TEST(SharedHeapTest, BlocksAreKeptByDefaultAndGoWithAReclaimingHandle) {
  auto region = Region::create_memfd(256 * 1024, "owned");
  auto keeper = SharedHeap::open(region);
  ASSERT_NE(keeper->malloc(1000), 0u);
  {
    auto owner = SharedHeap::open(Region::from_fd(region->fd(), 0, region->size(), true, "again"), reclaiming());
    for (int i = 0; i < 10; ++i) ASSERT_NE(owner->malloc(4096), 0u);
    SharedHeapUsage u = keeper->usage();
    EXPECT_EQ(u.blocks, 11u);
    EXPECT_EQ(u.kept_blocks, 1u);
    ASSERT_EQ(u.owners.size(), 1u);
    EXPECT_EQ(u.owners[0].pid, static_cast<uint32_t>(getpid()));
    EXPECT_TRUE(u.owners[0].alive);
    EXPECT_EQ(u.owners[0].blocks, 10u);
    EXPECT_EQ(u.owners[0].bytes, 40960u);
  }
  SharedHeapUsage u = keeper->usage();
  EXPECT_EQ(u.blocks, 1u) << "the reclaiming handle's blocks went with it";
  EXPECT_EQ(u.used_bytes, 1008u) << "1000 bytes in 16-byte granules";
  EXPECT_TRUE(u.owners.empty());
  keeper.reset();
  EXPECT_EQ(SharedHeap::open(region)->usage().blocks, 1u) << "a kept block outlives every handle";
}

// A reclaiming process that dies without closing its heap (SIGKILL, or _exit) leaves its
// blocks to the next allocation or open, in any process: its lock on its owner slot went
// with it.
TEST(SharedHeapTest, BlocksOfADeadProcessAreReclaimedByTheNextAllocationOrOpen) {
  for (bool killed : {true, false}) {
    SCOPED_TRACE(killed ? "SIGKILL" : "_exit");
    auto region = Region::create_memfd(256 * 1024, "dead");
    auto heap = SharedHeap::open(region);
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t pid = fork();
    if (pid == 0) {
      auto mine = SharedHeap::open(region, reclaiming());
      while (mine->malloc(4096) != 0) {
      }
      char c = 1;
      if (write(ready[1], &c, 1) != 1) _exit(2);
      if (killed) pause();
      _exit(0);  // no destructor runs, as in a crash
    }
    char c = 0;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    close(ready[0]);
    close(ready[1]);
    if (killed) kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    SharedHeapUsage u = heap->usage();
    ASSERT_EQ(u.owners.size(), 1u);
    EXPECT_EQ(u.owners[0].pid, static_cast<uint32_t>(pid));
    EXPECT_FALSE(u.owners[0].alive);
    EXPECT_GT(u.owners[0].blocks, 40u);
    if (killed) {
      EXPECT_NE(heap->malloc(64 * 1024), 0u) << "the allocation reclaimed the dead process's blocks";
    } else {
      SharedHeap::open(region, reclaiming());
      EXPECT_EQ(heap->usage().blocks, 0u) << "the open reclaimed them";
    }
    EXPECT_TRUE(heap->usage().owners.empty());
  }
}

TEST(SharedHeapTest, ResetFreesEveryBlockOnlyWhenNoOtherHandleIsOpen) {
  auto region = Region::create_memfd(128 * 1024, "reset");
  auto heap = SharedHeap::open(region);
  ASSERT_NE(heap->malloc(4096), 0u);
  {
    auto other = SharedHeap::open(Region::from_fd(region->fd(), 0, region->size(), true, "other"));
    try {
      heap->reset();
      ADD_FAILURE() << "another handle uses the heap: no reset";
    } catch (const RegionError& e) {
      EXPECT_EQ(e.wasi_errno(), wasi::kEbusy);
      EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
    }
    EXPECT_EQ(heap->usage().blocks, 1u);
  }
  heap->reset();
  EXPECT_EQ(heap->usage().blocks, 0u);
  EXPECT_NE(heap->malloc(static_cast<uint32_t>(heap->capacity())), 0u);
  SharedHeapOptions inspect;
  inspect.create = false;
  EXPECT_THROW(SharedHeap::open(Region::create_memfd(128 * 1024, "blank"), inspect), RegionError)
      << "no heap is made when only inspecting";
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

using testing_support::Block;
using testing_support::blocks_of;

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
  testing_support::release_holders(*a, *b);
}

// The lifetime under `aperture run`: a block kept by one run is still taken in the next;
// `aperture region heap` shows it and resets the heap, but not while a process has it
// open; with `--shared-heap NAME,reclaim` a run's blocks go when it ends.
TEST_F(WamrHeapGuestTest, RegionHeapShowsAndResetsAHeap) {
  std::string app = testing_support::guest("heap_app"), out;
  ASSERT_EQ(run("run --region h=shm:" + shm_ + " --shared-heap h " + app, &out), 0) << out;
  EXPECT_EQ(run("run --region h=shm:" + shm_ + " --shared-heap h " + app, &out), 1) << out;
  EXPECT_NE(out.find("has no 512 KiB block free"), std::string::npos) << out;
  out.clear();
  ASSERT_EQ(run("region heap " + shm_, &out), 0) << out;
  EXPECT_NE(out.find("kept (no owner): 1 block, 524288 bytes"), std::string::npos) << out;
  ChildProcess holder({aperture(), "run", "--region", "h=shm:" + shm_, "--shared-heap", "h", guest(), "hold", "A", "1", "64"});
  std::string log;
  blocks_of(holder, &log);
  out.clear();
  EXPECT_EQ(run("region heap " + shm_ + " --reset", &out), 1) << out;
  EXPECT_NE(out.find("in use"), std::string::npos) << out;
  holder.send("go\n");
  EXPECT_EQ(holder.line(), "intact");
  EXPECT_EQ(holder.wait(), 0);
  out.clear();
  ASSERT_EQ(run("region heap " + shm_ + " --reset", &out), 0) << out;
  out.clear();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(run("run --region h=shm:" + shm_ + " --shared-heap h,reclaim " + app, &out), 0) << out;
  out.clear();
  ASSERT_EQ(run("region heap " + shm_, &out), 0) << out;
  EXPECT_NE(out.find("0 blocks in use"), std::string::npos) << out;
  EXPECT_NE(run("run --region h=shm:" + shm_ + " --shared-heap h,forever " + app, &out), 0);
  EXPECT_NE(out.find("unknown option 'forever'"), std::string::npos) << out;
}

// `aperture region heap` on what is not a heap: a missing shm object, a region that never
// held one (the fixture's, still zero-filled), no name at all.
TEST_F(WamrHeapGuestTest, RegionHeapRefusesWhatIsNotAHeap) {
  std::string out;
  EXPECT_EQ(run("region heap " + shm_ + "_missing", &out), 1) << out;
  EXPECT_NE(out.find("cannot open shm region"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run("region heap " + shm_ + " --reset", &out), 1) << out;
  EXPECT_NE(out.find("holds no shared heap"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run("region heap", &out), 2) << out;
  EXPECT_NE(out.find("name is required"), std::string::npos) << out;
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
