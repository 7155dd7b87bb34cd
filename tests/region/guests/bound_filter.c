/* A filter whose shared memory is declared in its source (docs/regions.md, "Declarative
 * bindings"): it reads samples from region "input" at a fixed address and writes results
 * through region "output" at another, like embedded C with memory-mapped registers. It
 * opens nothing itself: `aperture run --region input=... --region output=...` is all it
 * needs. Built twice: with its bindings, and with -DBOUND_FILTER_PLAIN without them (for
 * `aperture bind` to add the same ones).
 *
 * input:  word 0 = n (at most 16,000), words 1..n = samples
 * output: word 0 = n, words 1..n = 3 * sample + 1 */
#include <aperture/guest.h>
#include <stdint.h>
#include <stdio.h>

#define INPUT_ADDR 0xF0000000
#define OUTPUT_ADDR 0xF0010000

#ifndef BOUND_FILTER_PLAIN
APERTURE_BIND_WINDOW("input", 0, 65536, INPUT_ADDR, APERTURE_READ);
APERTURE_BIND_WINDOW("output", 0, 65536, OUTPUT_ADDR, APERTURE_READ_WRITE);
#endif

int main(void) {
  const volatile int32_t* in = (const volatile int32_t*)INPUT_ADDR;
  volatile int32_t* out = (volatile int32_t*)OUTPUT_ADDR;
  int32_t n = in[0];
  if (n < 0 || n > 16000) {
    printf("bad sample count %d\n", n);
    return 1;
  }
  int64_t sum = 0;
  for (int32_t i = 1; i <= n; ++i) {
    out[i] = 3 * in[i] + 1;
    sum += out[i];
  }
  out[0] = n;
  printf("filtered %d samples, sum %lld\n", n, (long long)sum);
  return 0;
}
