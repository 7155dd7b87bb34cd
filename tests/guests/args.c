// Command-line arguments (argv[0] differs between native and wasm, so it is not printed).
#include <stdio.h>

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  return 0;
}
