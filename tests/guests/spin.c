// Never ends on its own: `aperture run --timeout` must stop it (tests/guests/CMakeLists.txt).
#include <stdio.h>

int main(void) {
  volatile unsigned long n = 0;
  printf("spinning\n");
  fflush(stdout);
  for (;;) ++n;
}
