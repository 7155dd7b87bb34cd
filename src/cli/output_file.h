// Writing what a command produces (`compile`'s artifact, `bind`'s module).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aperture::cli {

// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
// so a failed write never leaves half a file, and a command whose output is its own
// input (`aperture bind m.wasm ... -o m.wasm`) never loses the input. Throws
// aperture::Error "cannot write PATH: REASON".
void write_output_file(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace aperture::cli
