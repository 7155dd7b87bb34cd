// Maps a granted region, then allocates a large heap. The region's bytes must survive:
// memory.grow may never hand a window's pages to the allocator (docs/regions.md, growth).
// Run with: --region data=file:PATH --grant data:rw  and the mode as the argument:
//   anywhere  map with APERTURE_MAP_ANYWHERE; the runtime picks the highest free range,
//             so a 64 MiB malloc succeeds below the window
//   at-size   map exactly at memory.size; growing would cover the window, so it fails
//             and malloc returns NULL
#include <aperture/guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAP_BYTES (64u << 20)

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "anywhere";
  int32_t h = aperture_region_open("data", 4, APERTURE_READ_WRITE);
  if (h < 0) {
    printf("region_open failed: %d\n", h);
    return 1;
  }
  int64_t want = APERTURE_MAP_ANYWHERE;
  if (strcmp(mode, "at-size") == 0) want = (int64_t)__builtin_wasm_memory_size(0) * 65536;
  int64_t at = aperture_map(h, 0, 0, want, APERTURE_READ_WRITE);
  if (at < 0) {
    printf("map failed: %lld\n", (long long)at);
    return 1;
  }
  char* heap = malloc(HEAP_BYTES);
  if (heap == NULL) {
    printf("malloc 64 MiB: refused\n");
    return 0;
  }
  memset(heap, 0x5A, HEAP_BYTES);
  // Volatile reads keep the compiler from eliding the allocation and the fill.
  const volatile unsigned char* check = (const volatile unsigned char*)heap;
  uint32_t filled = 0;
  for (uint32_t i = 0; i < HEAP_BYTES; i += 4096) filled += check[i] == 0x5A;
  uint64_t heap_end = (uint64_t)__builtin_wasm_memory_size(0) * 65536;
  printf("malloc 64 MiB: %s\n", filled == HEAP_BYTES / 4096 ? "ok" : "filled wrongly");
  printf("window above the heap: %s\n", (uint64_t)at >= heap_end ? "yes" : "no");
  free(heap);
  return 0;
}
