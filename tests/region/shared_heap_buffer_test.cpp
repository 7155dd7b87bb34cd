// A shared heap over a host buffer (issue 24; docs/regions.md, "A heap over a host
// buffer"), Aperture's counterpart of WAMR's SharedHeapInitArgs.pre_allocated_addr: a
// buffer that is memory of a region maps zero-copy; any other pointer is refused, saying how
// to get one that maps.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/shared_heap.h"
#include "shm_cli_fixture.h"
#include "wasi/wasi_types.h"

namespace aperture {
namespace {

constexpr uint64_t kHalf = 128 * 1024;

// Where heap byte `addr` lies in the buffer the heap was made over: the heap's bytes are the
// last capacity() bytes of it (its state pages come first).
uint64_t buffer_offset(const SharedHeap& heap, uint64_t addr) {
  return kHalf - heap.capacity() + (addr - heap.address());
}

TEST(SharedHeapBufferTest, AHeapOverRegionMemoryIsZeroCopy) {
  auto pool = Region::create_memfd(2 * kHalf, "pool");
  uint8_t* buffer = pool->data() + kHalf;  // what a library would be handed
  auto heap = SharedHeap::open(Region::from_region_memory(buffer, kHalf, true));
  Memory m(MemoryType{Limits{1, std::nullopt, false}});
  heap->attach(m);
  uint64_t p = heap->malloc(64);
  ASSERT_NE(p, 0u);
  ASSERT_TRUE(m.write(p, "through the window", 19));
  EXPECT_STREQ(reinterpret_cast<const char*>(buffer + buffer_offset(*heap, p)), "through the window")
      << "the guest's window and the host's buffer are the same bytes";
  std::memcpy(buffer + buffer_offset(*heap, p), "from the host", 14);
  char seen[14] = {};
  ASSERT_TRUE(m.read(p, seen, 14));
  EXPECT_STREQ(seen, "from the host");
  // A host-memory region over the same buffer is the same heap.
  auto same = SharedHeap::open(Region::from_host_memory(buffer, kHalf, true, "host"));
  EXPECT_EQ(same->malloc(64), p + 64) << "one allocator";
}

template <class F>
std::string refusal(F f, uint32_t* wasi_errno) {
  try {
    f();
  } catch (const RegionError& e) {
    *wasi_errno = e.wasi_errno();
    return e.what();
  }
  return "(not refused)";
}

TEST(SharedHeapBufferTest, BuffersThatCannotBeMappedAreRefusedSayingWhatToDo) {
  auto pool = Region::create_memfd(2 * kHalf, "pool");
  uint8_t* buffer = pool->data();
  std::vector<uint8_t> plain(kHalf);
  uint32_t e = 0;
  std::string what = refusal([&] { SharedHeap::open(Region::from_host_memory(plain.data(), kHalf, true)); }, &e);
  EXPECT_NE(what.find("allocate the buffer from a region"), std::string::npos) << what;
  EXPECT_EQ(e, wasi::kEinval);
  what = refusal([&] { Region::from_region_memory(buffer + 100, kHalf, true); }, &e);
  EXPECT_NE(what.find("page boundary of region 'pool'"), std::string::npos) << what;
  what = refusal([&] { Region::from_region_memory(buffer + kHalf, 2 * kHalf, true); }, &e);
  EXPECT_NE(what.find("is not memory of a live Aperture region"), std::string::npos) << "past the region's end: " << what;
  auto ro = Region::from_fd(pool->fd(), 0, 0, false, "ro");
  what = refusal([&] { Region::from_region_memory(ro->data(), kHalf, true); }, &e);
  EXPECT_NE(what.find("read-only region 'ro'"), std::string::npos) << what;
  EXPECT_EQ(e, wasi::kEacces);
  EXPECT_NO_THROW(Region::from_region_memory(ro->data(), kHalf, false)) << "read-only is fine";
  const void* gone = pool->data();
  pool.reset();
  what = refusal([&] { Region::from_region_memory(const_cast<void*>(gone), kHalf, true); }, &e);
  EXPECT_NE(what.find("is not memory of a live Aperture region"), std::string::npos)
      << "a region that went takes its memory with it: " << what;
}

// The CLI has no host buffer; a buffer's descriptor that `aperture run` inherits holds a
// heap: the guest's block is in the buffer the test process maps.
TEST(SharedHeapBufferTest, CommandLineMakesAHeapOverAnInheritedFd) {
#ifndef APERTURE_GUESTS_BUILT
  GTEST_SKIP() << "configured with APERTURE_BUILD_GUESTS=OFF";
#endif
  constexpr uint64_t kBytes = 1 << 20;
  int fd = memfd_create("heap-buffer", 0);  // no CLOEXEC: `aperture run` inherits it
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, kBytes), 0);
  std::string out;
  ASSERT_EQ(testing_support::run("run --region h=fd:" + std::to_string(fd) + " --shared-heap h " +
                                     testing_support::guest("heap_app"),
                                 &out),
            0)
      << out;
  auto heap = SharedHeap::open(Region::from_fd(fd, 0, 0, true, "mine"));
  close(fd);
  SharedHeapUsage u = heap->usage();
  EXPECT_EQ(u.kept_blocks, 1u) << out;
  EXPECT_EQ(u.kept_bytes, 512u * 1024) << out;
  Memory m(MemoryType{Limits{1, std::nullopt, false}});
  heap->attach(m);
  char c = 0;
  ASSERT_TRUE(m.read(heap->address() + 1000, &c, 1));
  EXPECT_EQ(c, 'x') << "the guest's bytes are in the buffer";
}

}  // namespace
}  // namespace aperture
