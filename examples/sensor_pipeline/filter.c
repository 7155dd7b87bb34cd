// A Wasm filter module for the sensor-pipeline demo. Like embedded C touching
// memory-mapped registers, it uses fixed addresses: the host binds the samples region
// at 0x10000000 (read-only) and the results region at 0x20000000 (read-write) before
// the module starts. Every access is an ordinary wasm load or store on shared pages.
#include <stdint.h>

#define SAMPLES ((const volatile int32_t*)0x10000000)
#define RESULTS ((volatile int32_t*)0x20000000)

// The transform: calibrate (gain/offset in Q8 fixed point), clamp to 16 bits, then
// mix in the channel number. transform_reference() in main.cpp is the same in C++.
static inline int32_t transform(int32_t x, uint32_t channel) {
  int32_t y = (int32_t)(((int64_t)x * 300) >> 8) - 1200;
  if (y > 32767) y = 32767;
  if (y < -32768) y = -32768;
  return y ^ (int32_t)(channel & 0xFF);
}

__attribute__((export_name("filter"))) uint32_t filter(uint32_t begin, uint32_t end) {
  uint32_t changed = 0;
  for (uint32_t i = begin; i < end; i++) {
    int32_t y = transform(SAMPLES[i], i);
    changed += RESULTS[i] != y;
    RESULTS[i] = y;
  }
  return changed;
}
