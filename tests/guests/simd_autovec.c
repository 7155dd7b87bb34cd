// Loops that clang vectorises with -msimd128 (issue 22): integer and float FIR filters,
// colour conversions, a brightness transform, byte checksums and an integer matrix
// product, over generated buffers. Plain C: the wasm build is the autovectoriser's
// v128 code, the native build is an ordinary -O2 build; both print the same lines.
//   simd_autovec [SIZE]   SIZE samples/pixels per buffer (default 100000)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t lcg_state = 12345;
static uint32_t lcg(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state >> 8;
}

static uint64_t fnv1a(const void* data, size_t n) {
  const uint8_t* p = data;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

#define TAPS 16

// int16 samples, Q15 coefficients, int32 accumulation, saturated to int16.
static void fir_i16(const int16_t* restrict x, int16_t* restrict y, int n, const int16_t* restrict h) {
  for (int i = 0; i < n; i++) {
    int32_t acc = 0;
    for (int k = 0; k < TAPS; k++) acc += (int32_t)x[i + k] * h[k];
    acc >>= 15;
    y[i] = (int16_t)(acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc);
  }
}

// The same filter in float, vectorised across outputs (each output's sum keeps its order).
static void fir_f32(const float* restrict x, float* restrict y, int n, const float* restrict h) {
  for (int i = 0; i < n; i++) y[i] = 0.0f;
  for (int k = 0; k < TAPS; k++)
    for (int i = 0; i < n; i++) y[i] += x[i + k] * h[k];
}

// Planar RGB to BT.601 luma and chroma, 8-bit.
static void rgb_to_yuv(const uint8_t* restrict r, const uint8_t* restrict g, const uint8_t* restrict b,
                       uint8_t* restrict y, uint8_t* restrict u, uint8_t* restrict v, int n) {
  for (int i = 0; i < n; i++) {
    int R = r[i], G = g[i], B = b[i];
    y[i] = (uint8_t)(((66 * R + 129 * G + 25 * B + 128) >> 8) + 16);
    u[i] = (uint8_t)(((-38 * R - 74 * G + 112 * B + 128) >> 8) + 128);
    v[i] = (uint8_t)(((112 * R - 94 * G - 18 * B + 128) >> 8) + 128);
  }
}

// Interleaved RGBA to grey, alpha kept.
static void rgba_to_grey(uint8_t* restrict px, int n) {
  for (int i = 0; i < n; i++) {
    uint8_t* p = px + 4 * i;
    uint8_t grey = (uint8_t)((77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8);
    p[0] = p[1] = p[2] = grey;
  }
}

// Saturating brightness: min(255, x + 40).
static void brighten(uint8_t* restrict p, int n) {
  for (int i = 0; i < n; i++) {
    unsigned s = p[i] + 40u;
    p[i] = (uint8_t)(s > 255 ? 255 : s);
  }
}

// Byte sum, weighted (Fletcher-like) sum and xor fold over 32-bit words.
static void checksums(const uint8_t* p, int n, uint32_t* sum, uint32_t* weighted, uint32_t* xor_fold) {
  uint32_t s = 0, w = 0, x = 0;
  for (int i = 0; i < n; i++) s += p[i];
  for (int i = 0; i < n; i++) w += p[i] * (uint32_t)(i & 255);
  const uint32_t* words = (const uint32_t*)p;
  for (int i = 0; i < n / 4; i++) x ^= words[i];
  *sum = s, *weighted = w, *xor_fold = x;
}

// Integer matrix product, i-k-j order (vectorised over j).
static void matmul_i32(const int32_t* a, const int32_t* b, int32_t* c, int m) {
  memset(c, 0, sizeof(int32_t) * m * m);
  for (int i = 0; i < m; i++)
    for (int k = 0; k < m; k++) {
      int32_t aik = a[i * m + k];
      for (int j = 0; j < m; j++) c[i * m + j] += aik * b[k * m + j];
    }
}

// Per-element float maths the vectoriser maps to f32x4 min/max/abs/sqrt.
static void float_lanes(const float* restrict x, float* restrict y, int n) {
  for (int i = 0; i < n; i++) y[i] = sqrtf(fabsf(x[i])) + fminf(x[i], 0.5f) * fmaxf(x[i], -0.25f);
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  if (n < 16) n = 16;

  int16_t* xs = malloc(sizeof(int16_t) * (n + TAPS));
  int16_t* ys = malloc(sizeof(int16_t) * n);
  int16_t h16[TAPS];
  for (int i = 0; i < n + TAPS; i++) xs[i] = (int16_t)(lcg() & 0xffff);
  for (int k = 0; k < TAPS; k++) h16[k] = (int16_t)((int)(lcg() % 16384) - 4096);
  fir_i16(xs, ys, n, h16);
  printf("fir_i16: y[0]=%d y[n/2]=%d y[n-1]=%d fnv=%016llx\n", ys[0], ys[n / 2], ys[n - 1],
         (unsigned long long)fnv1a(ys, sizeof(int16_t) * n));

  float* xf = malloc(sizeof(float) * (n + TAPS));
  float* yf = malloc(sizeof(float) * n);
  float hf[TAPS];
  for (int i = 0; i < n + TAPS; i++) xf[i] = (float)((int)(lcg() % 2001) - 1000) / 1000.0f;
  for (int k = 0; k < TAPS; k++) hf[k] = (float)(int)(lcg() % 1000) / 4096.0f;
  fir_f32(xf, yf, n, hf);
  printf("fir_f32: y[0]=%a y[n-1]=%a fnv=%016llx\n", yf[0], yf[n - 1],
         (unsigned long long)fnv1a(yf, sizeof(float) * n));

  float_lanes(xf, yf, n);
  printf("float_lanes: y[1]=%a fnv=%016llx\n", yf[1], (unsigned long long)fnv1a(yf, sizeof(float) * n));

  uint8_t* planes = malloc(6 * (size_t)n);
  for (int i = 0; i < 3 * n; i++) planes[i] = (uint8_t)lcg();
  rgb_to_yuv(planes, planes + n, planes + 2 * n, planes + 3 * n, planes + 4 * n, planes + 5 * n, n);
  printf("rgb_to_yuv: fnv=%016llx\n", (unsigned long long)fnv1a(planes + 3 * n, 3 * (size_t)n));

  uint8_t* rgba = malloc(4 * (size_t)n);
  for (int i = 0; i < 4 * n; i++) rgba[i] = (uint8_t)lcg();
  rgba_to_grey(rgba, n);
  printf("rgba_to_grey: fnv=%016llx\n", (unsigned long long)fnv1a(rgba, 4 * (size_t)n));
  brighten(rgba, 4 * n);
  printf("brighten: fnv=%016llx\n", (unsigned long long)fnv1a(rgba, 4 * (size_t)n));

  uint32_t sum, weighted, xor_fold;
  checksums(rgba, 4 * n, &sum, &weighted, &xor_fold);
  printf("checksums: sum=%u weighted=%u xor=%08x\n", sum, weighted, xor_fold);

  int m = 48;
  int32_t* a = malloc(sizeof(int32_t) * m * m);
  int32_t* b = malloc(sizeof(int32_t) * m * m);
  int32_t* c = malloc(sizeof(int32_t) * m * m);
  for (int i = 0; i < m * m; i++) a[i] = (int32_t)(lcg() % 200) - 100, b[i] = (int32_t)(lcg() % 200) - 100;
  matmul_i32(a, b, c, m);
  printf("matmul_i32: c[0]=%d c[last]=%d fnv=%016llx\n", c[0], c[m * m - 1],
         (unsigned long long)fnv1a(c, sizeof(int32_t) * m * m));
  return 0;
}
