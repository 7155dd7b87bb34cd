// String processing: build text, tokenize, count words in a hash table, find substrings.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char* kWords[] = {"sensor", "filter", "region", "window", "memory", "shared", "aperture", "wasm",
                               "process", "zero", "copy", "latency", "throughput", "device", "host", "guest"};
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1500000;
  char* text = malloc((size_t)n * 12 + 1);
  size_t len = 0;
  uint32_t x = 7;
  for (int i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    const char* w = kWords[(x >> 16) % 16];
    size_t l = strlen(w);
    memcpy(text + len, w, l); len += l;
    text[len++] = (x & 0x100) ? ' ' : ',';
  }
  text[len] = 0;
  unsigned counts[16] = {0};
  for (char* tok = strtok(text, " ,"); tok; tok = strtok(NULL, " ,"))
    for (int k = 0; k < 16; k++) if (!strcmp(tok, kWords[k])) { counts[k]++; break; }
  uint64_t check = 0;
  for (int k = 0; k < 16; k++) check = check * 31 + counts[k];
  printf("strings(%d) = %llu sensor=%u wasm=%u\n", n, (unsigned long long)check, counts[0], counts[7]);
  free(text);
  return 0;
}
