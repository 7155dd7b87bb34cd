// Load-time translation of validated wasm function bodies into the interpreter's form.
#pragma once

#include "binary/module.h"
#include "interp/code.h"

namespace aperture {

// Translates defined function `defined_index` (0-based among non-imported functions).
// `type_ids` are the canonical ids of module.types (for call_indirect).
// The module must have passed validation.
InterpCode translate_function(const Module& module, uint32_t defined_index,
                              const std::vector<uint32_t>& type_ids);

}  // namespace aperture
