// Resource limits of `aperture run` (docs/limits.md): --max-table-elements N.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "aperture/runtime.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct LimitOptions {
  std::optional<std::string> max_table_elements;
};

void add_limit_options(CLI::App& run, LimitOptions& options);

// The store limits the options select (defaults where not given). Throws UsageError for a
// value that is not a plain non-negative decimal number within range.
StoreLimits make_store_limits(const LimitOptions& options);

// Parses a count option: decimal digits only (no sign, no suffix), at most `max`.
// Throws UsageError naming `option`.
uint64_t parse_count(const std::string& text, const std::string& option, uint64_t max);

}  // namespace aperture::cli
