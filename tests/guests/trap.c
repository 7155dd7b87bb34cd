// A guest that traps after printing: the runtime must exit with its trap status (134).
#include <stdio.h>

int main(void) {
  printf("about to trap\n");
  fflush(stdout);
  __builtin_trap();
}
