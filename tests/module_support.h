// Loading test modules (tests/<layer>/wat/*.wat, built to APERTURE_WAT_DIR) in the engine
// under test.
#pragma once

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture::testing_support {

// The bytes of the file at `path` (empty when it cannot be read).
inline std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The module APERTURE_WAT_DIR/NAME.wasm, compiled by the engine under test.
inline std::shared_ptr<const CompiledModule> load_test_module(const std::string& name) {
  return compile(read_file_bytes(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm"), engine_under_test());
}

// The message of the trap that calling export `name` raises, or "no trap".
inline std::string trap_of(Instance& inst, const std::string& name, std::vector<Value> args) {
  try {
    inst.call(name, args);
  } catch (const Trap& t) {
    return t.what();
  }
  return "no trap";
}

}  // namespace aperture::testing_support
