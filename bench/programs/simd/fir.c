// FIR filter over int16 samples with 32 Q15 taps and int32 accumulation, saturated to
// int16 (a sensor-data filter as fixed-point DSP code writes it), repeated over one
// buffer; integer arithmetic, so native and wasm agree exactly.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define TAPS 32

static void fir(const int16_t* restrict x, int16_t* restrict y, int n, const int16_t* restrict h) {
  for (int i = 0; i < n; i++) {
    int32_t acc = 0;
    for (int k = 0; k < TAPS; k++) acc += (int32_t)x[i + k] * h[k];
    acc >>= 15;
    y[i] = (int16_t)(acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc);
  }
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1 << 16;
  int reps = argc > 2 ? atoi(argv[2]) : 1;
  int16_t* x = malloc(sizeof(int16_t) * (n + TAPS));
  int16_t* y = malloc(sizeof(int16_t) * n);
  int16_t h[TAPS];
  uint32_t s = 7;
  for (int i = 0; i < n + TAPS; i++) s = s * 1664525u + 1013904223u, x[i] = (int16_t)(s >> 16);
  for (int k = 0; k < TAPS; k++) s = s * 1664525u + 1013904223u, h[k] = (int16_t)((int)(s >> 20) - 2048);
  uint64_t check = 0;
  for (int r = 0; r < reps; r++) {
    fir(x, y, n, h);
    check = check * 31 + (uint16_t)y[(r * 4099) % n];
    x[r % n] ^= 0x55;
  }
  uint64_t sum = 0;
  for (int i = 0; i < n; i++) sum = sum * 131 + (uint16_t)y[i];
  printf("fir(%d, %d): %016llx %016llx\n", n, reps, (unsigned long long)sum, (unsigned long long)check);
  return 0;
}
