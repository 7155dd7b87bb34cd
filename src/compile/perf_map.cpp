#include "compile/perf_map.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "aperture/runtime.h"

namespace aperture::native {
namespace {

std::mutex g_mutex;
std::FILE* g_file = nullptr;  // guarded by g_mutex; open for the rest of the process
std::atomic<bool> g_enabled{false};

}  // namespace

void enable_perf_map() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_file != nullptr) return;
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  g_file = std::fopen(path.c_str(), "w");
  if (g_file == nullptr)
    throw Error("cannot write the perf map " + path + ": check that /tmp is writable");
  g_enabled.store(true, std::memory_order_release);
}

void add_to_perf_map(const std::vector<std::pair<uintptr_t, uintptr_t>>& ranges,
                     const std::vector<std::string>& names) {
  if (!g_enabled.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  for (size_t i = 0; i < ranges.size() && i < names.size(); ++i)
    std::fprintf(g_file, "%lx %lx wasm!%s\n", static_cast<unsigned long>(ranges[i].first),
                 static_cast<unsigned long>(ranges[i].second - ranges[i].first), names[i].c_str());
  // perf reads the file after the program ends, but a crash must not lose the lines.
  std::fflush(g_file);
}

}  // namespace aperture::native
