// Where the host sees regions (Region::data()): a process-wide table of live host views,
// so that a pointer into one can be mapped again zero-copy (Region::from_region_memory;
// docs/regions.md, "A heap over a host buffer").
#pragma once

#include <cstdint>
#include <string>

namespace aperture {

struct HostView {
  const uint8_t* base = nullptr;
  uint64_t size = 0;
  int fd = -1;              // the region's descriptor (the region's own; dup it to keep it)
  uint64_t file_offset = 0; // of base in the backing
  bool writable = false;
  std::string name;
};

void add_host_view(const HostView& view);
void remove_host_view(const uint8_t* base);
// The view holding [p, p+size), with a duplicate of its descriptor in *fd (F_DUPFD_CLOEXEC,
// taken under the table's lock so that the region cannot close it meanwhile); false when
// no live view holds all of it.
bool find_host_view(const void* p, uint64_t size, HostView* view, int* fd);

}  // namespace aperture
