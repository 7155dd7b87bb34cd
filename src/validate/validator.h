// WebAssembly 2.0 validation (spec chapter 3 and the appendix's algorithm).
#pragma once

#include "binary/module.h"

namespace aperture {

// Throws ValidationError naming the offset of the offending instruction or definition
// and the spec's message ("type mismatch", "unknown local", ...).
void validate_module(const Module& m);

}  // namespace aperture
