// The table of live host views (region/host_views.h).
#include "region/host_views.h"

#include <fcntl.h>

#include <iterator>
#include <map>
#include <mutex>

namespace aperture {
namespace {

std::mutex g_mutex;
std::map<const uint8_t*, HostView>& views() {
  static auto* table = new std::map<const uint8_t*, HostView>;  // never destroyed: regions may outlive statics
  return *table;
}

}  // namespace

void add_host_view(const HostView& view) {
  std::lock_guard<std::mutex> lock(g_mutex);
  views()[view.base] = view;
}

void remove_host_view(const uint8_t* base) {
  std::lock_guard<std::mutex> lock(g_mutex);
  views().erase(base);
}

bool find_host_view(const void* p, uint64_t size, HostView* view, int* fd) {
  const auto* at = static_cast<const uint8_t*>(p);
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = views().upper_bound(at);  // the first view starting past p; the one before may hold it
  if (it == views().begin()) return false;
  const HostView& v = std::prev(it)->second;
  uint64_t from = static_cast<uint64_t>(at - v.base);
  if (from >= v.size || size > v.size - from) return false;
  *fd = fcntl(v.fd, F_DUPFD_CLOEXEC, 0);
  if (*fd < 0) return false;
  *view = v;
  return true;
}

}  // namespace aperture
