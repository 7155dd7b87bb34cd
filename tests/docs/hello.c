// The `hello.c` of README.md and docs/wasi.md: reads the file named by argv[1] from the
// preopened /data and prints it with $MODE (tests/docs/doc_examples.py runs the docs'
// command lines with it).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: hello FILE\n");
    return 2;
  }
  char path[256];
  snprintf(path, sizeof path, "/data/%s", argv[1]);
  FILE* f = fopen(path, "r");
  if (!f) {
    perror(path);
    return 1;
  }
  const char* mode = getenv("MODE");
  printf("mode %s\n", mode ? mode : "(unset)");
  char line[256];
  while (fgets(line, sizeof line, f)) fputs(line, stdout);
  fclose(f);
  return 0;
}
