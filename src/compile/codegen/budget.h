// The compile budget (docs/limits.md, "Compilation"): a function whose size, number of
// calls or locals would make LLVM's optimising pipeline slow or memory-hungry (its passes
// grow faster than linearly in these) is compiled without optimisation, as opt-level 0
// would compile it; its machine code is slower but takes about a second per megabyte.
#pragma once

#include <cstdint>

#include "binary/module.h"

namespace aperture::native {

struct CompileBudget {
  uint32_t max_instructions = 20'000;  // wasm instructions in the body
  uint32_t max_calls = 1'000;          // call, call_indirect and call_ref instructions
  uint32_t max_locals = 2'000;         // declared locals, parameters excluded
};

// Whether defined function `defined_index` fits the budget for the optimising pipeline.
bool within_budget(const Module& module, uint32_t defined_index,
                   const CompileBudget& budget = CompileBudget{});

}  // namespace aperture::native
