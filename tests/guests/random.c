// Random bytes: deterministic facts only (not all zero, two draws differ).
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  unsigned char a[64], b[64];
  printf("getentropy: %d\n", getentropy(a, sizeof a));
  getentropy(b, sizeof b);
  int zeros = 0;
  for (int i = 0; i < 64; i++) zeros += a[i] == 0;
  printf("not all zero: %s\n", zeros < 64 ? "yes" : "no");
  printf("draws differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
  return 0;
}
