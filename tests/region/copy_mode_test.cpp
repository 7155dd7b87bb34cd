// Copy mode (docs/regions.md, "Copy mode"): a window holds a private copy of its region's
// bytes, made when the window is made and written back on sync, unmap and when the memory
// goes away; host memory without a file descriptor always works this way.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "cli/run_aperture.h"
#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "shm_cli_fixture.h"
#include "wasi/wasi_types.h"
#include "wasm_bytes.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();
constexpr uint32_t kWasmPage = 65536;

WindowOptions copy_mode() {
  WindowOptions o;
  o.mode = WindowMode::Copy;
  return o;
}

uint32_t read32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
void write32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

class CopyModeTest : public ::testing::Test {
 protected:
  void SetUp() override { make_instance(); }
  void make_instance() {
    auto compiled = compile(testing_support::discard_module(4), testing_support::engine_under_test());
    store_ = std::make_unique<Store>();
    inst_ = &store_->instantiate(compiled, Linker{});
    mem_ = inst_->memory(0);
  }
  uint32_t load(uint64_t addr) {
    return inst_->call("load", std::vector<Value>{Value::i32(static_cast<uint32_t>(addr))}).at(0).as_u32();
  }
  void fill(uint64_t addr, uint32_t v, uint32_t n) {
    inst_->call("fill", std::vector<Value>{Value::i32(static_cast<uint32_t>(addr)), Value::i32(v), Value::i32(n)});
  }
  std::string call_trap(const std::string& fn, std::vector<Value> args) {
    try {
      inst_->call(fn, args);
    } catch (const Trap& t) {
      return t.what();
    }
    return "no trap";
  }
  std::unique_ptr<Store> store_;
  Instance* inst_ = nullptr;
  Memory* mem_ = nullptr;
};

// A host buffer with no fd (and a size that is not a page multiple) through the C++ API.
TEST_F(CopyModeTest, HostMemoryRegionWorksThroughTheCppApi) {
  constexpr size_t kBytes = 10000;  // 2.4 host pages
  std::vector<uint8_t> storage(kBytes + 64, 0);
  for (size_t i = 0; i < kBytes; ++i) storage[i] = static_cast<uint8_t>(i * 7);
  std::memset(storage.data() + kBytes, 0xEE, 64);  // canary past the buffer
  auto r = Region::from_host_memory(storage.data(), kBytes, true, "hostbuf");
  EXPECT_FALSE(r->mappable());
  EXPECT_EQ(r->size() % kPage, 0u);
  EXPECT_GE(r->size(), kBytes);
  const uint64_t at = 1u << 20;  // above memory.size
  ASSERT_EQ(map_window(*mem_, r, 0, 0, at, Access::ReadWrite), at) << "the default mode is taken";
  EXPECT_EQ(window_mode(*mem_, at), WindowMode::Copy) << "host memory cannot be mapped";
  EXPECT_EQ(load(at + 100), read32(storage.data() + 100)) << "copied in when the window was made";
  EXPECT_EQ(load(at + r->size() - 4), 0u) << "bytes past the buffer read as zero";

  fill(at, 0x5A, 16);
  fill(at + r->size() - 16, 0x77, 16);  // past the buffer: dropped on write-back
  EXPECT_EQ(storage[0], 0) << "not written back before sync";
  sync_window(*mem_, at, r->size());
  EXPECT_EQ(storage[0], 0x5A);
  EXPECT_EQ(storage[15], 0x5A);
  EXPECT_EQ(storage[16], static_cast<uint8_t>(16 * 7)) << "bytes the guest left alone are kept";
  for (size_t i = kBytes; i < storage.size(); ++i) ASSERT_EQ(storage[i], 0xEE) << "canary at " << i;

  fill(at + 32, 0x11, 4);
  unmap_window(*mem_, at, r->size());
  EXPECT_EQ(storage[32], 0x11) << "unmap writes back";
  EXPECT_EQ(call_trap("load", {Value::i32(static_cast<uint32_t>(at))}), "out of bounds memory access");

  try {
    WindowOptions attached;
    attached.attach = Attach::Exclusive;
    map_window(*mem_, r, 0, 0, at, Access::ReadWrite, attached);
    ADD_FAILURE() << "attach on host memory must be refused";
  } catch (const RegionError& e) {
    EXPECT_EQ(e.wasi_errno(), wasi::kEnotsup);
    EXPECT_NE(std::string(e.what()).find("no file descriptor"), std::string::npos) << e.what();
  }
  EXPECT_EQ(mem_->window_count(), 0u);

  auto ro = Region::from_host_memory(storage.data(), kBytes, false, "ro-hostbuf");
  EXPECT_THROW(map_window(*mem_, ro, 0, 0, at, Access::ReadWrite), RegionError);
  EXPECT_THROW(Region::from_host_memory(nullptr, 10, true), RegionError);
  EXPECT_THROW(Region::from_host_memory(storage.data(), 0, true), RegionError);
}

TEST_F(CopyModeTest, TheCopyIsTheRegionAsItWasWhenTheWindowWasMade) {
  auto r = Region::create_memfd(2 * kPage, "snap");
  write32(r->data(), 1);
  const uint64_t at = 1u << 21;
  map_window(*mem_, r, 0, 0, at, Access::ReadWrite, copy_mode());
  EXPECT_EQ(window_mode(*mem_, at), WindowMode::Copy);
  write32(r->data(), 2);
  EXPECT_EQ(load(at), 1u) << "a later change of the region is not seen";
  fill(at + 8, 0x42, 4);
  EXPECT_EQ(read32(r->data() + 8), 0u) << "nor does the region see the guest before sync";
  unmap_window(*mem_, at, 2 * kPage);
  EXPECT_EQ(read32(r->data() + 8), 0x42424242u) << "unmap wrote the copy back";
  EXPECT_EQ(read32(r->data()), 1u) << "the whole window is written back: last writer wins";
}

TEST_F(CopyModeTest, AReadOnlyCopyIsNeverWrittenBack) {
  auto r = Region::create_memfd(kPage, "ro-snap");
  const uint64_t at = 1u << 21;
  map_window(*mem_, r, 0, 0, at, Access::Read, copy_mode());
  write32(r->data(), 99);  // a writer elsewhere
  std::string t = call_trap("fill", {Value::i32(static_cast<uint32_t>(at)), Value::i32(1), Value::i32(4)});
  EXPECT_NE(t.find("read-only window of region 'ro-snap'"), std::string::npos) << t;
  sync_window(*mem_, at, kPage);
  unmap_window(*mem_, at, kPage);
  EXPECT_EQ(read32(r->data()), 99u) << "the reader's stale copy did not overwrite the writer";
}

TEST_F(CopyModeTest, ACopyInsideMemoryReplacesPagesAndUnmapRestoresZeros) {
  fill(kWasmPage, 0x99, 16);
  auto r = Region::create_memfd(kPage, "inside");
  write32(r->data(), 7);
  map_window(*mem_, r, 0, kPage, kWasmPage, Access::ReadWrite, copy_mode());
  EXPECT_EQ(load(kWasmPage), 7u);
  unmap_window(*mem_, kWasmPage, kPage);
  EXPECT_EQ(load(kWasmPage), 0u) << "pages inside memory.size come back zero-filled";
}

TEST_F(CopyModeTest, DestroyingTheMemoryWritesBack) {
  auto r = Region::create_memfd(kPage, "exit");
  map_window(*mem_, r, 0, 0, 1u << 22, Access::ReadWrite, copy_mode());
  fill(1u << 22, 0x31, 8);
  EXPECT_EQ(r->data()[0], 0);
  store_.reset();  // the instance and its memory go away
  EXPECT_EQ(r->data()[0], 0x31);
  EXPECT_EQ(r->data()[7], 0x31);
}

TEST_F(CopyModeTest, DiscardZeroesTheCopyFreesItsPagesAndTheZerosReachTheRegion) {
  auto r = Region::create_memfd(kWasmPage, "disc");
  std::memset(r->data(), 0x11, kWasmPage);
  const uint64_t at = 1u << 22;  // 64 KiB aligned
  map_window(*mem_, r, 0, 0, at, Access::ReadWrite, copy_mode());
  fill(at, 0x22, kWasmPage);  // every page of the copy is touched
  std::vector<unsigned char> resident(kWasmPage / kPage);
  ASSERT_EQ(mincore(mem_->base() + at, kWasmPage, resident.data()), 0);
  for (unsigned char page : resident) ASSERT_TRUE(page & 1);
  EXPECT_EQ(call_trap("discard", {Value::i32(static_cast<uint32_t>(at)), Value::i32(kWasmPage)}), "no trap");
  ASSERT_EQ(mincore(mem_->base() + at, kWasmPage, resident.data()), 0);
  for (unsigned char page : resident) EXPECT_FALSE(page & 1) << "the copy's pages went back to the OS";
  EXPECT_EQ(load(at + 40), 0u);
  sync_window(*mem_, at, kWasmPage);
  EXPECT_EQ(r->data()[0], 0);
  EXPECT_EQ(r->data()[kWasmPage - 1], 0);
}

TEST_F(CopyModeTest, AFileShorterThanTheWindowIsAnErrorNotACrash) {
  char path[] = "/tmp/aperture_copy_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  auto r = Region::open_file(path, 0, 2 * kPage, true);
  ASSERT_EQ(truncate(path, static_cast<off_t>(kPage)), 0);
  try {
    map_window(*mem_, r, 0, 0, 1u << 22, Access::ReadWrite, copy_mode());
    ADD_FAILURE() << "copying a truncated file must fail";
  } catch (const RegionError& e) {
    EXPECT_EQ(e.wasi_errno(), wasi::kEio);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  EXPECT_EQ(mem_->window_count(), 0u);
  EXPECT_EQ(call_trap("load", {Value::i32(1u << 22)}), "out of bounds memory access")
      << "the failed window left no accessible pages";
  unlink(path);
}

TEST_F(CopyModeTest, TheDefaultModeCanBeSetForTheProcess) {
  WindowMode before = default_window_mode();
  set_default_window_mode(WindowMode::Copy);
  auto r = Region::create_memfd(kPage, "dflt");
  map_window(*mem_, r, 0, 0, 1u << 22, Access::ReadWrite);
  EXPECT_EQ(window_mode(*mem_, 1u << 22), WindowMode::Copy);
  WindowOptions mapped;
  mapped.mode = WindowMode::Map;
  map_window(*mem_, r, 0, 0, 1u << 23, Access::ReadWrite, mapped);
  EXPECT_EQ(window_mode(*mem_, 1u << 23), WindowMode::Map) << "an explicit mode wins";
  set_default_window_mode(before);
  EXPECT_THROW(set_default_window_mode(WindowMode::Default), Error);
}

// --- the command line ---

using testing_support::guest;
using testing_support::run;

class CopyModeCliTest : public testing_support::ShmCliTest {
 protected:
  CopyModeCliTest() : ShmCliTest("/aperture_copy_", 1 << 16) {}
};

// Two processes in sequence through copy windows: the producer's bytes reach the region
// when it exits, the consumer copies them in when its window is made.
TEST_F(CopyModeCliTest, ProcessesExchangeDataThroughCopyWindows) {
  std::string map = " --region io=shm:" + shm_ + " --map io@0x10000000,copy ";
  std::string out;
  ASSERT_EQ(run("run" + map + guest("pipeline_stage") + " produce", &out), 0) << out;
  auto* words = reinterpret_cast<const uint32_t*>(region_->data());
  EXPECT_EQ(words[0], 0xC0FFEEu) << "written back when the producer ended";
  out.clear();
  ASSERT_EQ(run("run --window-mode copy --region io=shm:" + shm_ + " --map io@0x10000000 " +
                    guest("pipeline_stage") + " consume", &out), 0) << out;
  EXPECT_EQ(out, "consumed 4096 values, 0 bad, sum 58710016\n");
  EXPECT_EQ(words[0], 0xD0Eu);
}

TEST_F(CopyModeCliTest, BadModesAreClearErrors) {
  std::string map = " --region io=shm:" + shm_ + " --map io@0x10000000";
  std::string out;
  EXPECT_EQ(run("run" + map + ",copy,mapped " + guest("pipeline_stage") + " consume", &out), 2) << out;
  EXPECT_NE(out.find("both copy and mapped"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run("run --window-mode mmap" + map + " " + guest("pipeline_stage") + " consume", &out), 2) << out;
  EXPECT_NE(out.find("use map or copy"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run("run" + map + " " + guest("pipeline_stage") + " consume", &out, "APERTURE_WINDOW_MODE=cpy"), 1) << out;
  EXPECT_NE(out.find("APERTURE_WINDOW_MODE='cpy'"), std::string::npos) << out;
}

}  // namespace
}  // namespace aperture
