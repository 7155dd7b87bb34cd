// Compute-heavy: a prime sieve, an FNV-1a hash chain and a floating-point series.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000000;
  char* composite = calloc(n + 1, 1);
  int primes = 0;
  for (int i = 2; i <= n; i++) {
    if (composite[i]) continue;
    primes++;
    for (long long j = (long long)i * i; j <= n; j += i) composite[j] = 1;
  }
  printf("primes below %d: %d\n", n, primes);
  uint64_t h = 1469598103934665603ull;
  for (int round = 0; round < 200; round++)
    for (int i = 0; i <= n; i += 7) { h ^= (uint64_t)composite[i] + (uint64_t)i; h *= 1099511628211ull; }
  printf("fnv chain: %016llx\n", (unsigned long long)h);
  double pi = 0;
  for (int k = 0; k < n; k++) pi += (k % 2 ? -4.0 : 4.0) / (2.0 * k + 1.0);
  printf("leibniz pi: %.9f\n", pi);
  free(composite);
  return 0;
}
