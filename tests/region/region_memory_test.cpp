// Region-backed memories (docs/regions.md, "Region-backed memories"): an imported memory,
// or a memory the module defines bound at instantiation, whose pages are a region.
// Instances and processes that back their memory with the same region share the whole
// memory; it grows within the region and no further, or extends the region's file when
// the binding allows it.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
std::string defined_module_path() { return std::string(APERTURE_WAT_DIR) + "/defined_memory.wasm"; }

std::shared_ptr<const CompiledModule> load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, testing_support::engine_under_test());
}
std::shared_ptr<const CompiledModule> imported_memory() { return load(module_path()); }
std::shared_ptr<const CompiledModule> defined_memory() { return load(defined_module_path()); }

MemoryType one_to_100_pages() {
  MemoryType t;
  t.limits.min = 1;
  t.limits.max = 100;
  return t;
}

// An instance with the guest API and its region-backed memory.
struct GuestInstance {
  GuestInstance() { guest.define_imports(store, linker); }
  int32_t call(const std::string& fn, std::vector<Value> args = {}) {
    std::vector<Value> r = instance->call(fn, args);
    return r.empty() ? 0 : static_cast<int32_t>(r[0].as_u32());
  }
  Store store;
  Linker linker;
  GuestRegions guest;
  Memory* memory = nullptr;  // the region-backed one
  Instance* instance = nullptr;
};

// One instance of imported_memory.wasm whose memory is `region`.
struct BackedInstance : GuestInstance {
  explicit BackedInstance(std::shared_ptr<Region> region) {
    memory = create_region_memory(store, one_to_100_pages(), std::move(region));
    linker.define("env", "memory", Extern::memory(memory));
    instance = &store.instantiate(imported_memory(), linker);
  }
};

// One instance of defined_memory.wasm whose memory 1 (which it defines: 1 to 8 pages) is
// `region`, bound at instantiation.
struct DefinedInstance : GuestInstance {
  explicit DefinedInstance(std::shared_ptr<Region> region, MemoryGrowth growth = MemoryGrowth::WithinRegion) {
    instance = &store.instantiate(defined_memory(), linker, {},
                                  MemoryBackings{{1, region_memory_backing(std::move(region), 0, growth)}});
    memory = instance->memory(1);
  }
};

Value i32(int32_t v) { return Value{ValType::I32, static_cast<uint32_t>(v)}; }

uint64_t file_bytes(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// a and b back their memory with `region`: each sees the other's stores, and so does the host.
void expect_shared(GuestInstance& a, GuestInstance& b, Region& region) {
  a.call("put", {i32(65532), i32(1234)});  // the last word of page 0
  EXPECT_EQ(b.call("get", {i32(65532)}), 1234);
  b.call("put", {i32(16), i32(-7)});
  EXPECT_EQ(a.call("get", {i32(16)}), -7);
  int32_t host;
  std::memcpy(&host, region.data() + 16, 4);
  EXPECT_EQ(host, -7);
  EXPECT_NE(a.memory->backing(), nullptr);
}

// a's memory (1 page) is a 2-page region: it grows to 2 pages, then no further.
void expect_growth_within_two_pages(GuestInstance& a, Region& region) {
  EXPECT_EQ(a.call("grow", {i32(2)}), -1);  // 3 pages do not fit
  EXPECT_EQ(a.call("grow", {i32(1)}), 1);
  EXPECT_EQ(a.call("size"), 2);
  EXPECT_EQ(a.call("grow", {i32(1)}), -1);
  EXPECT_EQ(a.call("size"), 2);
  // The grown page is the region's second page.
  a.call("put", {i32(65536 + 8), i32(99)});
  int32_t host;
  std::memcpy(&host, region.data() + 65536 + 8, 4);
  EXPECT_EQ(host, 99);
  // Beyond the region: a trap, not a crash.
  EXPECT_THROW(a.call("get", {i32(2 * 65536)}), Trap);
  EXPECT_EQ(a.memory->grow(1), -1);  // the host follows the same rule
}

TEST(RegionMemoryTest, InstancesBackedByOneRegionShareTheWholeMemory) {
  auto region = Region::create_memfd(2 * kWasmPageSize, "heap");
  BackedInstance a(region), b(region);
  expect_shared(a, b, *region);
}

TEST(RegionMemoryTest, GrowthStaysInsideTheRegionAndThenFailsCleanly) {
  auto region = Region::create_memfd(2 * kWasmPageSize, "heap");
  BackedInstance a(region);
  expect_growth_within_two_pages(a, *region);
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

TEST(RegionMemoryTest, ADefinedMemoryBoundAtInstantiationIsTheRegion) {
  auto region = Region::create_memfd(2 * kWasmPageSize, "heap");
  DefinedInstance a(region), b(region);
  EXPECT_EQ(std::memcmp(region->data() + 64, "seg", 3), 0);  // the data segment went into the region
  expect_shared(a, b, *region);
  // Memory 0 stays private to each instance.
  a.call("put0", {i32(16), i32(5)});
  EXPECT_EQ(b.call("get0", {i32(16)}), 0);
  EXPECT_EQ(a.instance->memory(0)->backing(), nullptr);
}

TEST(RegionMemoryTest, ADefinedMemoryGrowsWithinTheRegionThenFailsCleanly) {
  auto region = Region::create_memfd(2 * kWasmPageSize, "heap");
  DefinedInstance a(region);
  expect_growth_within_two_pages(a, *region);
  EXPECT_EQ(region->size(), 2 * kWasmPageSize);
  EXPECT_EQ(file_bytes(region->fd()), 2 * kWasmPageSize);  // nothing extended the memfd
}

TEST(RegionMemoryTest, AnExtendingBindingGrowsTheRegionsFileUpToTheMemorysMaximum) {
  auto region = Region::create_memfd(kWasmPageSize, "heap");
  DefinedInstance a(region, MemoryGrowth::ExtendRegion);
  EXPECT_EQ(a.call("grow", {i32(3)}), 1);
  EXPECT_EQ(file_bytes(region->fd()), 4 * kWasmPageSize);
  a.call("put", {i32(3 * 65536 + 4), i32(77)});
  int32_t host = 0;
  ASSERT_EQ(pread(region->fd(), &host, 4, 3 * 65536 + 4), 4);
  EXPECT_EQ(host, 77);
  // Another instance backed by the grown file sees the grown pages once it grows too.
  DefinedInstance b(Region::from_fd(region->fd(), 0, 4 * kWasmPageSize, true, "heap"));
  EXPECT_EQ(b.call("grow", {i32(3)}), 1);
  EXPECT_EQ(b.call("get", {i32(3 * 65536 + 4)}), 77);
  // The maximum (8 pages) still holds, and the file never shrinks.
  EXPECT_EQ(a.call("grow", {i32(5)}), -1);
  EXPECT_EQ(a.call("grow", {i32(4)}), 4);
  EXPECT_EQ(file_bytes(region->fd()), 8 * kWasmPageSize);
  EXPECT_EQ(b.call("grow", {i32(1)}), -1);  // b's binding does not extend: its region has 4 pages
  EXPECT_EQ(file_bytes(region->fd()), 8 * kWasmPageSize);
}

TEST(RegionMemoryTest, ARegionThatCannotBeExtendedOrMappedIsRefusedNamingIt) {
  auto refusal = [](std::shared_ptr<Region> r, MemoryGrowth g) -> std::string {
    try {
      region_memory_backing(std::move(r), 0, g);
    } catch (const RegionError& e) {
      return e.what();
    }
    return "accepted";
  };
  // A range that ends before its file does: growth would take the bytes after it.
  std::string path = ::testing::TempDir() + "/region_memory_middle_" + std::to_string(getpid());
  auto middle = Region::open_file(path, 0, kWasmPageSize, true);
  ASSERT_EQ(truncate(path.c_str(), 2 * kWasmPageSize), 0);
  EXPECT_NE(refusal(middle, MemoryGrowth::ExtendRegion).find("ends before the end of its file"), std::string::npos);
  EXPECT_EQ(refusal(middle, MemoryGrowth::WithinRegion), "accepted");
  unlink(path.c_str());
  std::vector<uint8_t> buffer(kWasmPageSize);
  auto host = Region::from_host_memory(buffer.data(), buffer.size(), true, "buf");
  EXPECT_NE(refusal(host, MemoryGrowth::WithinRegion).find("region 'buf' has no file descriptor"), std::string::npos);
  auto device = Region::open_device("/dev/zero", 0, kWasmPageSize, true);
  EXPECT_NE(refusal(device, MemoryGrowth::ExtendRegion).find("is a device"), std::string::npos);
}

TEST(RegionMemoryTest, BackingsForMemoriesTheModuleDoesNotDefineAreLinkErrors) {
  Store store;
  Linker linker;
  GuestRegions guest;
  guest.define_imports(store, linker);
  auto region = Region::create_memfd(2 * kWasmPageSize, "heap");
  EXPECT_THROW(store.instantiate(defined_memory(), linker, {}, MemoryBackings{{2, region_memory_backing(region)}}),
               LinkError);
  Linker with_memory = linker;
  with_memory.define("env", "memory", Extern::memory(store.create_memory(one_to_100_pages())));
  try {
    store.instantiate(imported_memory(), with_memory, {}, MemoryBackings{{0, region_memory_backing(region)}});
    ADD_FAILURE() << "accepted";
  } catch (const LinkError& e) {
    EXPECT_NE(std::string(e.what()).find("it is imported"), std::string::npos) << e.what();
  }
  try {
    store.instantiate(defined_memory(), linker, {},
                      MemoryBackings{{1, region_memory_backing(Region::create_memfd(4096, "tiny"))}});
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("region 'tiny'"), std::string::npos) << e.what();
  }
}

TEST(RegionMemoryTest, GrowthOfADefinedRegionMemoryStopsBelowAWindow) {
  auto region = Region::create_memfd(4 * kWasmPageSize, "heap");
  DefinedInstance a(region);
  map_window(*a.memory, Region::create_memfd(host_page_size(), "w"), 0, 0, 2 * kWasmPageSize, Access::ReadWrite);
  EXPECT_EQ(a.call("grow", {i32(1)}), 1);
  EXPECT_EQ(a.call("grow", {i32(1)}), -1);  // page 2 holds the window
  EXPECT_EQ(a.call("size"), 2);
}

class RegionMemoryProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shm_ = "/aperture_region_memory_" + std::to_string(getpid());
    shm_unlink(shm_.c_str());
    region_ = Region::create_shm(shm_, 2 * kWasmPageSize);
  }
  void TearDown() override { shm_unlink(shm_.c_str()); }
  // imported_memory.wasm with its memory 0 bound to the region.
  std::vector<std::string> run(const std::vector<std::string>& invoke) {
    return run_defined("0=m", invoke, module_path());
  }
  // `module` (defined_memory.wasm) with a memory bound to the region by `binding`.
  std::vector<std::string> run_defined(const std::string& binding, const std::vector<std::string>& invoke,
                                       const std::string& module = defined_module_path()) {
    std::vector<std::string> argv{std::string(APERTURE_BINARY_DIR) + "/aperture", "run", "--engine",
                                  testing_support::engine_name_under_test(), "--region", "m=shm:" + shm_};
    if (!binding.empty()) argv.insert(argv.end(), {"--memory", binding});
    argv.insert(argv.end(), {module, "--invoke"});
    argv.insert(argv.end(), invoke.begin(), invoke.end());
    return argv;
  }
  // Two processes running `module` with a memory bound to the region by `binding` meet
  // (ask/answer), and a third reads what they wrote.
  void expect_processes_share(const std::string& binding, const std::string& module) {
    ChildProcess asker(run_defined(binding, {"ask"}, module));
    ChildProcess answerer(run_defined(binding, {"answer", "4242"}, module));
    EXPECT_EQ(asker.line(40000), "4242");
    EXPECT_EQ(answerer.line(40000), "0");
    EXPECT_EQ(asker.wait(), 0);
    EXPECT_EQ(answerer.wait(), 0);
    int32_t words[3];
    std::memcpy(words, region_->data(), sizeof words);
    EXPECT_EQ(words[0], 1);
    EXPECT_EQ(words[1], 2);
    EXPECT_EQ(words[2], 4242);
    ChildProcess reader(run_defined(binding, {"get", "8"}, module));
    EXPECT_EQ(reader.line(), "4242");
    EXPECT_EQ(reader.wait(), 0);
  }
  std::string shm_;
  std::shared_ptr<Region> region_;
};

TEST_F(RegionMemoryProcessTest, TwoProcessesShareAWholeMemoryAndSeeEachOthersWrites) {
  expect_processes_share("0=m", module_path());
}

TEST_F(RegionMemoryProcessTest, CommandLineGrowthBeyondAFixedSizeRegionFails) {
  ChildProcess ok(run({"grow", "1"}));
  EXPECT_EQ(ok.line(), "1");
  EXPECT_EQ(ok.wait(), 0);
  ChildProcess refused(run({"grow", "2"}));
  EXPECT_EQ(refused.line(), "-1");
  EXPECT_EQ(refused.wait(), 0);
}

TEST_F(RegionMemoryProcessTest, TwoProcessesShareADefinedMemoryBoundOnTheCommandLine) {
  expect_processes_share("1=m", defined_module_path());
}

TEST_F(RegionMemoryProcessTest, ADefinedMemoryGrowsWithinAFixedRegionOrExtendsIt) {
  ChildProcess refused(run_defined("1=m", {"grow", "2"}));
  EXPECT_EQ(refused.line(), "-1");  // 3 pages do not fit in 2
  EXPECT_EQ(refused.wait(), 0);
  EXPECT_EQ(file_bytes(region_->fd()), 2 * kWasmPageSize);
  ChildProcess extended(run_defined("1=m,extend", {"grow", "2"}));
  EXPECT_EQ(extended.line(), "1");
  EXPECT_EQ(extended.wait(), 0);
  EXPECT_EQ(file_bytes(region_->fd()), 3 * kWasmPageSize);
  ChildProcess past_max(run_defined("1=m,extend", {"grow", "8"}));
  EXPECT_EQ(past_max.line(), "-1");  // the memory's maximum is 8 pages
  EXPECT_EQ(past_max.wait(), 0);
}

TEST_F(RegionMemoryProcessTest, ADefinedMemoryBoundInTheModulesSectionNeedsOnlyTheRegion) {
  using cli_test::run_aperture;
  std::string bound = ::testing::TempDir() + "/defined_bound_" + std::to_string(getpid()) + ".wasm";
  auto r = run_aperture("bind " + defined_module_path() + " --memory 1=m -o " + bound);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ChildProcess writer(run_defined("", {"put", "8", "31"}, bound));
  EXPECT_EQ(writer.wait(), 0);
  ChildProcess reader(run_defined("", {"get", "8"}, bound));
  EXPECT_EQ(reader.line(), "31");
  EXPECT_EQ(reader.wait(), 0);
  // --memory replaces the section's record for the same memory.
  std::vector<std::string> other = run_defined("1=other", {"get", "8"}, bound);
  other.insert(other.begin() + 4, {"--region", "other=memfd:size=128K"});
  ChildProcess fresh(other);
  EXPECT_EQ(fresh.line(), "0");
  EXPECT_EQ(fresh.wait(), 0);
  unlink(bound.c_str());
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
  EXPECT_TRUE(contains(r.out, "memory 1 to region 'm', which it does not have (it has 1 memory)")) << r.out;
  r = run_aperture(base + "--region m=memfd:size=64K --memory 0=m,offset=4K " + module_path() + " --invoke size");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "region 'm'")) << r.out;
  r = run_aperture(base + "--region m=memfd:size=64K --memory zero=m " + module_path() + " --invoke size");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  std::string defined = " " + defined_module_path() + " --invoke size";
  r = run_aperture(base + "--region m=shm:" + shm_ + " --memory 2=m" + defined);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "memory 2 to region 'm', which it does not have (it has 2 memories)")) << r.out;
  r = run_aperture(base + "--region m=shm:" + shm_ + " --memory 1=m --memory 1=m" + defined);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "memory 1 is bound twice")) << r.out;
  r = run_aperture(base + "--region m=memfd:size=4K --memory 1=m" + defined);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "region 'm' has 4096 bytes from offset 0x0, too small for memory 1")) << r.out;
  r = run_aperture(base + "--region m=memfd:size=64K --memory 1=m,grow" + defined);
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

}  // namespace
}  // namespace aperture
