// Host memory that a vendor library hands around by pointer or by fd (issue 24;
// docs/regions.md, "Buffers of other libraries"): the zero-copy ways. A buffer the
// host allocates from a region and passes to the library by pointer is the guest's window
// itself; a buffer the library gives as a descriptor (a dma-buf; here a memfd stands in)
// becomes a region with Region::from_fd, or `--region NAME=fd:N` for a process that
// inherits it. No copy and no sync in either direction.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "cli/run_aperture.h"
#include "module_support.h"

namespace aperture {
namespace {

constexpr uint32_t kAt = 0x10000000;
constexpr uint64_t kBytes = 64 * 1024;

// A vendor library's API that knows only pointers: it fills `n` bytes at `out`.
void vendor_capture(uint8_t* out, size_t n, uint8_t frame) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(frame + i);
}

WindowOptions mapped() {
  WindowOptions o;
  o.mode = WindowMode::Map;  // zero-copy is the point, whatever APERTURE_WINDOW_MODE says
  return o;
}

class HostBufferTest : public ::testing::Test {
 protected:
  void SetUp() override { inst_ = &store_.instantiate(testing_support::load_test_module("window_ops"), Linker{}); }
  uint32_t load(uint32_t addr) { return inst_->call("load32", std::vector<Value>{Value::i32(addr)}).at(0).as_u32(); }
  void store(uint32_t addr, uint32_t v) { inst_->call("store32", std::vector<Value>{Value::i32(addr), Value::i32(v)}); }
  Store store_;
  Instance* inst_ = nullptr;
};

uint32_t word(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

TEST_F(HostBufferTest, ABufferAllocatedFromARegionIsTheGuestsWindow) {
  auto region = Region::create_memfd(kBytes, "frame");
  uint8_t* buffer = region->data();  // hand this pointer to the library
  map_window(*inst_->memory(0), region, 0, 0, kAt, Access::ReadWrite, mapped());
  vendor_capture(buffer, kBytes, 1);
  EXPECT_EQ(load(kAt + 100), word(buffer + 100)) << "the guest sees what the library wrote";
  vendor_capture(buffer, kBytes, 2);  // the next frame, into the same buffer
  EXPECT_EQ(load(kAt + 100), word(buffer + 100));
  store(kAt + 8, 0xC0FFEE);
  EXPECT_EQ(word(buffer + 8), 0xC0FFEEu) << "the library sees what the guest wrote, without a sync";
}

TEST_F(HostBufferTest, AnFdFromALibraryIsMappedZeroCopyAtItsOwnSize) {
  // The library's buffer: a descriptor it created and maps itself.
  int fd = memfd_create("dmabuf-stand-in", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, kBytes), 0);
  auto* theirs = static_cast<uint8_t*>(mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(theirs, MAP_FAILED);
  auto region = Region::from_fd(fd, 0, /*size: the fd's own*/ 0, true, "dmabuf");
  close(fd);  // the region holds its own duplicate
  EXPECT_EQ(region->size(), kBytes);
  EXPECT_EQ(region->backing(), Region::Backing::Fd);
  map_window(*inst_->memory(0), region, 0, 0, kAt, Access::ReadWrite, mapped());
  vendor_capture(theirs, kBytes, 7);
  EXPECT_EQ(load(kAt + kBytes - 4), word(theirs + kBytes - 4));
  store(kAt, 0xD15EA5E);
  EXPECT_EQ(word(theirs), 0xD15EA5Eu) << "one set of pages: the library's own mapping sees the guest's store";
  munmap(theirs, kBytes);
}

TEST_F(HostBufferTest, FdRegionsOfNoSizeOrPastTheirEndAreRefused) {
  int fd = memfd_create("empty", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_THROW(Region::from_fd(fd, 0, 0, true, "empty"), RegionError) << "nothing to map";
  ASSERT_EQ(ftruncate(fd, 5000), 0);
  try {
    Region::from_fd(fd, 0, 0, true, "odd");
    ADD_FAILURE() << "writes past the end of a 5000-byte file would be lost";
  } catch (const RegionError& e) {
    EXPECT_NE(std::string(e.what()).find("ends inside"), std::string::npos) << e.what();
  }
  EXPECT_EQ(Region::from_fd(fd, 0, 0, false, "odd-ro")->size(), (5000 + host_page_size() - 1) / host_page_size() * host_page_size());
  close(fd);
}

// A process that inherits a descriptor (a launcher passing a dma-buf on) names it on the
// command line: `--region NAME=fd:N`. Both processes see one set of pages.
TEST_F(HostBufferTest, CommandLineTakesAnInheritedFd) {
  int fd = memfd_create("inherited", 0);  // no CLOEXEC: `aperture run` inherits it
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, kBytes), 0);
  auto* mine = static_cast<uint8_t*>(mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(mine, MAP_FAILED);
  vendor_capture(mine, kBytes, 3);
  std::string region = " --region b=fd:" + std::to_string(fd) + " --map b@" + std::to_string(kAt) + " ";
  std::string module = cli_test::wat_module("window_ops");
  cli_test::Result r = cli_test::run_aperture("run" + region + module + " --invoke load32 " + std::to_string(kAt + 12));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, std::to_string(word(mine + 12)) + "\n");
  r = cli_test::run_aperture("run" + region + module + " --invoke store32 " + std::to_string(kAt + 16) + " 4242");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(word(mine + 16), 4242u) << "the other process's store is in our pages";
  r = cli_test::run_aperture("run --region b=fd:9999 " + module + " --invoke load32 0");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(cli_test::contains(r.out, "fd region 'b'")) << r.out;
  r = cli_test::run_aperture("run --region b=fd:three " + module + " --invoke load32 0");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  munmap(mine, kBytes);
  close(fd);
}

}  // namespace
}  // namespace aperture
