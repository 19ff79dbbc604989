// Guest atomics from several threads at once (unpriv. ISA ch. 8): AMOs of
// both widths and LR/SC retry loops must not lose updates, and a 32-bit AMO
// must not disturb the neighbouring word. Output is fixed.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

enum { kThreads = 4, kIters = 20000 };

static struct {
  uint32_t word;   // amoadd.w
  uint32_t guard;  // must stay untouched
  uint64_t dword;  // amoadd.d
  uint64_t lrsc;   // lr.d/sc.d increment loop
  uint32_t lrsc_w; // lr.w/sc.w increment loop
  uint32_t pad;
  int64_t max;     // amomax.d
  uint64_t bits;   // amoor.d: each thread sets its own bits
} g __attribute__((aligned(64))) = {0, 0xa5a5a5a5u, 0, 0, 0, 0, INT64_MIN, 0};

static void* worker(void* arg) {
  const long id = (long)arg;
  for (int i = 0; i < kIters; ++i) {
    uint32_t one = 1;
    uint64_t one64 = 1;
    __asm__ volatile("amoadd.w zero, %1, (%0)" ::"r"(&g.word), "r"(one) : "memory");
    __asm__ volatile("amoadd.d.aqrl zero, %1, (%0)" ::"r"(&g.dword), "r"(one64) : "memory");
    uint64_t tmp, fail;
    __asm__ volatile(
        "1: lr.d.aq %0, (%2)\n"
        "   addi %0, %0, 1\n"
        "   sc.d.rl %1, %0, (%2)\n"
        "   bnez %1, 1b\n"
        : "=&r"(tmp), "=&r"(fail)
        : "r"(&g.lrsc)
        : "memory");
    __asm__ volatile(
        "1: lr.w %0, (%2)\n"
        "   addiw %0, %0, 1\n"
        "   sc.w %1, %0, (%2)\n"
        "   bnez %1, 1b\n"
        : "=&r"(tmp), "=&r"(fail)
        : "r"(&g.lrsc_w)
        : "memory");
    int64_t v = (int64_t)(id * kIters + i) - 40000;
    __asm__ volatile("amomax.d zero, %1, (%0)" ::"r"(&g.max), "r"(v) : "memory");
    uint64_t bit = 1ull << (id * 16 + (i % 16));
    __asm__ volatile("amoor.d zero, %1, (%0)" ::"r"(&g.bits), "r"(bit) : "memory");
  }
  return NULL;
}

int main(void) {
  pthread_t t[kThreads];
  for (long i = 0; i < kThreads; ++i) pthread_create(&t[i], NULL, worker, (void*)i);
  for (int i = 0; i < kThreads; ++i) pthread_join(t[i], NULL);
  printf("amoadd.w %u\n", g.word);
  printf("guard %#x\n", g.guard);
  printf("amoadd.d %llu\n", (unsigned long long)g.dword);
  printf("lr/sc.d %llu\n", (unsigned long long)g.lrsc);
  printf("lr/sc.w %u\n", g.lrsc_w);
  printf("amomax.d %lld\n", (long long)g.max);
  printf("amoor.d %#llx\n", (unsigned long long)g.bits);
  return 0;
}
