// Integer loops: nested loops with arithmetic and a data-dependent branch.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 6000;
  uint32_t acc = 1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      acc = acc * 31 + (uint32_t)(i ^ j);
      if (acc & 1) acc += (uint32_t)j; else acc -= (uint32_t)i;
    }
  printf("loops(%d) = %u\n", n, acc);
  return 0;
}
