// Clocks: only deterministic facts are printed (monotonic progress, plausible wall time).
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  struct timespec a, b, res, wall;
  clock_gettime(CLOCK_MONOTONIC, &a);
  usleep(20000);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
  printf("monotonic advanced by at least 20 ms: %s\n", ms >= 19.5 ? "yes" : "no");
  printf("monotonic resolution below 1 ms: %s\n",
         clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec < 1000000 ? "yes" : "no");
  clock_gettime(CLOCK_REALTIME, &wall);
  printf("realtime after 2024: %s\n", wall.tv_sec > 1704067200 ? "yes" : "no");
  time_t t = time(NULL);
  printf("time() agrees with realtime: %s\n", t - wall.tv_sec <= 1 ? "yes" : "no");
  struct timespec slept = {0, 5000000}, before, after;
  clock_gettime(CLOCK_MONOTONIC, &before);
  nanosleep(&slept, NULL);
  clock_gettime(CLOCK_MONOTONIC, &after);
  long long ns = (after.tv_sec - before.tv_sec) * 1000000000LL + (after.tv_nsec - before.tv_nsec);
  printf("nanosleep(5 ms) slept at least 5 ms: %s\n", ns >= 4900000 ? "yes" : "no");
  return 0;
}
