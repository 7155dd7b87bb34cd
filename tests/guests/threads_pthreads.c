/* pthreads under wasi-threads, compared with the native build: a bounded queue guarded
 * by a mutex and two condition variables (producers block when it is full, consumers
 * when it is empty), C11 atomics, thread-local storage, pthread_once, a barrier, a
 * read-write lock and join values. Everything printed is deterministic. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PRODUCERS 3
#define CONSUMERS 3
#define ITEMS_EACH 20000
#define QUEUE_SIZE 16

static struct {
  pthread_mutex_t lock;
  pthread_cond_t not_full, not_empty;
  uint64_t items[QUEUE_SIZE];
  unsigned head, tail, count;
  int producers_done;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};

static atomic_uint_fast64_t consumed_sum;
static atomic_int consumed_count;
static atomic_int full_waits;  /* producers that found the queue full (not printed: timing) */
static _Thread_local uint64_t thread_local_total;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_runs;
static pthread_barrier_t barrier;
static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static uint64_t table[64];

static void init_once(void) { atomic_fetch_add(&once_runs, 1); }

static void put(uint64_t item) {
  pthread_mutex_lock(&queue.lock);
  while (queue.count == QUEUE_SIZE) {
    atomic_fetch_add(&full_waits, 1);
    pthread_cond_wait(&queue.not_full, &queue.lock);
  }
  queue.items[queue.tail] = item;
  queue.tail = (queue.tail + 1) % QUEUE_SIZE;
  queue.count++;
  pthread_cond_signal(&queue.not_empty);
  pthread_mutex_unlock(&queue.lock);
}

/* 0 when the producers are done and the queue is empty. */
static int take(uint64_t* item) {
  pthread_mutex_lock(&queue.lock);
  while (queue.count == 0 && !queue.producers_done) pthread_cond_wait(&queue.not_empty, &queue.lock);
  if (queue.count == 0) {
    pthread_mutex_unlock(&queue.lock);
    return 0;
  }
  *item = queue.items[queue.head];
  queue.head = (queue.head + 1) % QUEUE_SIZE;
  queue.count--;
  pthread_cond_signal(&queue.not_full);
  pthread_mutex_unlock(&queue.lock);
  return 1;
}

static void* producer(void* arg) {
  uint64_t id = (uint64_t)(uintptr_t)arg;
  pthread_once(&once, init_once);
  pthread_barrier_wait(&barrier); /* all threads start together */
  for (uint64_t i = 0; i < ITEMS_EACH; i++) {
    uint64_t item = id * 1000003u + i * i;
    thread_local_total += item;
    put(item);
  }
  return (void*)(uintptr_t)(thread_local_total % 1000); /* per-thread TLS, checked by main */
}

static void* consumer(void* arg) {
  uint64_t slot = (uint64_t)(uintptr_t)arg;
  pthread_once(&once, init_once);
  pthread_barrier_wait(&barrier);
  uint64_t item;
  while (take(&item)) {
    thread_local_total += item;
    atomic_fetch_add(&consumed_sum, item);
    atomic_fetch_add(&consumed_count, 1);
    pthread_rwlock_wrlock(&table_lock);
    table[item % 64] += 1;
    pthread_rwlock_unlock(&table_lock);
  }
  pthread_rwlock_rdlock(&table_lock);
  (void)table[slot];
  pthread_rwlock_unlock(&table_lock);
  return NULL;
}

int main(void) {
  pthread_t producers[PRODUCERS], consumers[CONSUMERS];
  pthread_barrier_init(&barrier, NULL, PRODUCERS + CONSUMERS);
  for (uintptr_t i = 0; i < CONSUMERS; i++)
    if (pthread_create(&consumers[i], NULL, consumer, (void*)i) != 0) return 10;
  for (uintptr_t i = 0; i < PRODUCERS; i++)
    if (pthread_create(&producers[i], NULL, producer, (void*)(i + 1)) != 0) return 11;

  uint64_t expected_sum = 0;
  int tls_ok = 1;
  for (uintptr_t i = 0; i < PRODUCERS; i++) {
    void* result;
    pthread_join(producers[i], &result);
    uint64_t own = 0;
    for (uint64_t k = 0; k < ITEMS_EACH; k++) own += (i + 1) * 1000003u + k * k;
    expected_sum += own;
    if ((uintptr_t)result != own % 1000) tls_ok = 0;
  }
  pthread_mutex_lock(&queue.lock);
  queue.producers_done = 1;
  pthread_cond_broadcast(&queue.not_empty);
  pthread_mutex_unlock(&queue.lock);
  for (int i = 0; i < CONSUMERS; i++) pthread_join(consumers[i], NULL);

  uint64_t table_total = 0;
  for (int i = 0; i < 64; i++) table_total += table[i];
  printf("items consumed: %d (expected %d)\n", atomic_load(&consumed_count), PRODUCERS * ITEMS_EACH);
  printf("sum consumed:   %llu (expected %llu)\n", (unsigned long long)atomic_load(&consumed_sum),
         (unsigned long long)expected_sum);
  printf("rwlock table:   %llu\n", (unsigned long long)table_total);
  printf("pthread_once:   %d run(s)\n", atomic_load(&once_runs));
  printf("thread-local:   %s\n", tls_ok ? "each thread saw its own" : "MIXED UP");
  printf("main's TLS:     %llu\n", (unsigned long long)thread_local_total);
  int ok = atomic_load(&consumed_count) == PRODUCERS * ITEMS_EACH &&
           atomic_load(&consumed_sum) == expected_sum && tls_ok && table_total == PRODUCERS * ITEMS_EACH;
  return ok ? 0 : 3;
}
