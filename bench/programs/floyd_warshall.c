// PolyBench-like loop nest: Floyd-Warshall all-pairs shortest paths, written here after
// PolyBench/C's floyd-warshall kernel (same loop order and initialisation rule, not its
// code). An n x n int matrix, n^3 relaxations through the k, i, j loop nest; the argument
// is n. Prints a checksum of the result.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 500;
  int* path = malloc(sizeof(int) * (size_t)n * (size_t)n);
  if (!path) return 1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      int w = i * j % 7 + 1;
      // Some pairs have no direct edge (a large weight), as in PolyBench's initialisation.
      if ((i + j) % 13 == 0 || (i + j) % 7 == 0 || (i + j) % 11 == 0) w = 999;
      path[i * n + j] = i == j ? 0 : w;
    }
  for (int k = 0; k < n; k++)
    for (int i = 0; i < n; i++) {
      int ik = path[i * n + k];
      for (int j = 0; j < n; j++) {
        int through = ik + path[k * n + j];
        if (through < path[i * n + j]) path[i * n + j] = through;
      }
    }
  unsigned long long sum = 0;
  for (int i = 0; i < n * n; i++) sum = sum * 31 + (unsigned)path[i];
  printf("floyd_warshall(%d): checksum %llu\n", n, sum);
  free(path);
  return 0;
}
