// Regions and windows through the host API, with a real wasm module doing the accesses.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();

std::shared_ptr<const CompiledModule> window_ops() {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/window_ops.wasm", std::ios::binary);
  std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, testing_support::engine_under_test());
}

std::string unique_shm(const char* tag) { return std::string("/aperture_test_") + tag + "_" + std::to_string(getpid()); }

class WindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inst_ = &store_.instantiate(window_ops(), Linker{});
    mem_ = inst_->memory(0);
  }
  uint32_t load(uint64_t addr) { return inst_->call("load32", std::vector<Value>{Value::i32(static_cast<uint32_t>(addr))}).at(0).as_u32(); }
  void store(uint64_t addr, uint32_t v) { inst_->call("store32", std::vector<Value>{Value::i32(static_cast<uint32_t>(addr)), Value::i32(v)}); }
  std::string trap(const std::string& fn, std::vector<Value> args) {
    try {
      inst_->call(fn, args);
    } catch (const Trap& t) {
      return t.what();
    }
    return "no trap";
  }
  Store store_;
  Instance* inst_ = nullptr;
  Memory* mem_ = nullptr;
};

uint32_t read32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
void write32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

TEST_F(WindowTest, WindowAboveMemorySizeIsSharedBothWays) {
  auto r = Region::create_memfd(4 * kPage, "sensors");
  uint64_t addr = 1ull << 30;
  map_window(*mem_, r, 0, 0, addr, Access::ReadWrite);
  write32(r->data() + 8, 0xCAFE);
  EXPECT_EQ(load(addr + 8), 0xCAFEu) << "guest sees host writes";
  store(addr + 12, 77);
  EXPECT_EQ(read32(r->data() + 12), 77u) << "host sees guest writes";
  EXPECT_EQ(trap("load32", {Value::i32(static_cast<uint32_t>(addr + 4 * kPage))}), "out of bounds memory access");
}

TEST_F(WindowTest, WindowInsideMemoryReplacesPagesAndUnmapRestoresZeros) {
  store(kPage, 5);
  auto r = Region::create_memfd(kPage);
  write32(r->data(), 9);
  map_window(*mem_, r, 0, kPage, kPage, Access::ReadWrite);
  EXPECT_EQ(load(kPage), 9u);
  unmap_window(*mem_, kPage, kPage);
  EXPECT_EQ(load(kPage), 0u) << "pages inside memory.size come back zero-filled";
  store(kPage, 3);
  EXPECT_EQ(read32(r->data()), 9u) << "the region no longer sees the instance";
}

TEST_F(WindowTest, UnmapAboveSizeMakesAccessTrapAgain) {
  auto r = Region::create_memfd(kPage);
  map_window(*mem_, r, 0, kPage, 1u << 24, Access::ReadWrite);
  EXPECT_EQ(load(1u << 24), 0u);
  unmap_window(*mem_, 1u << 24, kPage);
  EXPECT_EQ(trap("load32", {Value::i32(1u << 24)}), "out of bounds memory access");
}

TEST_F(WindowTest, GrowStopsBelowAWindowAndKeepsItInPlaceAndReadOnly) {
  auto r = Region::create_memfd(kPage, "ro-table");
  write32(r->data(), 1234);
  uint64_t addr = 4 * 65536;  // three pages above the initial single page
  map_window(*mem_, r, 0, kPage, addr, Access::Read);
  uint8_t* base = mem_->base();
  EXPECT_EQ(inst_->call("grow", std::vector<Value>{Value::i32(4)}).at(0).as_u32(), 0xFFFFFFFFu)
      << "growing over the window fails";
  EXPECT_EQ(inst_->call("grow", std::vector<Value>{Value::i32(3)}).at(0).as_u32(), 1u) << "up to it works";
  EXPECT_EQ(mem_->base(), base);
  EXPECT_EQ(load(addr), 1234u) << "window survives memory.grow";
  std::string t = trap("store32", {Value::i32(static_cast<uint32_t>(addr)), Value::i32(1)});
  EXPECT_NE(t.find("read-only window of region 'ro-table'"), std::string::npos) << t;
  store(addr - 4, 8);  // grown pages below the window are ordinary memory
  EXPECT_EQ(load(addr - 4), 8u);
}

TEST_F(WindowTest, ReadOnlyWriteTrapNamesRegion) {
  auto r = Region::create_memfd(kPage, "calibration");
  map_window(*mem_, r, 0, kPage, 1u << 20, Access::Read);
  std::string t = trap("store32", {Value::i32(1u << 20), Value::i32(1)});
  EXPECT_EQ(t.rfind("write to read-only window of region 'calibration'", 0), 0u) << t;
  protect_window(*mem_, 1u << 20, kPage, Access::ReadWrite);
  store(1u << 20, 42);
  sync_window(*mem_, 1u << 20, kPage);  // copy mode: the region sees it now (mapped: at once)
  EXPECT_EQ(read32(r->data()), 42u);
}

TEST_F(WindowTest, BulkOperationsOverWindows) {
  auto r = Region::create_memfd(2 * kPage, "bulk");
  uint32_t addr = 1u << 22;
  map_window(*mem_, r, 0, 0, addr, Access::ReadWrite);
  inst_->call("fill", std::vector<Value>{Value::i32(addr), Value::i32(0xAB), Value::i32(static_cast<uint32_t>(2 * kPage))});
  sync_window(*mem_, addr, 2 * kPage);  // copy mode: the region sees it now (mapped: at once)
  EXPECT_EQ(r->data()[2 * kPage - 1], 0xAB);
  inst_->call("copy", std::vector<Value>{Value::i32(0), Value::i32(addr), Value::i32(100)});
  EXPECT_EQ(load(96), 0xABABABABu) << "copy from window into linear memory";
  EXPECT_EQ(trap("fill", {Value::i32(addr), Value::i32(0), Value::i32(static_cast<uint32_t>(2 * kPage + 1))}),
            "out of bounds memory access")
      << "one byte past the window";
  sync_window(*mem_, addr, 2 * kPage);
  EXPECT_EQ(r->data()[0], 0xAB) << "a trapping bulk op writes nothing";
  auto ro = Region::create_memfd(kPage, "ro-bulk");
  map_window(*mem_, ro, 0, 0, addr + 4 * kPage, Access::Read);
  std::string t = trap("fill", {Value::i32(static_cast<uint32_t>(addr + 4 * kPage)), Value::i32(1), Value::i32(8)});
  EXPECT_NE(t.find("read-only window of region 'ro-bulk'"), std::string::npos) << t;
}

TEST_F(WindowTest, BadRequestsAreRefusedWithTheDocumentedError) {
  auto r = Region::create_memfd(2 * kPage, "r");
  auto code = [&](auto fn) {
    try {
      fn();
    } catch (const RegionError& e) {
      return e.wasi_errno();
    }
    return 0u;
  };
  EXPECT_EQ(code([&] { map_window(*mem_, r, 0, kPage, 100, Access::Read); }), 28u) << "misaligned address";
  EXPECT_EQ(code([&] { map_window(*mem_, r, 100, kPage, 0, Access::Read); }), 28u) << "misaligned offset";
  EXPECT_EQ(code([&] { map_window(*mem_, r, 0, 3 * kPage, 1u << 20, Access::Read); }), 28u) << "beyond region";
  EXPECT_EQ(code([&] { map_window(*mem_, r, 0, kPage, (1ull << 32) - kPage + kPage, Access::Read); }), 28u)
      << "outside 4 GiB";
  map_window(*mem_, r, 0, 2 * kPage, 1u << 20, Access::Read);
  EXPECT_EQ(code([&] { map_window(*mem_, r, 0, kPage, (1u << 20) + kPage, Access::Read); }), 20u) << "overlap";
  EXPECT_EQ(code([&] { unmap_window(*mem_, 1u << 20, kPage); }), 28u) << "unmap must match a window";
  auto ro_file_path = std::string(APERTURE_BINARY_DIR) + "/ro_region_test_" + std::to_string(getpid()) + ".bin";
  auto ro = Region::open_file(ro_file_path, 0, kPage, true, true);
  auto ro2 = Region::open_file(ro_file_path, 0, kPage, false, false);
  EXPECT_EQ(code([&] { map_window(*mem_, ro2, 0, kPage, 1u << 26, Access::ReadWrite); }), 2u) << "read-only region";
  unlink(ro_file_path.c_str());
}

TEST(RegionTest, EveryBackingMapsAndShares) {
  std::string shm = unique_shm("backing");
  auto s = Region::create_shm(shm, 10000);
  EXPECT_EQ(s->size() % kPage, 0u) << "rounded up to pages";
  auto s2 = Region::open_shm(shm);
  s->data()[5] = 9;
  EXPECT_EQ(s2->data()[5], 9) << "two openings of one shm object share bytes";
  Region::remove_shm(shm);
  EXPECT_THROW(Region::open_shm(shm), RegionError);

  std::string path = std::string(APERTURE_BINARY_DIR) + "/region_test_file_" + std::to_string(getpid()) + ".bin";
  unlink(path.c_str());
  auto f = Region::open_file(path, 0, 3 * kPage, true);
  f->data()[kPage] = 7;
  auto f2 = Region::open_file(path, kPage, kPage, false);
  EXPECT_EQ(f2->data()[0], 7) << "file offset honoured";
  EXPECT_THROW(Region::open_file(path, 100, kPage, false), RegionError) << "offset must be page aligned";

  auto dev = Region::open_device("/dev/zero", 0, kPage, true);
  EXPECT_EQ(dev->data()[0], 0);
  EXPECT_THROW(Region::open_device("/dev/nonexistent", 0, kPage, true), RegionError);

  int fd = memfd_create("handed", 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(kPage)), 0);
  auto h = Region::from_fd(fd, 0, kPage, true);
  close(fd);
  h->data()[1] = 3;
  EXPECT_EQ(h->data()[1], 3) << "the region keeps its own duplicate of the fd";

  auto a = Region::create_anonymous(1);
  EXPECT_EQ(a->size(), kPage);
  EXPECT_THROW(Region::create_memfd(0), RegionError);
}

TEST(RegionTest, SizesAcceptSuffixes) {
  EXPECT_EQ(parse_size("4K"), 4096u);
  EXPECT_EQ(parse_size("2M"), 2u << 20);
  EXPECT_EQ(parse_size("1G"), 1u << 30);
  EXPECT_EQ(parse_size("0x1000"), 4096u);
  EXPECT_THROW(parse_size("12Q"), Error);
  EXPECT_THROW(parse_size(""), Error);
}

TEST_F(WindowTest, TruncatedFileBecomesATrapNotACrash) {
  std::string path = std::string(APERTURE_BINARY_DIR) + "/region_truncate_test_" + std::to_string(getpid()) + ".bin";
  unlink(path.c_str());
  auto f = Region::open_file(path, 0, 4 * kPage, true);
  map_window(*mem_, f, 0, 0, 1u << 21, Access::ReadWrite);
  store((1u << 21) + 3 * kPage, 1);
  // Another process truncates the file under us.
  pid_t pid = fork();
  if (pid == 0) _exit(truncate(path.c_str(), 0) == 0 ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  std::string t = trap("load32", {Value::i32(static_cast<uint32_t>((1u << 21) + 3 * kPage))});
  EXPECT_NE(t.find("bus error in window of region"), std::string::npos) << t;
  EXPECT_EQ(load(0), 0u) << "the runtime keeps working";
}

}  // namespace
}  // namespace aperture
