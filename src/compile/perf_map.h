// The perf map (/tmp/perf-PID.map): Linux `perf` reads it to name code that no ELF file
// describes, so that profiles of compiled wasm name its functions (docs/performance.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace aperture::native {

// From now on, every compiled module loaded in this process is listed in the perf map
// (creating or truncating it now). Process-wide: perf reads one file per process.
void enable_perf_map();
// Appends one line "START SIZE wasm!NAME" per function when the perf map is enabled.
// `ranges[i]` is [begin, end) of the function `names[i]` names.
void add_to_perf_map(const std::vector<std::pair<uintptr_t, uintptr_t>>& ranges,
                     const std::vector<std::string>& names);

}  // namespace aperture::native
