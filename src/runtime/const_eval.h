// Evaluation of validated constant expressions (global initialisers, segment offsets and
// element items) in the context of a partially built instance.
#pragma once

#include <cstdint>

#include "aperture/runtime.h"
#include "binary/module.h"

namespace aperture {

// The value of `expr` as a raw slot (i32/f32 zero-extended, references as RefBits; a
// v128's low half, its high half in *high when `high` is given).
uint64_t eval_const(const ConstExpr& expr, const Instance& instance, uint64_t* high = nullptr);

}  // namespace aperture
