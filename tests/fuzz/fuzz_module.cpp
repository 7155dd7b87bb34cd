// libFuzzer target: arbitrary bytes through decode, validate, instantiate and run (every
// export, with bounded fuel and memory: fuzz/module_runner.h) in the engine named by
// $APERTURE_ENGINE (default: the default engine). A documented error or a trap is a
// normal outcome; a crash, hang, sanitizer report or unexpected exception is a finding.
//
// Built with clang-19 -fsanitize=fuzzer,address,undefined in <build>/fuzz-build by
// tests/fuzz/CMakeLists.txt; CTest runs it for a fixed time on tests/fuzz/corpus
// (docs/testing.md says how to fuzz longer and how to add findings to the corpus).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>

#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "fuzz/module_runner.h"

// The runner reports any compile error as a normal outcome, so an engine that cannot
// compile at all (the compiled engine without its code generator library) would fuzz
// nothing but that error: check once that a valid module compiles in the engine.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static const uint8_t kModuleWithAFunction[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // type: () -> ()
      0x03, 0x02, 0x01, 0x00,                          // function 0 of type 0
      0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};             // body: end
  try {
    aperture::compile(kModuleWithAFunction, aperture::testing_support::engine_under_test());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_module: the engine under test cannot compile a valid module: %s\n",
                 e.what());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const aperture::EngineConfig engine = aperture::testing_support::engine_under_test();
  aperture::fuzz::run_module(std::span<const uint8_t>(data, size), engine);
  return 0;
}
