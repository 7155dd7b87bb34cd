// aarch64: the CPU as the kernel's hardware capability words describe it (getauxval;
// user space cannot read the ID registers portably).
#include <asm/hwcap.h>
#include <sys/auxv.h>

#include <cstdio>
#include <string>

#include "target/target.h"

namespace aperture::target {
namespace {

struct CpuInfo {
  uint64_t hwcap = 0, hwcap2 = 0;
  std::string description;
};

const CpuInfo& cpu() {
  static const CpuInfo info = [] {
    CpuInfo c;
    c.hwcap = getauxval(AT_HWCAP);
    c.hwcap2 = getauxval(AT_HWCAP2);
    char text[96];
    std::snprintf(text, sizeof text, "aarch64 (hwcap %#llx, hwcap2 %#llx)",
                  static_cast<unsigned long long>(c.hwcap), static_cast<unsigned long long>(c.hwcap2));
    c.description = text;
    return c;
  }();
  return info;
}

}  // namespace

const char* host_target_name() { return "aarch64-linux-gnu"; }

const native::Digest& cpu_fingerprint() {
  static const native::Digest digest = [] {
    uint64_t words[2] = {cpu().hwcap, cpu().hwcap2};
    return native::sha256({reinterpret_cast<const uint8_t*>(words), sizeof words});
  }();
  return digest;
}

const std::string& cpu_description() { return cpu().description; }

// The features of compile/compile_target.cpp's aarch64 targets.
bool cpu_has_feature(std::string_view feature) {
  if (feature == "lse") return (cpu().hwcap & HWCAP_ATOMICS) != 0;  // Armv8.1 atomics
  if (feature == "rcpc") return (cpu().hwcap & HWCAP_LRCPC) != 0;   // Armv8.3 LDAPR
  return false;
}

}  // namespace aperture::target
