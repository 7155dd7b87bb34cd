// Spare mappings for the kernel's mapping limit (runtime/spare_mappings.h).
#include "runtime/spare_mappings.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

namespace aperture {
namespace {

constexpr int kSpares = 2;

std::mutex g_mutex;
void* g_spares[kSpares] = {};

size_t page_size() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

// Shared anonymous: each mapping has its own backing object, so it never merges with a
// neighbour and unmapping it always lowers the count by one. Caller holds g_mutex.
void take_spares() {
  for (void*& spare : g_spares) {
    if (spare != nullptr) continue;
    void* p = mmap(nullptr, page_size(), PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) spare = p;
  }
}

}  // namespace

void reserve_spare_mappings() {
  std::lock_guard<std::mutex> lock(g_mutex);
  take_spares();
}

bool with_spare_mappings(const std::function<bool()>& attempt) {
  if (attempt()) return true;
  if (errno != ENOMEM) return false;
  std::lock_guard<std::mutex> lock(g_mutex);
  for (void*& spare : g_spares) {
    if (spare != nullptr) munmap(spare, page_size());
    spare = nullptr;
  }
  bool ok = attempt();
  int err = errno;
  take_spares();
  errno = err;
  return ok;
}

}  // namespace aperture
