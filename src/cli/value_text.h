// Converting command-line text to typed wasm values and results back to text.
#pragma once

#include <string>

#include "aperture/types.h"

namespace aperture::cli {

// Parses `text` as a value of type `t`: integers in decimal (signed or unsigned) or 0x
// hex; floats in any strtod syntax (decimal, hex float, inf, nan). Throws Error.
Value parse_value(ValType t, const std::string& text);

// i32/i64 as signed decimal, floats with enough digits to round-trip, refs as text.
std::string format_value(const Value& v);

}  // namespace aperture::cli
