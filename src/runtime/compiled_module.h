// A validated module plus one engine's code for it, shared by all instances of the module.
#pragma once

#include <memory>
#include <vector>

#include "aperture/runtime.h"
#include "binary/module.h"

namespace aperture {

class Engine;
class ModuleCode;

struct CompiledModule {
  CompiledModule();
  ~CompiledModule();
  Module module;
  std::vector<uint32_t> type_ids;  // canonical id of each entry of module.types
  const Engine* engine = nullptr;  // the engine that prepared `code`
  std::unique_ptr<ModuleCode> code;
};

}  // namespace aperture
