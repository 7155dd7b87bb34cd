// Finds and loads the code generator library (libaperture-codegen.so) the first time
// code must be generated. Processes that only run cached or precompiled code never load
// it, nor LLVM.
#pragma once

#include "compile/codegen_api.h"

namespace aperture::native {

// Generates code for `request`. Throws Error when the library cannot be loaded, was
// built from other sources than this program, or generation fails.
CodegenResult generate_code(const CodegenRequest& request);

}  // namespace aperture::native
