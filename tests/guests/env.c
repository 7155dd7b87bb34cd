// Environment variables passed with --env (and the same variables natively).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  const char* names[] = {"APERTURE_GREETING", "APERTURE_COUNT", "APERTURE_MISSING"};
  for (int i = 0; i < 3; i++) {
    const char* v = getenv(names[i]);
    printf("%s=%s\n", names[i], v ? v : "(unset)");
  }
  return 0;
}
