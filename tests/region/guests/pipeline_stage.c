// One stage of a cross-process exchange through a shm region mapped at a fixed address
// (--map io@0x10000000). Mode "produce": writes v[i] = i*7+1 and sets a ready flag.
// Mode "consume": checks the producer's data, writes w[i] = v[i]*2 into the second half
// and prints a checksum. Layout: [0]=flag, [1..N]=v, [N+1..2N]=w.
#include <stdio.h>
#include <string.h>
#include <stdint.h>

#define N 4096
static volatile uint32_t* const io = (volatile uint32_t*)0x10000000;

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "produce")) {
    for (uint32_t i = 0; i < N; i++) io[1 + i] = i * 7 + 1;
    io[0] = 0xC0FFEE;
    printf("produced %d values\n", N);
    return 0;
  }
  if (io[0] != 0xC0FFEE) { printf("no data from producer\n"); return 3; }
  uint64_t sum = 0;
  int bad = 0;
  for (uint32_t i = 0; i < N; i++) {
    uint32_t v = io[1 + i];
    if (v != i * 7 + 1) bad++;
    io[1 + N + i] = v * 2;
    sum += v;
  }
  io[0] = 0xD0E;
  printf("consumed %d values, %d bad, sum %llu\n", N, bad, (unsigned long long)sum);
  return bad ? 4 : 0;
}
