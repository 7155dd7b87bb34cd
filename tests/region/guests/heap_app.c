/* The program of the shared-heap examples in docs/regions.md ("WAMR shared heap"), run
 * there as app.wasm and as other.wasm: written for WAMR's shared heap, it takes half a
 * MiB from it, fills it and ends without freeing it, as many programs do. Whether the
 * next program finds that half MiB free again is the heap's lifetime rule. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern void *shared_heap_malloc(uint32_t size);

int main(void) {
  const uint32_t size = 512 * 1024;
  char *block = shared_heap_malloc(size);
  if (!block) {
    printf("the shared heap has no 512 KiB block free\n");
    return 1;
  }
  memset(block, 'x', size);
  printf("512 KiB of the shared heap at 0x%lx\n", (unsigned long)(uintptr_t)block);
  return 0;
}
