/* Cross-process synchronisation through one shared-memory region, built twice from this
 * file: as a wasm guest (the region is a window at XP_WINDOW, mapped by `aperture run
 * --map`; waits are aperture_wait32/aperture_notify) and as a native program (shm_open +
 * mmap; waits are futex(2) without FUTEX_PRIVATE_FLAG). Every combination of the two meets
 * on the same shared futexes.
 *
 *   xp_sync count M [SHM]     M atomic increments of one counter
 *   xp_sync produce N [SHM]   N messages into a ring buffer (blocks while it is full)
 *   xp_sync consume N [SHM]   N messages out of it; checks each one is the next in order
 *   xp_sync ping N [SHM]      N round trips: store, notify, wait for the answer
 *   xp_sync pong N [SHM]      the other side of ping
 *
 * Nobody spins: a side that cannot go on sleeps in the kernel until the other notifies.
 * (SHM is the POSIX shm name, native builds only.) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XP_WINDOW 0x10000000u
#define RING_SLOTS 1024u

/* The region's layout. Every shared word is accessed with __atomic builtins (sequentially
 * consistent: wasm atomics and the native ones are the same CPU instructions). */
struct shared {
  uint32_t counter;           /* count */
  uint32_t head;              /* ring: messages published */
  uint32_t tail;              /* ring: messages consumed */
  uint32_t consumer_sleeps;   /* ring: 1 while the consumer is (about to be) asleep on head */
  uint32_t producer_sleeps;   /* ring: 1 while the producer is (about to be) asleep on tail */
  uint32_t ping, pong;        /* ping-pong: the last round each side has reached */
  uint32_t pad[9];
  uint64_t slots[RING_SLOTS]; /* ring: message = sequence number | check << 32 */
};

#ifdef __wasm__
#include <aperture/guest.h>

static struct shared* attach(const char* shm) {
  (void)shm;
  return (struct shared*)(uintptr_t)XP_WINDOW;
}
static void sleep_while(uint32_t* word, uint32_t value) { aperture_wait32(word, value, -1); }
static void wake(uint32_t* word) { aperture_notify(word, 1); }
#else
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct shared* attach(const char* shm) {
  int fd = shm_open(shm, O_RDWR, 0);
  if (fd < 0) {
    perror("shm_open");
    exit(2);
  }
  void* p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  return (struct shared*)p;
}
static void sleep_while(uint32_t* word, uint32_t value) {
  syscall(SYS_futex, word, FUTEX_WAIT, value, NULL, NULL, 0);
}
static void wake(uint32_t* word) { syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0); }
#endif

static uint32_t load(uint32_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void store(uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

static uint32_t check_of(uint32_t seq) { return seq * 2654435761u ^ 0x5bd1e995u; }

/* Blocks until *word != value. `sleeps` announces the sleep to the other side first, which
 * then notifies after its next change of *word (a Dekker pair of sequentially consistent
 * accesses: either this side sees the change, or the other side sees the announcement). */
static void await_change(uint32_t* word, uint32_t value, uint32_t* sleeps) {
  while (load(word) == value) {
    store(sleeps, 1);
    if (load(word) == value) sleep_while(word, value);
    store(sleeps, 0);
  }
}

/* After changing *word: wakes the other side if it announced a sleep on it. */
static void changed(uint32_t* word, uint32_t* sleeps) {
  if (load(sleeps)) wake(word);
}

static int produce(struct shared* s, uint32_t n) {
  uint32_t head = load(&s->head);
  for (uint32_t seq = 1; seq <= n; seq++, head++) {
    uint32_t tail;
    while (head - (tail = load(&s->tail)) == RING_SLOTS) await_change(&s->tail, tail, &s->producer_sleeps);
    __atomic_store_n(&s->slots[head % RING_SLOTS], (uint64_t)seq | (uint64_t)check_of(seq) << 32,
                     __ATOMIC_RELAXED);
    store(&s->head, head + 1);
    changed(&s->head, &s->consumer_sleeps);
  }
  printf("produced %u messages\n", n);
  return 0;
}

static int consume(struct shared* s, uint32_t n) {
  uint32_t tail = load(&s->tail), bad = 0, first_bad = 0;
  for (uint32_t expected = 1; expected <= n; expected++, tail++) {
    await_change(&s->head, tail, &s->consumer_sleeps);
    uint64_t m = __atomic_load_n(&s->slots[tail % RING_SLOTS], __ATOMIC_RELAXED);
    uint32_t seq = (uint32_t)m;
    if (seq != expected || (uint32_t)(m >> 32) != check_of(seq)) {
      if (bad++ == 0) first_bad = expected;
    }
    store(&s->tail, tail + 1);
    changed(&s->tail, &s->producer_sleeps);
  }
  if (bad) {
    printf("consumed %u messages: %u lost, duplicated or corrupt (first at %u)\n", n, bad, first_bad);
    return 1;
  }
  printf("consumed %u messages in order, none lost or duplicated\n", n);
  return 0;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Both sides sleep in every round: a full hand-off each way. The first tenth of the
 * rounds is not timed (it includes the other process starting up). */
static int ping(struct shared* s, uint32_t n) {
  uint32_t warmup = n / 10;
  uint64_t start = 0;
  for (uint32_t round = 1; round <= n; round++) {
    if (round == warmup + 1) start = now_ns();
    store(&s->ping, round);
    wake(&s->ping);
    uint32_t seen;
    while ((seen = load(&s->pong)) != round) sleep_while(&s->pong, seen);
  }
  uint64_t elapsed = now_ns() - start;
  printf("%u round trips, %.0f ns per round trip\n", n - warmup, (double)elapsed / (n - warmup));
  return 0;
}

static int pong(struct shared* s, uint32_t n) {
  for (uint32_t round = 1; round <= n; round++) {
    uint32_t seen;
    while ((seen = load(&s->ping)) != round) sleep_while(&s->ping, seen);
    store(&s->pong, round);
    wake(&s->pong);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: xp_sync count|produce|consume|ping|pong N [SHM]\n");
    return 2;
  }
  uint32_t n = (uint32_t)strtoul(argv[2], NULL, 10);
  struct shared* s = attach(argc > 3 ? argv[3] : "");
  const char* mode = argv[1];
  if (strcmp(mode, "count") == 0) {
    for (uint32_t i = 0; i < n; i++) __atomic_fetch_add(&s->counter, 1, __ATOMIC_SEQ_CST);
    return 0;
  }
  if (strcmp(mode, "produce") == 0) return produce(s, n);
  if (strcmp(mode, "consume") == 0) return consume(s, n);
  if (strcmp(mode, "ping") == 0) return ping(s, n);
  if (strcmp(mode, "pong") == 0) return pong(s, n);
  fprintf(stderr, "unknown mode %s\n", mode);
  return 2;
}
