// Kernels written with wasm_simd128.h intrinsics (issue 22): swizzles, saturating and
// widening arithmetic, dot products, comparisons with bitmasks, narrowing, lane access
// and f32x4 maths. The wasm build (-msimd128) runs the intrinsics; the native build runs
// the #else branch of each kernel: the same algorithm written lane by lane in plain C,
// independent of the intrinsics, so agreeing output checks the engine's SIMD semantics.
//   simd_intrinsics [SIZE]   SIZE bytes per buffer, a multiple of 16 (default 65536)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#define VECTOR 1
#else
#define VECTOR 0
#endif

static uint32_t lcg_state = 987654321;
static uint32_t lcg(void) {
  lcg_state = lcg_state * 1103515245u + 12345u;
  return lcg_state >> 7;
}

static uint64_t fnv1a(const void* data, size_t n) {
  const uint8_t* p = data;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

static uint8_t sat_u8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }
static int16_t sat_i16(int32_t v) { return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v); }

// RGBA -> BGRA, then +30 (saturating) on the colour channels, alpha untouched.
static void swizzle_brighten(uint8_t* p, int n) {
#if VECTOR
  const v128_t add = wasm_u8x16_make(30, 30, 30, 0, 30, 30, 30, 0, 30, 30, 30, 0, 30, 30, 30, 0);
  for (int i = 0; i < n; i += 16) {
    v128_t v = wasm_v128_load(p + i);
    v = wasm_i8x16_shuffle(v, v, 2, 1, 0, 3, 6, 5, 4, 7, 10, 9, 8, 11, 14, 13, 12, 15);
    wasm_v128_store(p + i, wasm_u8x16_add_sat(v, add));
  }
#else
  for (int i = 0; i < n; i += 4) {
    uint8_t r = p[i], g = p[i + 1], b = p[i + 2];
    p[i] = sat_u8(b + 30), p[i + 1] = sat_u8(g + 30), p[i + 2] = sat_u8(r + 30);
  }
#endif
}

// Sum over i of a[i] * b[i] (int16), four partial sums of adjacent pairs as i32x4.dot does.
static int32_t dot_i16(const int16_t* a, const int16_t* b, int n) {
#if VECTOR
  v128_t acc = wasm_i32x4_splat(0);
  for (int i = 0; i < n; i += 8)
    acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  return wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) +
         wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3);
#else
  uint32_t lanes[4] = {0, 0, 0, 0};  // wrapping, as i32x4.add does
  for (int i = 0; i < n; i += 8)
    for (int l = 0; l < 4; l++)
      lanes[l] += (uint32_t)(a[i + 2 * l] * b[i + 2 * l]) + (uint32_t)(a[i + 2 * l + 1] * b[i + 2 * l + 1]);
  return (int32_t)(lanes[0] + lanes[1] + lanes[2] + lanes[3]);
#endif
}

// How many bytes exceed `threshold` (unsigned compare, bitmask, popcount).
static int count_above(const uint8_t* p, int n, uint8_t threshold) {
  int count = 0;
#if VECTOR
  v128_t t = wasm_u8x16_splat(threshold);
  for (int i = 0; i < n; i += 16)
    count += __builtin_popcount(wasm_i8x16_bitmask(wasm_u8x16_gt(wasm_v128_load(p + i), t)));
#else
  for (int i = 0; i < n; i++) count += p[i] > threshold;
#endif
  return count;
}

// int16 samples scaled by a Q15 gain with rounding and saturation (q15mulr_sat), then
// narrowed to unsigned bytes with saturation after adding 128.
static void q15_gain_to_u8(const int16_t* x, uint8_t* out, int n, int16_t gain) {
#if VECTOR
  v128_t g = wasm_i16x8_splat(gain), bias = wasm_i16x8_splat(128);
  for (int i = 0; i < n; i += 16) {
    v128_t lo = wasm_i16x8_add_sat(wasm_i16x8_shr(wasm_i16x8_q15mulr_sat(wasm_v128_load(x + i), g), 8), bias);
    v128_t hi = wasm_i16x8_add_sat(wasm_i16x8_shr(wasm_i16x8_q15mulr_sat(wasm_v128_load(x + i + 8), g), 8), bias);
    wasm_v128_store(out + i, wasm_u8x16_narrow_i16x8(lo, hi));
  }
#else
  for (int i = 0; i < n; i++) {
    int16_t m = sat_i16(((int32_t)x[i] * gain + 0x4000) >> 15);
    out[i] = sat_u8(sat_i16((m >> 8) + 128));
  }
#endif
}

// Per lane: |a - b| of bytes, their rounding average, and the sum of widened products.
static void byte_stats(const uint8_t* a, const uint8_t* b, uint8_t* absdiff, uint8_t* avg, uint32_t* prod_sum,
                       int n) {
#if VECTOR
  v128_t sum = wasm_i32x4_splat(0);
  for (int i = 0; i < n; i += 16) {
    v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i);
    wasm_v128_store(absdiff + i, wasm_v128_or(wasm_u8x16_sub_sat(va, vb), wasm_u8x16_sub_sat(vb, va)));
    wasm_v128_store(avg + i, wasm_u8x16_avgr(va, vb));
    v128_t plo = wasm_u16x8_extmul_low_u8x16(va, vb), phi = wasm_u16x8_extmul_high_u8x16(va, vb);
    sum = wasm_i32x4_add(sum, wasm_u32x4_extadd_pairwise_u16x8(plo));
    sum = wasm_i32x4_add(sum, wasm_u32x4_extadd_pairwise_u16x8(phi));
  }
  *prod_sum = wasm_u32x4_extract_lane(sum, 0) + wasm_u32x4_extract_lane(sum, 1) +
              wasm_u32x4_extract_lane(sum, 2) + wasm_u32x4_extract_lane(sum, 3);
#else
  uint32_t total = 0;
  for (int i = 0; i < n; i++) {
    absdiff[i] = (uint8_t)(a[i] > b[i] ? a[i] - b[i] : b[i] - a[i]);
    avg[i] = (uint8_t)((a[i] + b[i] + 1) / 2);
    total += (uint32_t)a[i] * b[i];
  }
  *prod_sum = total;
#endif
}

// Normalised length of 2-D vectors, four at a time, with a min/max clamp; float sums in
// four lanes, added in lane order at the end.
static float vector_lengths(const float* xy, float* len, int pairs) {
#if VECTOR
  v128_t total = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < pairs; i += 4) {
    v128_t a = wasm_v128_load(xy + 2 * i), b = wasm_v128_load(xy + 2 * i + 4);
    v128_t xs = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), ys = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
    v128_t l = wasm_f32x4_sqrt(wasm_f32x4_add(wasm_f32x4_mul(xs, xs), wasm_f32x4_mul(ys, ys)));
    l = wasm_f32x4_pmin(wasm_f32x4_pmax(l, wasm_f32x4_splat(0.125f)), wasm_f32x4_splat(1.5f));
    wasm_v128_store(len + i, l);
    total = wasm_f32x4_add(total, l);
  }
  return wasm_f32x4_extract_lane(total, 0) + wasm_f32x4_extract_lane(total, 1) +
         wasm_f32x4_extract_lane(total, 2) + wasm_f32x4_extract_lane(total, 3);
#else
  float lanes[4] = {0, 0, 0, 0};
  for (int i = 0; i < pairs; i++) {
    float x = xy[2 * i], y = xy[2 * i + 1];
    float l = sqrtf(x * x + y * y);
    l = l < 0.125f ? 0.125f : l;
    l = 1.5f < l ? 1.5f : l;
    len[i] = l;
    lanes[i % 4] += l;
  }
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
}

// Lane-wise checks: whether any/all int32 lanes are non-zero, per 16 bytes.
static void lane_tests(const uint8_t* p, int n, int* any_blocks, int* all_blocks) {
  *any_blocks = *all_blocks = 0;
#if VECTOR
  for (int i = 0; i < n; i += 16) {
    v128_t v = wasm_v128_and(wasm_v128_load(p + i), wasm_i32x4_splat(0x01000001));
    *any_blocks += wasm_v128_any_true(v);
    *all_blocks += wasm_i32x4_all_true(v);
  }
#else
  for (int i = 0; i < n; i += 16) {
    int any = 0, all = 1;
    for (int l = 0; l < 4; l++) {
      uint32_t w;
      memcpy(&w, p + i + 4 * l, 4);
      w &= 0x01000001u;
      any |= w != 0;
      all &= w != 0;
    }
    *any_blocks += any;
    *all_blocks += all;
  }
#endif
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 65536;
  n = n < 16 ? 16 : n & ~15;
  printf("simd_intrinsics over %d bytes\n", n);

  uint8_t* a = malloc(n);
  uint8_t* b = malloc(n);
  for (int i = 0; i < n; i++) a[i] = (uint8_t)lcg(), b[i] = (uint8_t)lcg();

  swizzle_brighten(a, n);
  printf("swizzle_brighten: %016llx\n", (unsigned long long)fnv1a(a, n));

  const int16_t* s16 = (const int16_t*)a;
  const int16_t* t16 = (const int16_t*)b;
  printf("dot_i16: %d\n", dot_i16(s16, t16, n / 2));

  printf("count_above: %d %d %d\n", count_above(a, n, 0), count_above(a, n, 127), count_above(b, n, 250));

  uint8_t* out = malloc(n / 2);
  q15_gain_to_u8(s16, out, n / 2, 23170);
  printf("q15_gain_to_u8: %016llx\n", (unsigned long long)fnv1a(out, n / 2));
  q15_gain_to_u8(s16, out, n / 2, -32768);  // the saturating corner: -32768 * -32768
  printf("q15_gain_to_u8 (-1.0): %016llx\n", (unsigned long long)fnv1a(out, n / 2));

  uint8_t* absdiff = malloc(n);
  uint8_t* avg = malloc(n);
  uint32_t prod_sum;
  byte_stats(a, b, absdiff, avg, &prod_sum, n);
  printf("byte_stats: absdiff %016llx avg %016llx products %u\n", (unsigned long long)fnv1a(absdiff, n),
         (unsigned long long)fnv1a(avg, n), prod_sum);

  int pairs = n / 8;
  float* xy = malloc(sizeof(float) * 2 * pairs);
  float* len = malloc(sizeof(float) * pairs);
  for (int i = 0; i < 2 * pairs; i++) xy[i] = (float)((int)(lcg() % 4001) - 2000) / 1600.0f;
  float total = vector_lengths(xy, len, pairs);
  printf("vector_lengths: total %a fnv %016llx\n", total, (unsigned long long)fnv1a(len, sizeof(float) * pairs));

  int any_blocks, all_blocks;
  lane_tests(b, n, &any_blocks, &all_blocks);
  printf("lane_tests: any %d all %d of %d\n", any_blocks, all_blocks, n / 16);
  return 0;
}
