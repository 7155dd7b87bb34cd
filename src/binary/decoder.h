// Bytes -> Module for the WebAssembly 2.0 binary format.
#pragma once

#include <cstdint>
#include <span>

#include "aperture/features.h"
#include "binary/module.h"

namespace aperture {

// Decodes a complete module. Throws DecodeError naming the byte offset and what was
// expected. Never reads out of bounds, never allocates more than the input justifies.
// With features.multi_memory, memory instructions carry memory indices (3.0 encoding).
Module decode_module(std::span<const uint8_t> bytes, const Features& features = {});

}  // namespace aperture
