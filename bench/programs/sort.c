// Sorting: a hand-written quicksort plus insertion sort over pseudo-random integers.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static void quicksort(int32_t* a, int lo, int hi) {
  while (hi - lo > 16) {
    int32_t p = a[(lo + hi) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) { int32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; } else { quicksort(a, i, hi); hi = j; }
  }
  for (int i = lo + 1; i <= hi; i++) {
    int32_t v = a[i]; int k = i - 1;
    while (k >= lo && a[k] > v) { a[k + 1] = a[k]; k--; }
    a[k + 1] = v;
  }
}
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3000000;
  int32_t* a = malloc(sizeof(int32_t) * n);
  uint32_t x = 42;
  for (int i = 0; i < n; i++) { x = x * 1664525u + 1013904223u; a[i] = (int32_t)(x >> 1); }
  quicksort(a, 0, n - 1);
  uint64_t check = 0;
  for (int i = 1; i < n; i++) { if (a[i - 1] > a[i]) { printf("unsorted\n"); return 1; } check += (uint64_t)a[i] * (uint64_t)(i & 1023); }
  printf("sort(%d) = %llu\n", n, (unsigned long long)check);
  free(a);
  return 0;
}
