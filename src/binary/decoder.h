// Bytes -> Module for the WebAssembly 2.0 binary format.
#pragma once

#include <cstdint>
#include <span>

#include "binary/module.h"

namespace aperture {

// Decodes a complete module. Throws DecodeError naming the byte offset and what was
// expected. Never reads out of bounds, never allocates more than the input justifies.
Module decode_module(std::span<const uint8_t> bytes);

}  // namespace aperture
