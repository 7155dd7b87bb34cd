// A non-zero exit status from exit() after output was flushed.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int code = argc > 1 ? atoi(argv[1]) : 42;
  printf("exiting with %d\n", code);
  exit(code);
}
