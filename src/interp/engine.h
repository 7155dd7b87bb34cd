// The interpreter as an Engine (runtime/engine.h).
#pragma once

#include "runtime/engine.h"

namespace aperture {

const Engine& interpreter_engine();

}  // namespace aperture
