// POSIX threads with deterministic results: a mutex-protected counter, C11
// atomics (fetch_add, CAS loops, exchange, flags), a condition-variable
// producer/consumer queue, a barrier, a reader/writer lock, pthread_once,
// thread-local storage, join values, and a detached thread.
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { kThreads = 4, kIters = 20000, kItems = 5000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_counter;
static atomic_long atomic_counter;
static atomic_uint_fast64_t cas_product = 1;
static atomic_int max_seen;
static _Atomic uint32_t byte_mix;
static atomic_flag spin = ATOMIC_FLAG_INIT;
static long spin_counter;
static _Thread_local int tls_value = 7;
static pthread_barrier_t barrier;
static atomic_int after_barrier_errors;
static atomic_int arrived;

static void* counter_worker(void* arg) {
  long id = (long)(intptr_t)arg;
  tls_value += (int)id;  // each thread sees its own copy
  for (int i = 0; i < kIters; i++) {
    pthread_mutex_lock(&lock);
    locked_counter++;
    pthread_mutex_unlock(&lock);
    atomic_fetch_add_explicit(&atomic_counter, 2, memory_order_relaxed);
    // Sum of 1 + (i % 3) over all iterations via a CAS loop on a 64-bit value.
    uint_fast64_t old = atomic_load(&cas_product), want;
    do {
      want = old + 1 + (uint_fast64_t)(i % 3);
    } while (!atomic_compare_exchange_weak(&cas_product, &old, want));
    int v = (int)(id * kIters + i), seen = atomic_load(&max_seen);
    while (v > seen && !atomic_compare_exchange_strong(&max_seen, &seen, v)) {
    }
    atomic_fetch_xor(&byte_mix, (uint32_t)(i + id * 7) * 2654435761u);
    while (atomic_flag_test_and_set_explicit(&spin, memory_order_acquire)) {
    }
    spin_counter++;
    atomic_flag_clear_explicit(&spin, memory_order_release);
  }
  atomic_fetch_add(&arrived, 1);
  pthread_barrier_wait(&barrier);
  // Every thread passed the barrier only after all had arrived.
  if (atomic_load(&arrived) != kThreads) atomic_fetch_add(&after_barrier_errors, 1);
  return (void*)(intptr_t)(tls_value * 100 + id);
}

// Bounded queue: producers put 1..kItems, consumers sum what they take.
static struct {
  pthread_mutex_t m;
  pthread_cond_t not_empty, not_full;
  int buf[16];
  int head, count, producers_left;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 2};

static void* producer(void* arg) {
  int base = (int)(intptr_t)arg;
  for (int i = 1; i <= kItems; i++) {
    pthread_mutex_lock(&q.m);
    while (q.count == 16) pthread_cond_wait(&q.not_full, &q.m);
    q.buf[(q.head + q.count) % 16] = base + i;
    q.count++;
    pthread_cond_signal(&q.not_empty);
    pthread_mutex_unlock(&q.m);
  }
  pthread_mutex_lock(&q.m);
  q.producers_left--;
  pthread_cond_broadcast(&q.not_empty);
  pthread_mutex_unlock(&q.m);
  return NULL;
}

static void* consumer(void* arg) {
  int64_t* sum = arg;
  for (;;) {
    pthread_mutex_lock(&q.m);
    while (q.count == 0 && q.producers_left > 0) pthread_cond_wait(&q.not_empty, &q.m);
    if (q.count == 0) {
      pthread_mutex_unlock(&q.m);
      return NULL;
    }
    int v = q.buf[q.head];
    q.head = (q.head + 1) % 16;
    q.count--;
    pthread_cond_signal(&q.not_full);
    pthread_mutex_unlock(&q.m);
    *sum += v;
  }
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int table[64];
static void* rw_worker(void* arg) {
  int id = (int)(intptr_t)arg;
  long reads = 0;
  for (int i = 0; i < 2000; i++) {
    if (i % 10 == id) {
      pthread_rwlock_wrlock(&rw);
      for (int k = 0; k < 64; k++) table[k]++;
      pthread_rwlock_unlock(&rw);
    } else {
      pthread_rwlock_rdlock(&rw);
      int first = table[0];
      for (int k = 1; k < 64; k++)
        if (table[k] != first) reads = -1000000;  // torn update seen
      reads++;
      pthread_rwlock_unlock(&rw);
    }
  }
  return (void*)(intptr_t)(reads > 0);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void init_once(void) { once_runs++; }
static void* once_worker(void* arg) {
  (void)arg;
  pthread_once(&once, init_once);
  return NULL;
}

static atomic_int detached_done;
static void* detached_worker(void* arg) {
  (void)arg;
  atomic_store(&detached_done, 1);
  return NULL;
}

int main(void) {
  pthread_t t[kThreads];
  pthread_barrier_init(&barrier, NULL, kThreads);
  for (long i = 0; i < kThreads; i++) pthread_create(&t[i], NULL, counter_worker, (void*)(intptr_t)i);
  long joined_sum = 0;
  for (int i = 0; i < kThreads; i++) {
    void* ret;
    pthread_join(t[i], &ret);
    joined_sum += (long)(intptr_t)ret;
  }
  pthread_barrier_destroy(&barrier);
  printf("mutex counter %ld, atomic counter %ld, spin counter %ld\n", locked_counter,
         atomic_load(&atomic_counter), spin_counter);
  printf("cas sum %" PRIuFAST64 ", max seen %d, xor mix %08" PRIx32 "\n", atomic_load(&cas_product),
         atomic_load(&max_seen), atomic_load(&byte_mix));
  printf("join values sum %ld, main tls %d, barrier errors %d\n", joined_sum, tls_value,
         atomic_load(&after_barrier_errors));

  pthread_t prod[2], cons[3];
  int64_t sums[3] = {0, 0, 0};
  for (int i = 0; i < 3; i++) pthread_create(&cons[i], NULL, consumer, &sums[i]);
  for (int i = 0; i < 2; i++) pthread_create(&prod[i], NULL, producer, (void*)(intptr_t)(i * 1000000));
  for (int i = 0; i < 2; i++) pthread_join(prod[i], NULL);
  for (int i = 0; i < 3; i++) pthread_join(cons[i], NULL);
  printf("queue total %" PRId64 " (expect %" PRId64 ")\n", sums[0] + sums[1] + sums[2],
         (int64_t)kItems * (kItems + 1) + (int64_t)1000000 * kItems);

  pthread_t rws[4];
  long ok = 0;
  for (int i = 0; i < 4; i++) pthread_create(&rws[i], NULL, rw_worker, (void*)(intptr_t)i);
  for (int i = 0; i < 4; i++) {
    void* r;
    pthread_join(rws[i], &r);
    ok += (long)(intptr_t)r;
  }
  printf("rwlock: readers consistent %ld/4, table[0]=%d table[63]=%d\n", ok, table[0], table[63]);

  pthread_t ones[4];
  for (int i = 0; i < 4; i++) pthread_create(&ones[i], NULL, once_worker, NULL);
  for (int i = 0; i < 4; i++) pthread_join(ones[i], NULL);
  printf("pthread_once ran %d time(s)\n", once_runs);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t d;
  pthread_create(&d, &attr, detached_worker, NULL);
  pthread_attr_destroy(&attr);
  for (int i = 0; i < 20000 && !atomic_load(&detached_done); i++) usleep(1000);
  printf("detached thread ran: %d\n", atomic_load(&detached_done));
  return 0;
}
