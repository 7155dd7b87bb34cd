// Bit manipulation: popcount, rotations, bit reversal, leading zeros.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static uint32_t reverse(uint32_t x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
  x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
  return (x >> 16) | (x << 16);
}
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000000;
  uint64_t acc = 0;
  uint32_t x = 0x12345678u;
  for (int i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    acc += (uint64_t)__builtin_popcount(x) + reverse(x) + (uint64_t)__builtin_clz(x | 1);
    acc = (acc << 7) | (acc >> 57);
  }
  printf("bits(%d) = %llu\n", n, (unsigned long long)acc);
  return 0;
}
