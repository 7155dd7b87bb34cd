// Parsing the values of command-line options: sizes, durations, counts. Each throws
// UsageError naming the option and saying what it accepts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace aperture::cli {

// "65536", "64K", "16M", "1G" (also KiB/MiB/GiB; powers of 1024).
uint64_t parse_byte_size(const std::string& option, const std::string& text);
// "1.5s", "500ms", "2m", "100us", "1h"; a bare number is seconds. Must be > 0.
std::chrono::nanoseconds parse_duration(const std::string& option, const std::string& text);
// A decimal count without sign or suffix ("1000"), at most `max`.
uint64_t parse_count(const std::string& option, const std::string& text, uint64_t max = UINT64_MAX);

}  // namespace aperture::cli
