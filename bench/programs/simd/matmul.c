// Matrix product of single-precision matrices, i-k-j order (the inner loop vectorises
// over j). Entries are small integers, so every product and sum is exact in float: the
// result is the same with or without fused multiply-add (native -march=native may fuse,
// wasm cannot), and native and wasm print the same checksum.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 256;
  int reps = argc > 2 ? atoi(argv[2]) : 1;
  float* a = malloc(sizeof(float) * n * n);
  float* b = malloc(sizeof(float) * n * n);
  float* c = malloc(sizeof(float) * n * n);
  uint32_t s = 1;
  for (int i = 0; i < n * n; i++) {
    s = s * 1664525u + 1013904223u;
    a[i] = (float)((int)(s >> 28) - 8);
    s = s * 1664525u + 1013904223u;
    b[i] = (float)((int)(s >> 28) - 8);
  }
  double check = 0;
  for (int r = 0; r < reps; r++) {
    memset(c, 0, sizeof(float) * n * n);
    for (int i = 0; i < n; i++)
      for (int k = 0; k < n; k++) {
        float aik = a[i * n + k];
        for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
      }
    check += c[(r * 7919) % (n * n)];
    a[r % (n * n)] += 1.0f;
  }
  double total = 0;
  for (int i = 0; i < n * n; i++) total += c[i];
  printf("matmul(%d, %d): total %.1f check %.1f\n", n, reps, total, check);
  return 0;
}
