// Item 2 of the fault discipline: memory.discard of a region-backed memory on a file system
// that cannot punch holes zeroes the bytes through the mapping, with the memory's window
// lock held. When the file was truncated, that faults: the fault must become a trap and
// the lock must be released (before, the interpreter's fault jump skipped the unlock and
// the next window or grow call deadlocked; the compiled engine died of the SIGBUS).
//
// ramfs is the file system that cannot punch holes; it is mounted in a private mount
// namespace of a child process (as root, or in a user namespace where allowed).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>

#include "aperture/bindings.h"
#include "aperture/memory.h"
#include "aperture/region.h"
#include "fault_test_support.h"
#include "wasm_bytes.h"

namespace aperture {
namespace {

using testing_support::call;

constexpr uint32_t kWasmPage = 65536;
constexpr int kNoRamfs = 77;

// A private ramfs at a fresh directory; false when this process may not mount one.
bool mount_private_ramfs(const std::string& dir) {
  if (unshare(geteuid() == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) != 0) return false;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  return mount("aperture-test", dir.c_str(), "ramfs", 0, nullptr) == 0;
}

int discard_over_truncated_file(const std::string& dir) {
  if (!mount_private_ramfs(dir)) return kNoRamfs;
  std::string path = dir + "/memory.bin";
  auto region = Region::open_file(path, 0, 4 * kWasmPage, true);
  Store store;
  auto compiled = compile(testing_support::discard_module(4), testing_support::engine_under_test());
  Instance& inst = store.instantiate(compiled, Linker{}, {}, MemoryBackings{{0, region_memory_backing(region)}});
  Memory& mem = *inst.memory(0);
  call(inst, "store", {Value::i32(3 * kWasmPage), Value::i32(9)});
  if (fallocate(region->fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, kWasmPage) == 0)
    return 3;  // the test would not reach the path it is about
  if (truncate(path.c_str(), kWasmPage) != 0) return 4;
  std::string t = testing_support::trap_of(inst, "discard", {Value::i32(2 * kWasmPage), Value::i32(2 * kWasmPage)});
  if (t.find("memory.discard could not zero") == std::string::npos) {
    std::fprintf(stderr, "discard: %s\n", t.c_str());
    return 5;
  }
  // Every call that takes the window lock still works.
  auto window = Region::create_memfd(kWasmPage);
  map_window(mem, window, 0, kWasmPage, 1u << 24, Access::ReadWrite);
  call(inst, "store", {Value::i32(1u << 24), Value::i32(1)});
  unmap_window(mem, 1u << 24, kWasmPage);
  if (call(inst, "grow", {Value::i32(1)}).at(0).as_i32() != -1) return 6;  // the region is full
  if (call(inst, "load", {Value::i32(0)}).at(0).as_u32() != 0) return 7;
  return 0;
}

TEST(DiscardFaultTest, TruncatedRegionBackedMemoryTrapsAndKeepsWindowsAndGrowWorking) {
  char dir[] = "/tmp/aperture-ramfs-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string ended = testing_support::in_child([&] { return discard_over_truncated_file(dir); }, 30);
  rmdir(dir);
  if (ended == "exit " + std::to_string(kNoRamfs))
    GTEST_SKIP() << "cannot mount a private ramfs here (needs root or user namespaces)";
  EXPECT_EQ(ended, "exit 0") << "signal 14: the child hung (a lock left held by the fault)";
}

}  // namespace
}  // namespace aperture
