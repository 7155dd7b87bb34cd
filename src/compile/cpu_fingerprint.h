// What compiled code depends on in the host CPU, read with cpuid (no LLVM): the vendor,
// family/model/stepping and every feature flag. Code compiled for one fingerprint is
// never run under another.
#pragma once

#include <string>

#include "compile/sha256.h"

namespace aperture::native {

const Digest& cpu_fingerprint();
// e.g. "GenuineIntel family 6 model 85"
const std::string& cpu_description();

}  // namespace aperture::native
