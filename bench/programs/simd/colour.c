// Byte-wise image work: RGBA pixels to BT.601 luma (fixed point), a saturating
// brightness step and a byte checksum (Adler-style sums), repeated over one frame.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void to_luma(const uint8_t* restrict rgba, uint8_t* restrict y, int n) {
  for (int i = 0; i < n; i++)
    y[i] = (uint8_t)((66 * rgba[4 * i] + 129 * rgba[4 * i + 1] + 25 * rgba[4 * i + 2] + 128) >> 8) + 16;
}

static void brighten(uint8_t* p, int n, uint8_t by) {
  for (int i = 0; i < n; i++) {
    unsigned v = p[i] + by;
    p[i] = (uint8_t)(v > 255 ? 255 : v);
  }
}

static uint32_t checksum(const uint8_t* p, int n) {
  uint32_t a = 1, b = 0;
  for (int block = 0; block < n; block += 4096) {  // sums fit 32 bits within a block
    int end = block + 4096 < n ? block + 4096 : n;
    uint32_t sum = 0, weighted = 0;
    for (int i = block; i < end; i++) sum += p[i], weighted += (uint32_t)(end - i) * p[i];
    b = (b + a * (uint32_t)(end - block) + weighted) % 65521;
    a = (a + sum) % 65521;
  }
  return b << 16 | a;
}

int main(int argc, char** argv) {
  int pixels = argc > 1 ? atoi(argv[1]) : 1 << 20;
  int reps = argc > 2 ? atoi(argv[2]) : 1;
  uint8_t* rgba = malloc(4 * (size_t)pixels);
  uint8_t* y = malloc((size_t)pixels);
  uint32_t s = 3;
  for (int i = 0; i < 4 * pixels; i++) s = s * 1664525u + 1013904223u, rgba[i] = (uint8_t)(s >> 24);
  uint32_t check = 0;
  for (int r = 0; r < reps; r++) {
    to_luma(rgba, y, pixels);
    brighten(y, pixels, (uint8_t)(r % 32));
    check ^= checksum(y, pixels) + (uint32_t)r;
    rgba[r % (4 * pixels)] ^= 0x3c;
  }
  printf("colour(%d, %d): %08x %08x\n", pixels, reps, check, checksum(rgba, 4 * pixels));
  return 0;
}
