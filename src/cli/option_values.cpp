#include "cli/option_values.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "cli/file_util.h"

namespace aperture::cli {
namespace {

// Splits "16M" into its digits and its suffix; false when it does not start with a digit.
bool split_number(const std::string& text, std::string* number, std::string* suffix,
                  bool allow_point) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || (allow_point && text[i] == '.')))
    ++i;
  if (i == 0 || !std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  *number = text.substr(0, i);
  *suffix = text.substr(i);
  return true;
}

uint64_t to_u64(const std::string& digits, bool* ok) {
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(digits.c_str(), &end, 10);
  *ok = errno == 0 && end != nullptr && *end == '\0';
  return v;
}

}  // namespace

uint64_t parse_byte_size(const std::string& option, const std::string& text) {
  std::string number, suffix;
  bool ok = split_number(text, &number, &suffix, false);
  uint64_t value = ok ? to_u64(number, &ok) : 0;
  uint64_t unit = 0;
  if (suffix.empty() || suffix == "B") unit = 1;
  else if (suffix == "K" || suffix == "k" || suffix == "KiB") unit = 1ull << 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB") unit = 1ull << 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB") unit = 1ull << 30;
  if (!ok || unit == 0)
    throw UsageError(option + " expects a size in bytes such as 65536, 64K, 16M or 1G, got '" + text + "'");
  if (value > UINT64_MAX / unit) throw UsageError(option + ": '" + text + "' is too large");
  return value * unit;
}

std::chrono::nanoseconds parse_duration(const std::string& option, const std::string& text) {
  std::string number, suffix;
  bool ok = split_number(text, &number, &suffix, true);
  double seconds_per_unit = 0;
  if (suffix.empty() || suffix == "s") seconds_per_unit = 1;
  else if (suffix == "ms") seconds_per_unit = 1e-3;
  else if (suffix == "us") seconds_per_unit = 1e-6;
  else if (suffix == "ns") seconds_per_unit = 1e-9;
  else if (suffix == "m") seconds_per_unit = 60;
  else if (suffix == "h") seconds_per_unit = 3600;
  char* end = nullptr;
  double value = ok ? std::strtod(number.c_str(), &end) : 0;
  ok = ok && end != nullptr && *end == '\0' && seconds_per_unit != 0;
  double ns = value * seconds_per_unit * 1e9;
  if (!ok || !std::isfinite(ns) || ns < 1 || ns > 1e18)
    throw UsageError(option + " expects a duration such as 1s, 500ms, 2.5s or 10m (more than zero), got '" +
                     text + "'");
  return std::chrono::nanoseconds(static_cast<int64_t>(ns));
}

uint64_t parse_count(const std::string& option, const std::string& text, uint64_t max) {
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
