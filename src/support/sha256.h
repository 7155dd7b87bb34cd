// SHA-256 (FIPS 180-4), for keying the code cache by module contents and checking that
// artifacts are intact.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace aperture::native {

using Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::span<const uint8_t> data);
  Sha256& update(const std::string& text) {
    return update({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  Digest finish();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_ = 0;
};

Digest sha256(std::span<const uint8_t> data);
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace aperture::native
