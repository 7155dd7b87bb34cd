// The window benchmark's kernels: random read-modify-write and random reads over a table
// of 32-bit words (xorshift positions, a tight loop: the sensor-sampling access pattern).
// The same source is compiled to wasm (pointers are wasm addresses) and natively.
#include <stdint.h>

static inline uint32_t next(uint32_t x) {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

uint32_t rmw_kernel(uint32_t* table, uint32_t mask, uint32_t n) {
  uint32_t x = 2463534242u;
  for (uint32_t i = 0; i < n; i++) {
    x = next(x);
    table[x & mask] += 1;
  }
  return x;
}

uint32_t read_kernel(const uint32_t* table, uint32_t mask, uint32_t n) {
  uint32_t x = 2463534242u, sum = 0;
  for (uint32_t i = 0; i < n; i++) {
    x = next(x);
    sum += table[x & mask];
  }
  return sum;
}

#ifdef __wasm__
__attribute__((export_name("rmw"))) uint32_t rmw(uint32_t base, uint32_t mask, uint32_t n) {
  return rmw_kernel((uint32_t*)(uintptr_t)base, mask, n);
}
__attribute__((export_name("read_sum"))) uint32_t read_sum(uint32_t base, uint32_t mask, uint32_t n) {
  return read_kernel((const uint32_t*)(uintptr_t)base, mask, n);
}
#endif
