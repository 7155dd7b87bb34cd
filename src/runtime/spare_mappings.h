// Room for one more mapping at the kernel's limit (vm.max_map_count).
//
// Once a process has as many mappings as the kernel allows (windows can take it there,
// and a successful window may even leave it one above), every mmap fails with ENOMEM,
// including the one that replaces a window by private pages on unmap and would lower the
// count. munmap is always allowed, so the runtime holds two spare one-page mappings for
// that moment: give them up, retry the replacement, take them again.
#pragma once

#include <functional>

namespace aperture {

// Takes the spares if not held yet (idempotent, thread-safe). Called when a memory is made.
void reserve_spare_mappings();

// Runs `attempt`; if it fails with errno ENOMEM, releases the spares, runs it once more
// and re-takes the spares. Returns whether an attempt succeeded (errno from the last one
// otherwise). Serialised: concurrent callers at the limit take turns.
bool with_spare_mappings(const std::function<bool()>& attempt);

}  // namespace aperture
