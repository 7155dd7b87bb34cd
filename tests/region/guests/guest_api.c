// Exercises every function of include/aperture/guest.h, including each error return.
// Run with: --region data=memfd:size=64K --region table=memfd:size=8K --grant data:rw --grant table:ro
#include <aperture/guest.h>
#include <stdio.h>
#include <string.h>

#define OPEN(name, access) aperture_region_open(name, (int32_t)strlen(name), access)

int main(void) {
  int32_t page = aperture_page_size();
  printf("page_size is a power of two >= 4096: %s\n", page >= 4096 && (page & (page - 1)) == 0 ? "yes" : "no");

  int32_t data = OPEN("data", APERTURE_READ_WRITE);
  printf("open data rw: %s\n", data > 0 ? "handle" : "error");
  printf("open unknown: %d\n", OPEN("nope", APERTURE_READ));
  printf("open table rw beyond grant: %d\n", OPEN("table", APERTURE_READ_WRITE));
  printf("open bad access: %d\n", OPEN("data", 2));
  printf("open with bad pointer: %d\n", aperture_region_open((const char*)0xFFFFFF00u, 200, APERTURE_READ));
  int32_t table = OPEN("table", APERTURE_READ);
  printf("region_size data: %lld\n", (long long)aperture_region_size(data));
  printf("region_size bad handle: %lld\n", (long long)aperture_region_size(999));

  int64_t at = aperture_map(data, 0, 65536, APERTURE_MAP_ANYWHERE, APERTURE_READ_WRITE);
  printf("map anywhere: %s\n", at > 0 && at % page == 0 ? "page-aligned address" : "error");
  volatile uint32_t* p = aperture_ptr(at);
  for (int i = 0; i < 16384; i++) p[i] = (uint32_t)i * 3u;
  uint64_t sum = 0;
  for (int i = 0; i < 16384; i++) sum += p[i];
  printf("wrote and read back through the window: %llu\n", (unsigned long long)sum);

  printf("map overlapping: %lld\n", (long long)aperture_map(data, 0, page, at, APERTURE_READ));
  printf("map misaligned addr: %lld\n", (long long)aperture_map(data, 0, page, at + 65536 + 12, APERTURE_READ));
  printf("map misaligned offset: %lld\n", (long long)aperture_map(data, 7, page, APERTURE_MAP_ANYWHERE, APERTURE_READ));
  printf("map beyond region: %lld\n", (long long)aperture_map(data, 0, 2 * 65536, APERTURE_MAP_ANYWHERE, APERTURE_READ));
  printf("map beyond 4 GiB: %lld\n", (long long)aperture_map(data, 0, 65536, 0x100000000ll - page, APERTURE_READ));
  printf("map bad handle: %lld\n", (long long)aperture_map(42, 0, page, APERTURE_MAP_ANYWHERE, APERTURE_READ));
  printf("map table rw (opened ro): %lld\n", (long long)aperture_map(table, 0, page, APERTURE_MAP_ANYWHERE, APERTURE_READ_WRITE));

  int64_t t = aperture_map(table, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_READ);
  printf("map table ro: %s\n", t + 8192 == at ? "mapped right below data" : "error");
  printf("protect table rw beyond grant: %d\n", aperture_protect(t, 8192, APERTURE_READ_WRITE));
  printf("protect data ro: %d\n", aperture_protect(at, 65536, APERTURE_READ));
  printf("protect data rw again: %d\n", aperture_protect(at, 65536, APERTURE_READ_WRITE));
  printf("protect not a window: %d\n", aperture_protect(at, page, APERTURE_READ));

  printf("unmap wrong length: %d\n", aperture_unmap(at, page));
  printf("unmap data: %d\n", aperture_unmap(at, 65536));
  printf("unmap again: %d\n", aperture_unmap(at, 65536));
  int64_t again = aperture_map(data, 0, 65536, at, APERTURE_READ);
  printf("remap at the same address: %s\n", again == at ? "same" : "error");
  printf("region bytes survived unmap: %s\n", p[5] == 15 ? "yes" : "no");

  int64_t ex = aperture_attach(data, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_ATTACH_EXCLUSIVE);
  printf("attach exclusive: %s\n", ex > 0 ? "attached" : "error");
  printf("attach exclusive again, no wait: %lld\n",
         (long long)aperture_attach(data, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_ATTACH_EXCLUSIVE));
  printf("attach shared, wait 20 ms: %lld\n",
         (long long)aperture_attach_wait(data, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_ATTACH_SHARED, 20000000));
  printf("attach exclusive through a read-only handle: %lld\n",
         (long long)aperture_attach(table, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_ATTACH_EXCLUSIVE));
  printf("attach bad mode: %lld\n", (long long)aperture_attach(data, 0, 0, APERTURE_MAP_ANYWHERE, 3));
  printf("detach a plain window: %d\n", aperture_detach(again, 65536));
  printf("detach: %d\n", aperture_detach(ex, 65536));
  printf("detach again: %d\n", aperture_detach(ex, 65536));
  int64_t r1 = aperture_attach(data, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_ATTACH_SHARED);
  int64_t r2 = aperture_attach(data, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_ATTACH_SHARED);
  printf("two shared attachments: %s\n", r1 > 0 && r2 > 0 ? "both attached" : "error");
  printf("protect a shared attachment rw: %d\n", aperture_protect(r1, 65536, APERTURE_READ_WRITE));
  printf("detach both: %d %d\n", aperture_detach(r1, 65536), aperture_detach(r2, 65536));
  printf("close data: %d\n", aperture_region_close(data));
  printf("close again: %d\n", aperture_region_close(data));
  printf("window stays after close: %s\n", p[6] == 18 ? "yes" : "no");
  printf("close table: %d\n", aperture_region_close(table));
  return 0;
}
