// Attaches the granted region "data" and holds the attachment until a line (or end of
// file) arrives on standard input, so a test can make several processes contend.
// Usage: attach_hold exclusive|shared TIMEOUT_MS   (0 = do not wait, -1 = wait forever)
// Prints "attached MODE" or "refused -ERRNO", then "detached RESULT" after the release.
#include <aperture/guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: attach_hold exclusive|shared TIMEOUT_MS\n");
    return 2;
  }
  int exclusive = strcmp(argv[1], "exclusive") == 0;
  long long ms = atoll(argv[2]);
  int64_t timeout = ms < 0 ? APERTURE_WAIT_FOREVER : ms * 1000000;
  int32_t h = aperture_region_open("data", 4, exclusive ? APERTURE_READ_WRITE : APERTURE_READ);
  if (h < 0) {
    printf("open failed %d\n", h);
    return 1;
  }
  int64_t size = aperture_region_size(h);
  int64_t at = aperture_attach_wait(h, 0, size, APERTURE_MAP_ANYWHERE,
                                    exclusive ? APERTURE_ATTACH_EXCLUSIVE : APERTURE_ATTACH_SHARED, timeout);
  if (at < 0) {
    printf("refused %lld\n", (long long)at);
    fflush(stdout);
    return 0;
  }
  volatile uint32_t* words = aperture_ptr(at);
  if (exclusive) {
    words[0] += 1;  // a writer counts its attachments in word 0
    aperture_sync(at, size);  // a copy window's count reaches the region now (mapped: no-op)
  }
  printf("attached %s %u\n", argv[1], words[0]);
  fflush(stdout);
  char line[64];
  (void)fgets(line, sizeof line, stdin);
  printf("detached %d\n", aperture_detach(at, size));
  return 0;
}
