#include "cli/limit_options.h"

#include <CLI/CLI.hpp>

#include "cli/file_util.h"

namespace aperture::cli {

void add_limit_options(CLI::App& run, LimitOptions& o) {
  StoreLimits defaults;
  auto* group = run.add_option_group("Limits", "Resource limits (docs/limits.md)");
  group->add_option("--max-table-elements", o.max_table_elements,
                    "elements all tables of the program may hold together (default " +
                        std::to_string(defaults.table_elements) + ")");
}

StoreLimits make_store_limits(const LimitOptions& o) {
  StoreLimits limits;
  if (o.max_table_elements)
    limits.table_elements = parse_count(*o.max_table_elements, "--max-table-elements", UINT64_MAX);
  return limits;
}

uint64_t parse_count(const std::string& text, const std::string& option, uint64_t max) {
  auto bad = [&](const std::string& why) {
    return UsageError(option + " expects a number of 0 to " + std::to_string(max) + ", got '" +
                      text + "' (" + why + ")");
  };
  if (text.empty()) throw bad("empty");
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw bad("decimal digits only");
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) throw bad("too large");
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace aperture::cli
