// Region-backed memories (docs/regions.md, "Region-backed memories"): an imported memory
// whose pages are a region. Instances and processes that back their memory with the same
// region share the whole memory; it grows within the region and no further.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "aperture/bindings.h"
#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "child_process.h"
#include "cli/run_aperture.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

using testing_support::ChildProcess;

std::string module_path() { return std::string(APERTURE_WAT_DIR) + "/imported_memory.wasm"; }

std::shared_ptr<const CompiledModule> imported_memory() {
  std::ifstream in(module_path(), std::ios::binary);
  std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, testing_support::engine_under_test());
}

MemoryType one_to_100_pages() {
  MemoryType t;
  t.limits.min = 1;
  t.limits.max = 100;
  return t;
}

// One instance of imported_memory.wasm whose memory is `region`.
struct BackedInstance {
  explicit BackedInstance(std::shared_ptr<Region> region) {
    guest.define_imports(store, linker);
    memory = create_region_memory(store, one_to_100_pages(), std::move(region));
    linker.define("env", "memory", Extern::memory(memory));
    instance = &store.instantiate(imported_memory(), linker);
  }
  int32_t call(const std::string& fn, std::vector<Value> args = {}) {
    std::vector<Value> r = instance->call(fn, args);
    return r.empty() ? 0 : static_cast<int32_t>(r[0].as_u32());
  }
  Store store;
  Linker linker;
  GuestRegions guest;
  Memory* memory = nullptr;
  Instance* instance = nullptr;
};

Value i32(int32_t v) { return Value{ValType::I32, static_cast<uint32_t>(v)}; }

TEST(RegionMemoryTest, InstancesBackedByOneRegionShareTheWholeMemory) {
  auto region = Region::create_memfd(2 * kWasmPageSize, "heap");
  BackedInstance a(region), b(region);
  a.call("put", {i32(65532), i32(1234)});  // the last word of page 0
  EXPECT_EQ(b.call("get", {i32(65532)}), 1234);
  b.call("put", {i32(16), i32(-7)});
  EXPECT_EQ(a.call("get", {i32(16)}), -7);
  int32_t host;
  std::memcpy(&host, region->data() + 16, 4);
  EXPECT_EQ(host, -7);
  EXPECT_NE(a.memory->backing(), nullptr);
}

TEST(RegionMemoryTest, GrowthStaysInsideTheRegionAndThenFailsCleanly) {
  auto region = Region::create_memfd(2 * kWasmPageSize, "heap");
  BackedInstance a(region);
  EXPECT_EQ(a.call("grow", {i32(2)}), -1);  // 3 pages do not fit
  EXPECT_EQ(a.call("grow", {i32(1)}), 1);
  EXPECT_EQ(a.call("size"), 2);
  EXPECT_EQ(a.call("grow", {i32(1)}), -1);
  EXPECT_EQ(a.call("size"), 2);
  // The grown page is the region's second page.
  a.call("put", {i32(65536 + 8), i32(99)});
  int32_t host;
  std::memcpy(&host, region->data() + 65536 + 8, 4);
  EXPECT_EQ(host, 99);
  // Beyond the region: a trap, not a crash.
  EXPECT_THROW(a.call("get", {i32(2 * 65536)}), Trap);
  EXPECT_EQ(a.memory->grow(1), -1);  // the host follows the same rule
}

TEST(RegionMemoryTest, ARegionThatCannotHoldTheMemoryIsRefusedNamingIt) {
  Store store;
  MemoryType three = one_to_100_pages();
  three.limits.min = 3;
  try {
    create_region_memory(store, three, Region::create_memfd(2 * kWasmPageSize, "small"));
    ADD_FAILURE() << "accepted";
  } catch (const RegionError& e) {
    EXPECT_NE(std::string(e.what()).find("region 'small'"), std::string::npos) << e.what();
  }
  auto ro = Region::from_fd(Region::create_memfd(kWasmPageSize)->fd(), 0, kWasmPageSize, false, "ro");
  try {
    create_region_memory(store, one_to_100_pages(), ro);
    ADD_FAILURE() << "accepted";
  } catch (const RegionError& e) {
    EXPECT_EQ(e.wasi_errno(), 2u);
    EXPECT_NE(std::string(e.what()).find("read-only"), std::string::npos) << e.what();
  }
  EXPECT_THROW(create_region_memory(store, one_to_100_pages(), Region::create_memfd(4 * kWasmPageSize), 100),
               RegionError);
}

TEST(RegionMemoryTest, UnmappingAWindowShowsTheRegionsBytesAgainAndDiscardZeroesThem) {
  auto heap = Region::create_memfd(kWasmPageSize, "heap");
  auto other = Region::create_memfd(host_page_size(), "other");
  BackedInstance a(heap);
  a.call("put", {i32(0), i32(11)});
  map_window(*a.memory, other, 0, 0, 0, Access::ReadWrite);
  EXPECT_EQ(a.call("get", {i32(0)}), 0);  // the window's bytes
  unmap_window(*a.memory, 0, host_page_size());
  EXPECT_EQ(a.call("get", {i32(0)}), 11);  // the region's again, not fresh zeros
  a.call("put", {i32(0), i32(12)});
  int32_t host;
  std::memcpy(&host, heap->data(), 4);
  EXPECT_EQ(host, 12);
  ASSERT_TRUE(a.memory->discard(0, kWasmPageSize));
  std::memcpy(&host, heap->data(), 4);
  EXPECT_EQ(host, 0);  // discarded in the region, for every process
}

class RegionMemoryProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shm_ = "/aperture_region_memory_" + std::to_string(getpid());
    shm_unlink(shm_.c_str());
    region_ = Region::create_shm(shm_, 2 * kWasmPageSize);
  }
  void TearDown() override { shm_unlink(shm_.c_str()); }
  std::vector<std::string> run(const std::vector<std::string>& invoke) {
    std::vector<std::string> argv{std::string(APERTURE_BINARY_DIR) + "/aperture", "run", "--engine",
                                  testing_support::engine_name_under_test(), "--region", "m=shm:" + shm_,
                                  "--memory", "0=m", module_path(), "--invoke"};
    argv.insert(argv.end(), invoke.begin(), invoke.end());
    return argv;
  }
  std::string shm_;
  std::shared_ptr<Region> region_;
};

TEST_F(RegionMemoryProcessTest, TwoProcessesShareAWholeMemoryAndSeeEachOthersWrites) {
  ChildProcess asker(run({"ask"}));
  ChildProcess answerer(run({"answer", "4242"}));
  EXPECT_EQ(asker.line(40000), "4242");
  EXPECT_EQ(answerer.line(40000), "0");
  EXPECT_EQ(asker.wait(), 0);
  EXPECT_EQ(answerer.wait(), 0);
  int32_t words[3];
  std::memcpy(words, region_->data(), sizeof words);
  EXPECT_EQ(words[0], 1);
  EXPECT_EQ(words[1], 2);
  EXPECT_EQ(words[2], 4242);
  // A third process reads what the first two wrote.
  ChildProcess reader(run({"get", "8"}));
  EXPECT_EQ(reader.line(), "4242");
  EXPECT_EQ(reader.wait(), 0);
}

TEST_F(RegionMemoryProcessTest, CommandLineGrowthBeyondAFixedSizeRegionFails) {
  ChildProcess ok(run({"grow", "1"}));
  EXPECT_EQ(ok.line(), "1");
  EXPECT_EQ(ok.wait(), 0);
  ChildProcess refused(run({"grow", "2"}));
  EXPECT_EQ(refused.line(), "-1");
  EXPECT_EQ(refused.wait(), 0);
}

TEST_F(RegionMemoryProcessTest, BadMemoryBindingsAreErrorsNamingWhatIsWrong) {
  using cli_test::contains;
  using cli_test::run_aperture;
  std::string base = "run --engine " + testing_support::engine_name_under_test() + " ";
  auto r = run_aperture(base + "--memory 0=absent " + module_path() + " --invoke size");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "binds region 'absent'")) << r.out;
  r = run_aperture(base + "--region m=shm:" + shm_ + " --memory 1=m " + module_path() + " --invoke size");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "memory 1 to region 'm', but that memory is not imported")) << r.out;
  r = run_aperture(base + "--region m=memfd:size=64K --memory 0=m,offset=4K " + module_path() + " --invoke size");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "region 'm'")) << r.out;
  r = run_aperture(base + "--region m=memfd:size=64K --memory zero=m " + module_path() + " --invoke size");
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

}  // namespace
}  // namespace aperture
