// WebAssembly 2.0 validation (spec chapter 3 and the appendix's algorithm): MVP,
// sign-extension, non-trapping float-to-int, multi-value, bulk memory, reference types;
// plus multiple memories (3.0) unless switched off in `features`.
#pragma once

#include "aperture/features.h"
#include "binary/module.h"

namespace aperture {

// Checks that a decoded module is valid. Throws ValidationError on the first error, with
// the spec's message ("type mismatch", "unknown local 3", ...) as its detail() and the
// offset of the offending instruction (or constant expression / function body; 0 for
// module-level definitions the decoded Module carries no offset for).
void validate_module(const Module& m, const Features& features = {});

}  // namespace aperture
