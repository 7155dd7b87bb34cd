// A guest written against WAMR's shared heap, unchanged: it declares the two functions as
// WAMR's samples do and is linked with --allow-undefined, so they are imports from "env".
// Usage:
//   wamr_heap basic      allocate, fill, free, reuse, exhaust (-> 0), free all, allocate again
//   wamr_heap hold TAG N SIZE
//                        allocates N blocks of SIZE bytes filled with TAG, prints each as
//                        "block ADDR SIZE", then "holding"; after a line on standard input
//                        checks that every block still holds TAG, frees them, prints "intact"
//   wamr_heap peek ADDR  prints "byte at ADDR: C", the byte another process left there
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *shared_heap_malloc(uint32_t size);
extern void shared_heap_free(void *ptr);

static int basic(void) {
  char *a = shared_heap_malloc(100);
  if (!a) { printf("first allocation failed\n"); return 1; }
  memset(a, 'a', 100);
  char *b = shared_heap_malloc(100);
  if (!b || b == a) { printf("second allocation failed\n"); return 1; }
  memset(b, 'b', 100);
  for (int i = 0; i < 100; i++)
    if (a[i] != 'a') { printf("blocks overlap\n"); return 1; }
  printf("allocated two blocks, %s\n", (uintptr_t)a % 8 == 0 && (uintptr_t)b % 8 == 0 ? "aligned" : "MISALIGNED");
  shared_heap_free(a);
  char *c = shared_heap_malloc(100);
  printf("freed block reused: %s\n", c == a ? "yes" : "no");
  shared_heap_free(c);
  shared_heap_free(b);
  shared_heap_free(0);            /* ignored, as in WAMR */
  shared_heap_free((char *)b + 1); /* not a block: ignored */

  static void *blocks[1 << 16];
  int n = 0;
  while (n < (1 << 16) && (blocks[n] = shared_heap_malloc(4096)) != 0) {
    memset(blocks[n], n & 0xff, 4096);
    n++;
  }
  int bad = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < 4096; j += 512)
      if (((unsigned char *)blocks[i])[j] != (i & 0xff)) bad++;
  printf("exhausted after %d blocks of 4096 bytes (next: 0), %d bad bytes\n", n, bad);
  printf("too large: %s\n", shared_heap_malloc(0x7fffffff) == 0 ? "0" : "NOT 0");
  for (int i = 0; i < n; i++) shared_heap_free(blocks[i]);
  void *big = shared_heap_malloc((uint32_t)n * 4096);
  printf("after freeing all, one block of %d bytes: %s\n", n * 4096, big ? "ok" : "failed");
  shared_heap_free(big);
  return 0;
}

static int hold(const char *tag, int n, int size) {
  unsigned char **blocks = calloc((size_t)n, sizeof *blocks);
  for (int i = 0; i < n; i++) {
    blocks[i] = shared_heap_malloc((uint32_t)size);
    if (!blocks[i]) { printf("exhausted at %d\n", i); return 1; }
    memset(blocks[i], tag[0], (size_t)size);
    printf("block %lu %d\n", (unsigned long)(uintptr_t)blocks[i], size);
  }
  printf("holding\n");
  fflush(stdout);
  char line[16];
  (void)fgets(line, sizeof line, stdin);
  int bad = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < size; j++) bad += blocks[i][j] != (unsigned char)tag[0];
    shared_heap_free(blocks[i]);
  }
  printf(bad ? "clobbered %d\n" : "intact\n", bad);
  return bad != 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "basic") == 0) return basic();
  if (argc >= 5 && strcmp(argv[1], "hold") == 0) return hold(argv[2], atoi(argv[3]), atoi(argv[4]));
  if (argc >= 3 && strcmp(argv[1], "peek") == 0) {
    unsigned long addr = strtoul(argv[2], 0, 10);
    printf("byte at %lu: %c\n", addr, *(volatile char *)(uintptr_t)addr);
    return 0;
  }
  fprintf(stderr, "usage: wamr_heap basic | hold TAG N SIZE | peek ADDR\n");
  return 2;
}
