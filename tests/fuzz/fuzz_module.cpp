// libFuzzer target: arbitrary bytes through decode, validate, instantiate and run (every
// export, with bounded fuel and memory: fuzz/module_runner.h) in the engine named by
// $APERTURE_ENGINE (default: the default engine). A documented error or a trap is a
// normal outcome; a crash, hang, sanitizer report or unexpected exception is a finding.
//
// Built with clang-19 -fsanitize=fuzzer,address,undefined in <build>/fuzz-build by
// tests/fuzz/CMakeLists.txt; CTest runs it for a fixed time on tests/fuzz/corpus
// (docs/testing.md says how to fuzz longer and how to add findings to the corpus).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "engine_under_test.h"
#include "fuzz/module_runner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const aperture::EngineConfig engine = aperture::testing_support::engine_under_test();
  aperture::fuzz::run_module(std::span<const uint8_t>(data, size), engine);
  return 0;
}
