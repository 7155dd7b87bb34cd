// A validated module plus its interpreter code, shared by all instances of the module.
#pragma once

#include <memory>
#include <vector>

#include "aperture/runtime.h"
#include "binary/module.h"
#include "interp/code.h"

namespace aperture {

struct CompiledModule {
  Module module;
  std::vector<InterpCode> code;  // one per defined function
  std::vector<uint32_t> type_ids;  // canonical id of each entry of module.types
};

}  // namespace aperture
