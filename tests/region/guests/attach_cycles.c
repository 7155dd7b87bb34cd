// One of several processes that take turns on the region "data": each cycle attaches it
// exclusively (waiting as long as needed), appends (PROCESS, CYCLE) to a log and folds
// the same value into every data word, non-atomically and order-dependently, then
// detaches. Any overlap of two writers would lose or reorder an update, which the test
// detects by replaying the log serially.
// Usage: attach_cycles PROCESS CYCLES
// Layout (32-bit words): [0] log length, [1..16] data, [64..] log.
#include <aperture/guest.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  uint32_t process = (uint32_t)atoi(argv[1]);
  int cycles = atoi(argv[2]);
  int32_t h = aperture_region_open("data", 4, APERTURE_READ_WRITE);
  int64_t size = aperture_region_size(h);
  for (int i = 0; i < cycles; i++) {
    int64_t at = aperture_attach_wait(h, 0, size, APERTURE_MAP_ANYWHERE, APERTURE_ATTACH_EXCLUSIVE,
                                      APERTURE_WAIT_FOREVER);
    if (at < 0) {
      printf("attach failed in cycle %d: %lld\n", i, (long long)at);
      return 1;
    }
    volatile uint32_t* w = aperture_ptr(at);
    uint32_t entry = process << 16 | (uint32_t)i;
    uint32_t n = w[0];
    uint32_t data[16];
    for (int k = 0; k < 16; k++) data[k] = w[1 + k];  // read all, then write all
    for (int k = 0; k < 16; k++) w[1 + k] = data[k] * 31u + entry + (uint32_t)k;
    w[64 + n] = entry;
    w[0] = n + 1;
    int32_t d = aperture_detach(at, size);
    if (d != 0) {
      printf("detach failed in cycle %d: %d\n", i, d);
      return 1;
    }
  }
  printf("process %u: %d cycles\n", process, cycles);
  return 0;
}
