// Reading a module for `run`, `validate` and `inspect`: from a file or standard input
// ("-"), bounded in size, with errors that say what the input is when it is no module.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aperture::cli {

// Larger inputs are refused before (files) or while (pipes) they are read.
constexpr uint64_t kMaxModuleBytes = 1ull << 30;

// Reads the module at `path` ("-": standard input). Throws aperture::Error, naming the
// path, when it cannot be opened, is a directory or device, is larger than
// kMaxModuleBytes, or is not a binary module (WebAssembly text gets a wat2wasm hint).
// With `allow_artifact`, a precompiled artifact (`aperture compile`) is read too.
std::vector<uint8_t> read_module(const std::string& path, bool allow_artifact = false);

// How messages name the input: the path, or "standard input" for "-".
std::string module_display_name(const std::string& path);

}  // namespace aperture::cli
