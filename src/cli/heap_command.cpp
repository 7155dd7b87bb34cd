// `aperture region heap /NAME [--reset]` (docs/regions.md, "Lifetime of a block").
#include "cli/heap_command.h"

#include <iostream>

#include "aperture/region.h"
#include "aperture/shared_heap.h"
#include "cli/exit_codes.h"
#include "cli/file_util.h"

namespace aperture::cli {
namespace {

std::string blocks(uint64_t n, uint64_t bytes) {
  return std::to_string(n) + (n == 1 ? " block, " : " blocks, ") + std::to_string(bytes) + " bytes";
}

}  // namespace

int heap_command(const std::string& shm_name, bool reset) {
  try {
    SharedHeapOptions inspect;
    inspect.create = false;  // never make a heap of a region that holds none
    auto heap = SharedHeap::open(Region::open_shm(shm_name), inspect);
    if (reset) {
      heap->reset();
      std::cout << shm_name << ": every block freed\n";
      return kExitOk;
    }
    SharedHeapUsage u = heap->usage();
    // (A heap chained second or later sits lower: docs/regions.md, "Chained heaps".)
    std::cout << shm_name << ": shared heap of " << u.capacity << " bytes at 0x" << std::hex << heap->address()
              << std::dec << " (alone or first in a chain)\n"
              << "  " << (u.blocks == 1 ? "1 block" : std::to_string(u.blocks) + " blocks") << " in use ("
              << u.used_bytes << " bytes), largest free block " << u.largest_free << " bytes\n"
              << "  kept (no owner): " << blocks(u.kept_blocks, u.kept_bytes) << "\n";
    for (const SharedHeapOwner& o : u.owners)
      std::cout << "  owner pid " << o.pid
                << (o.alive ? " (running): " : " (gone: freed by the next open or allocation): ")
                << blocks(o.blocks, o.bytes) << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "error: " << error_text(e) << "\n";
    return kExitError;
  }
}

}  // namespace aperture::cli
