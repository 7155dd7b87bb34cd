// x86-64: the CPU as cpuid describes it.
#include "target/target.h"

#include <cpuid.h>

#include <cstring>
#include <vector>

namespace aperture::target {
namespace {

struct CpuInfo {
  std::vector<uint32_t> words;
  std::string description;
};

CpuInfo read_cpu() {
  CpuInfo info;
  unsigned a = 0, b = 0, c = 0, d = 0;
  unsigned max_leaf = __get_cpuid_max(0, nullptr);
  __cpuid(0, a, b, c, d);
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  info.words = {a, b, c, d};
  if (max_leaf >= 1) {
    __cpuid(1, a, b, c, d);
    info.words.insert(info.words.end(), {a, c, d});  // signature, features (ebx varies per core)
    unsigned family = (a >> 8) & 0xF, model = (a >> 4) & 0xF;
    if (family == 0xF) family += (a >> 20) & 0xFF;
    if (family == 0x6 || family >= 0xF) model += ((a >> 16) & 0xF) << 4;
    info.description = std::string(vendor) + " family " + std::to_string(family) + " model " +
                       std::to_string(model);
    if (c & bit_OSXSAVE) {
      uint32_t lo, hi;
      __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));  // register state the OS saves
      info.words.insert(info.words.end(), {lo, hi});
    }
  }
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    info.words.insert(info.words.end(), {b, c, d});
    __cpuid_count(7, 1, a, b, c, d);
    info.words.insert(info.words.end(), {a, b, c, d});
  }
  unsigned max_ext = __get_cpuid_max(0x80000000, nullptr);
  if (max_ext >= 0x80000001) {
    __cpuid(0x80000001, a, b, c, d);
    info.words.insert(info.words.end(), {c, d});
  }
  return info;
}

const CpuInfo& cpu() {
  static const CpuInfo info = read_cpu();
  return info;
}

}  // namespace

const native::Digest& cpu_fingerprint() {
  static const native::Digest digest = native::sha256(
      {reinterpret_cast<const uint8_t*>(cpu().words.data()), cpu().words.size() * sizeof(uint32_t)});
  return digest;
}

const std::string& cpu_description() { return cpu().description; }

// Generic x86-64 code (compile --target x86_64-linux-gnu) needs no optional feature.
bool cpu_has_feature(std::string_view) { return false; }

const char* host_target_name() { return "x86_64-linux-gnu"; }

}  // namespace aperture::target
