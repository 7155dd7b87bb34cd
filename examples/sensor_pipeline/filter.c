// A Wasm filter module for the sensor-pipeline demo. Like embedded C touching
// memory-mapped registers, it uses fixed addresses: the host binds the samples region at
// 0x10000000 (read-only), the results region at 0x20000000 (read-write) and the control
// page at 0x30000000 (read-write) before the module starts. Every access is an ordinary
// wasm load or store on shared pages; the filter synchronises with the other processes
// itself, with wasm atomics on the control page and aperture_wait32/aperture_notify,
// which sleep in the kernel (shared futexes on the region) instead of spinning.
#include <stdint.h>

#include <aperture/guest.h>

#define SAMPLES ((const volatile int32_t*)0x10000000)
#define RESULTS ((volatile int32_t*)0x20000000)
#define CONTROL ((struct control*)0x30000000)

// The control page, shared by the coordinator, the sampler and every filter (the same
// layout as struct Control in main.cpp).
struct control {
  uint32_t sample_epoch;   // coordinator -> sampler: produce this epoch
  uint32_t sampled_epoch;  // sampler -> coordinator: epoch written
  uint32_t filter_epoch;   // coordinator -> filters: filter this epoch; kStop ends them
  uint32_t filters_done;   // filters -> coordinator: one count per filter and epoch
};
#define STOP 0xFFFFFFFFu

static uint32_t load(uint32_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

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

// The filter's whole life: sleep until the coordinator announces the next epoch, filter
// channels [begin, end), report, repeat until STOP. Returns the number of epochs done.
__attribute__((export_name("serve"))) uint32_t serve(uint32_t begin, uint32_t end) {
  uint32_t done = 0;
  for (;;) {
    uint32_t epoch;
    while ((epoch = load(&CONTROL->filter_epoch)) == done)
      aperture_wait32(&CONTROL->filter_epoch, epoch, -1);  // sleeps until it changes
    if (epoch == STOP) return done;
    filter(begin, end);
    done = epoch;
    __atomic_fetch_add(&CONTROL->filters_done, 1, __ATOMIC_SEQ_CST);
    aperture_notify(&CONTROL->filters_done, 1);
  }
}
