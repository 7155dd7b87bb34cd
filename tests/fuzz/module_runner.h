// Runs an arbitrary module as far as it goes, with bounded resources, and describes what
// happened: shared by the libFuzzer target (fuzz_module.cpp) and the differential test
// (differential_test.cpp), which compares the description between engines.
//
// Every import is satisfied by a stub (functions log their arguments and return zeros;
// memories, tables and globals are created from the import's type), then every exported
// function is called with zero arguments, each call with its own fuel. Documented
// failures (DecodeError, ValidationError, LinkError, Trap, Error) are part of the
// description; anything else (another exception, a crash, a sanitizer report) escapes.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "aperture/engine.h"

namespace aperture::fuzz {

struct RunLimits {
  uint64_t fuel_per_call = 20'000;           // also bounds the start function
  uint64_t max_memory_bytes = 16 * 65536;    // per linear memory
  uint64_t table_elements = 100'000;         // all tables of the store
  uint32_t max_calls = 64;                   // exported functions called
  // Memory digests hash every aligned 32-bit word that has a NaN's bits as one fixed
  // word: binaryen's --denan keeps NaNs out of scalar values only, and a NaN that a
  // vector instruction stores has bits the spec leaves open.
  bool hide_nan_words = false;
};

// One line per event: "compile: ...", "instantiate: ...", "call NAME: RESULTS" or
// "call NAME: trap MESSAGE", "import MODULE.NAME(ARGS)", and at the end a digest of
// each memory and the value of each global. NaNs print as "nan" (their bits are not
// deterministic across engines by the spec), in a v128 every 32-bit lane with a NaN's
// bits; funcrefs print as "func" or "null".
std::string run_module(std::span<const uint8_t> bytes, const EngineConfig& engine,
                       const RunLimits& limits = {});

}  // namespace aperture::fuzz
