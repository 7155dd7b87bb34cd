// Hashing: FNV-1a and a murmur-style 64-bit mix over a generated buffer, many rounds.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 40;
  enum { kSize = 1 << 20 };
  uint8_t* buf = malloc(kSize);
  for (int i = 0; i < kSize; i++) buf[i] = (uint8_t)(i * 131 + (i >> 7));
  uint64_t fnv = 1469598103934665603ull, mix = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < kSize; i++) { fnv ^= buf[i]; fnv *= 1099511628211ull; }
    for (int i = 0; i + 8 <= kSize; i += 8) {
      uint64_t k = (uint64_t)buf[i] | (uint64_t)buf[i + 1] << 8 | (uint64_t)buf[i + 2] << 16 | (uint64_t)buf[i + 3] << 24 |
                   (uint64_t)buf[i + 4] << 32 | (uint64_t)buf[i + 5] << 40 | (uint64_t)buf[i + 6] << 48 | (uint64_t)buf[i + 7] << 56;
      k *= 0xff51afd7ed558ccdull; k ^= k >> 33; mix ^= k; mix = mix * 5 + 0x52dce729;
    }
    buf[r % kSize] ^= (uint8_t)fnv;
  }
  printf("hash(%d) = %016llx %016llx\n", rounds, (unsigned long long)fnv, (unsigned long long)mix);
  free(buf);
  return 0;
}
