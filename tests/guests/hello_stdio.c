// stdio: formatted output, line input from stdin, stderr.
#include <stdio.h>
#include <string.h>

int main(void) {
  printf("Hello from %s: %d %5.2f %x %s\n", "a guest", 42, 3.14159, 0xBEEF, "done");
  puts("puts works");
  fputs("this goes to stderr\n", stderr);
  char line[256];
  int n = 0;
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    printf("line %d: [%s] (%zu chars)\n", ++n, line, strlen(line));
  }
  printf("%d lines\n", n);
  return 0;
}
