// Random memory access: read-modify-write at pseudo-random positions of a 16 MiB table.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 30000000;
  enum { kWords = 1 << 22 };
  uint32_t* t = calloc(kWords, sizeof(uint32_t));
  uint32_t x = 2463534242u;
  for (int i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    t[x & (kWords - 1)] += x >> 24;
  }
  uint64_t sum = 0;
  for (int i = 0; i < kWords; i += 97) sum += t[i];
  printf("randmem(%d) = %llu\n", n, (unsigned long long)sum);
  free(t);
  return 0;
}
