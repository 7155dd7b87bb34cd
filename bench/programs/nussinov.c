// PolyBench-like loop nest: Nussinov's RNA folding dynamic program, written here after
// PolyBench/C's nussinov kernel (same recurrence and loop order, not its code): a
// triangular n x n table filled from the bottom row up, each cell the maximum over its
// neighbours and an O(n) inner loop of splits, n^3/6 steps in all. The argument is n.
#include <stdio.h>
#include <stdlib.h>

static int max_int(int a, int b) { return a >= b ? a : b; }
static int match(int b1, int b2) { return b1 + b2 == 3; }

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 500;
  int* table = calloc((size_t)n * (size_t)n, sizeof(int));
  char* seq = malloc((size_t)n);
  if (!table || !seq) return 1;
  for (int i = 0; i < n; i++) seq[i] = (char)((i + 1) % 4);
#define T(i, j) table[(i) * n + (j)]
  for (int i = n - 1; i >= 0; i--) {
    for (int j = i + 1; j < n; j++) {
      int best = T(i, j);
      if (j - 1 >= 0) best = max_int(best, T(i, j - 1));
      if (i + 1 < n) best = max_int(best, T(i + 1, j));
      if (j - 1 >= 0 && i + 1 < n) {
        if (i < j - 1) best = max_int(best, T(i + 1, j - 1) + match(seq[i], seq[j]));
        else best = max_int(best, T(i + 1, j - 1));
      }
      for (int k = i + 1; k < j; k++) best = max_int(best, T(i, k) + T(k + 1, j));
      T(i, j) = best;
    }
  }
  unsigned long long sum = 0;
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++) sum = sum * 31 + (unsigned)T(i, j);
  printf("nussinov(%d): table[0][%d] = %d, checksum %llu\n", n, n - 1, T(0, n - 1), sum);
  free(table);
  free(seq);
  return 0;
}
