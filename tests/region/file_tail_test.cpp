// A `file:` region over a file whose size is not a multiple of the page size (issue 24;
// docs/regions.md, "The model"): the region is the rest of the file rounded up to whole
// pages. Read-only, the bytes past the file's end in its last page read as 0 (as mmap
// shows them), in mapped and copy windows alike, and the guest cannot write there.
// Read-write, those writes would never reach the file, so the region is refused unless
// `create` extends the file to the whole page. A region never starts with a whole page
// past the file's end.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "cli/run_aperture.h"
#include "module_support.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();
constexpr uint64_t kFileBytes = 5000;  // one page and a part of the next
constexpr uint64_t kAt = 0x10000000;   // the window's wasm address

uint8_t pattern(uint64_t i) { return static_cast<uint8_t>(1 + i % 251); }  // never 0

uint64_t size_of(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

class FileTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::string(APERTURE_BINARY_DIR) + "/file_tail_" + std::to_string(getpid()) + ".bin";
    std::vector<uint8_t> bytes(kFileBytes);
    for (uint64_t i = 0; i < kFileBytes; ++i) bytes[i] = pattern(i);
    std::ofstream(path_, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), kFileBytes);
    inst_ = &store_.instantiate(testing_support::load_test_module("window_ops"), Linker{});
  }
  void TearDown() override { unlink(path_.c_str()); }
  uint32_t load(uint64_t addr) {
    return inst_->call("load32", std::vector<Value>{Value::i32(static_cast<uint32_t>(addr))}).at(0).as_u32();
  }
  uint64_t rounded() const { return (kFileBytes + kPage - 1) / kPage * kPage; }

  std::string path_;
  Store store_;
  Instance* inst_ = nullptr;
};

TEST_F(FileTailTest, ReadOnlyRegionIsTheRestOfTheFileAndItsTailReadsZero) {
  auto r = Region::open_file(path_, 0, 0, false, /*writable=*/false);
  ASSERT_EQ(r->size(), rounded());
  Memory& mem = *inst_->memory(0);
  map_window(mem, r, 0, 0, kAt, Access::Read);
  std::vector<uint8_t> seen(r->size());
  ASSERT_TRUE(mem.read(kAt, seen.data(), seen.size()));
  uint64_t wrong = 0;
  for (uint64_t i = 0; i < seen.size(); ++i) wrong += seen[i] != (i < kFileBytes ? pattern(i) : 0);
  EXPECT_EQ(wrong, 0u) << "the file's bytes, then zeros to the page's end";
  EXPECT_EQ(load(kAt + kFileBytes - 4), pattern(kFileBytes - 4) | pattern(kFileBytes - 3) << 8 |
                                            pattern(kFileBytes - 2) << 16 | static_cast<uint32_t>(pattern(kFileBytes - 1)) << 24);
  EXPECT_EQ(load(kAt + kFileBytes), 0u) << "the guest reads 0 past the file's end";
  EXPECT_EQ(load(kAt + r->size() - 4), 0u);
  std::string trap = testing_support::trap_of(*inst_, "store32", {Value::i32(static_cast<uint32_t>(kAt + kFileBytes)), Value::i32(7)});
  EXPECT_NE(trap.find("write to read-only window"), std::string::npos) << trap;
  EXPECT_NE(testing_support::trap_of(*inst_, "load32", {Value::i32(static_cast<uint32_t>(kAt + r->size()))}), "no trap")
      << "the page after the region is not the file's";
  unmap_window(mem, kAt, r->size());
  EXPECT_EQ(size_of(path_), kFileBytes) << "the file is as it was";
}

TEST_F(FileTailTest, ExplicitSizeEndingInsideTheLastPageIsAccepted) {
  auto r = Region::open_file(path_, 0, kFileBytes, false, false);
  EXPECT_EQ(r->size(), rounded());
  uint8_t tail[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  r->read_bytes(kFileBytes - 4, tail, sizeof tail);  // the copy-mode path: pread, then zeros
  EXPECT_EQ(tail[3], pattern(kFileBytes - 1));
  EXPECT_EQ(tail[4], 0);
  EXPECT_EQ(tail[7], 0);
}

TEST_F(FileTailTest, ReadWriteRegionEndingInsideAPageIsRefusedWithTheWayOut) {
  try {
    Region::open_file(path_, 0, 0, false, /*writable=*/true);
    ADD_FAILURE() << "writes past the file's end would be lost: refused";
  } catch (const RegionError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("ends inside"), std::string::npos) << what;
    EXPECT_NE(what.find("ro"), std::string::npos) << what;
    EXPECT_NE(what.find("create"), std::string::npos) << what;
  }
  EXPECT_EQ(size_of(path_), kFileBytes) << "a refused open changes nothing";
  // `create` extends the file to the whole page: every byte of the region is the file's.
  auto r = Region::open_file(path_, 0, 0, /*create=*/true, true);
  EXPECT_EQ(r->size(), rounded());
  EXPECT_EQ(size_of(path_), rounded());
  Memory& mem = *inst_->memory(0);
  map_window(mem, r, 0, 0, kAt, Access::ReadWrite);
  inst_->call("store32", std::vector<Value>{Value::i32(static_cast<uint32_t>(kAt + kFileBytes)), Value::i32(0x5EED)});
  unmap_window(mem, kAt, r->size());  // a copy window writes back here
  uint32_t v = 0;
  int fd = open(path_.c_str(), O_RDONLY);
  ASSERT_EQ(pread(fd, &v, 4, kFileBytes), 4);
  close(fd);
  EXPECT_EQ(v, 0x5EEDu) << "the write reached the file";
}

TEST_F(FileTailTest, WholePagesPastTheEndAreRefused) {
  try {
    Region::open_file(path_, 0, rounded() + kPage, false, false);
    ADD_FAILURE() << "a page wholly past the file's end would be a bus error";
  } catch (const RegionError& e) {
    EXPECT_NE(std::string(e.what()).find("has 5000 bytes"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Region::open_file(path_, rounded(), 0, false, false), RegionError) << "offset past the end: empty";
}

TEST_F(FileTailTest, CommandLineMapsTheRestOfTheFile) {
  std::string at = std::to_string(kAt);
  cli_test::Result r = cli_test::run_aperture(
      "run --region d=file:" + path_ + ",ro --map d@" + at + " " + cli_test::wat_module("window_ops") +
      " --invoke load32 " + std::to_string(kAt + kFileBytes));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "0\n");
  r = cli_test::run_aperture("run --region d=file:" + path_ + " --map d@" + at + " " +
                             cli_test::wat_module("window_ops") + " --invoke load32 0");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(cli_test::contains(r.out, "open it read-only")) << r.out;
}

}  // namespace
}  // namespace aperture
