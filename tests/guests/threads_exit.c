/* How a threaded program ends (wasi-threads): the process ends with the program however
 * the threads stand, as natively.
 *   thread-exit   a second thread calls exit(7) while main waits forever  -> status 7
 *   main-returns  main returns 5 while a second thread waits forever      -> status 5
 *   thread-trap   a second thread traps while main waits forever          -> a trap
 *                 (aperture: exit status 134; natively SIGILL: not compared) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void wait_forever(void) {
  pthread_mutex_lock(&lock);
  for (;;) pthread_cond_wait(&never, &lock);
}

static void* exits(void* arg) {
  (void)arg;
  printf("thread: exit(7)\n");
  fflush(stdout);
  exit(7);
}

static void* traps(void* arg) {
  (void)arg;
  printf("thread: trapping\n");
  fflush(stdout);
  __builtin_trap();
}

static void* waits(void* arg) {
  (void)arg;
  wait_forever();
  return NULL;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  pthread_t t;
  printf("main: %s\n", mode);
  fflush(stdout);
  if (strcmp(mode, "thread-exit") == 0) {
    pthread_create(&t, NULL, exits, NULL);
    wait_forever();
  }
  if (strcmp(mode, "thread-trap") == 0) {
    pthread_create(&t, NULL, traps, NULL);
    wait_forever();
  }
  if (strcmp(mode, "main-returns") == 0) {
    pthread_create(&t, NULL, waits, NULL);
    return 5;
  }
  return 1;
}
