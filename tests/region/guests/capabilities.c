// A guest may unmap or protect only the windows it mapped itself; host bindings (--map)
// are fixed for it, even when it holds a grant for the same region.
// Run with: --region bound=memfd:size=64K --map bound@0x10000000 --grant bound:rw
//           --region own=memfd:size=64K --grant own:rw
#include <aperture/guest.h>
#include <stdio.h>
#include <string.h>

#define OPEN(name, access) aperture_region_open(name, (int32_t)strlen(name), access)
#define BINDING 0x10000000ll

int main(void) {
  volatile uint32_t* bound = aperture_ptr(BINDING);
  bound[0] = 7;
  printf("unmap host binding: %d\n", aperture_unmap(BINDING, 65536));
  printf("protect host binding ro: %d\n", aperture_protect(BINDING, 65536, APERTURE_READ));
  int32_t b = OPEN("bound", APERTURE_READ_WRITE);
  printf("map over host binding: %lld\n", (long long)aperture_map(b, 0, 0, BINDING, APERTURE_READ_WRITE));
  bound[1] = 8;
  printf("host binding still mapped and writable: %s\n", bound[0] == 7 && bound[1] == 8 ? "yes" : "no");

  int32_t own = OPEN("own", APERTURE_READ_WRITE);
  int64_t at = aperture_map(own, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_READ_WRITE);
  printf("map own window: %s\n", at > 0 ? "ok" : "error");
  printf("protect own window ro: %d\n", aperture_protect(at, 65536, APERTURE_READ));
  printf("protect own window rw: %d\n", aperture_protect(at, 65536, APERTURE_READ_WRITE));
  printf("unmap own window: %d\n", aperture_unmap(at, 65536));
  return 0;
}
