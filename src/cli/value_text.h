// Converting command-line text to typed wasm values and results back to text.
#pragma once

#include <string>

#include "aperture/types.h"

namespace aperture::cli {

// Parses `text` as a value of type `t`: integers in decimal or 0x hex, signed or unsigned
// (-1 and 4294967295 are the same i32); floats in any strtod syntax (decimal, hex float,
// inf, nan) or nan:0xPAYLOAD; externref as null or a number. Throws UsageError.
Value parse_value(ValType t, const std::string& text);

// i32/i64 as signed decimal, floats with enough digits to round-trip (NaN payloads as
// nan:0x...), refs as text.
std::string format_value(const Value& v);

}  // namespace aperture::cli
