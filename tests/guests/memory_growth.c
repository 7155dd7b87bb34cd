// Heap growth: many allocations force memory.grow; contents must survive growth.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  enum { kBlocks = 64, kSize = 1 << 20 };
  uint8_t* blocks[kBlocks];
  for (int i = 0; i < kBlocks; i++) {
    blocks[i] = malloc(kSize);
    if (!blocks[i]) { printf("malloc failed at %d\n", i); return 1; }
    for (int j = 0; j < kSize; j += 4096) blocks[i][j] = (uint8_t)(i + j / 4096);
  }
  unsigned long sum = 0;
  for (int i = 0; i < kBlocks; i++)
    for (int j = 0; j < kSize; j += 4096) sum += blocks[i][j];
  printf("64 MiB allocated, checksum %lu\n", sum);
  for (int i = 0; i < kBlocks; i++) free(blocks[i]);
  return 0;
}
