// Writing what a command produces (`compile`'s artifact, `bind`'s module).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aperture::cli {

// Writes `bytes` to `path`. A regular file (or a new one) is written through a temporary
// file in the same directory (created with O_EXCL under a random name) and a rename, so a
// failed write never leaves half a file, and a command whose output is its own input
// (`aperture bind m.wasm ... -o m.wasm`) never loses the input; the file keeps its mode.
// A symbolic link keeps pointing where it did: what it points to is written. A device
// or a FIFO is written in place, never replaced; a directory or a socket is refused.
// Throws aperture::Error "cannot write PATH: REASON".
void write_output_file(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace aperture::cli
