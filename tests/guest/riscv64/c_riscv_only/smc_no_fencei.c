// Self-modifying code WITHOUT fence.i or __builtin___clear_cache. RISC-V
// allows a hart to keep running the old instructions in that case, so real
// hardware (and qemu) may print other values: this tests mimic's own
// mechanism (linux_user/code_wp.h: translated pages are write-protected, a
// store to them invalidates the translations before the next instruction),
// which x86 guests will need. The output is compared with the .expected file
// only, never with qemu.
//
// f(x) = x + k0 + k1 + ... is a chain of "addi a0, a0, k" then "ret".
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*Fn)(long);
typedef long (*Fn3)(long, long, void*);

static uint32_t addi_a0(int k) { return ((uint32_t)k & 0xfff) << 20 | 10u << 15 | 10u << 7 | 0x13u; }
static const uint32_t kRet = 0x00008067u;  // jalr x0, 0(ra)

static size_t emit(uint32_t* code, int steps, int base) {
  for (int i = 0; i < steps; i++) code[i] = addi_a0(base + i);
  code[steps] = kRet;
  return (size_t)steps + 1;
}

static long call(void* code, long x) { return ((Fn)(uintptr_t)code)(x); }

// Threads part: the worker runs the code (hot, chained) until told to pause,
// the main thread rewrites it while the worker waits, then the worker calls
// it again. (A store racing with another thread's translation of the same
// page is not covered: code_wp.h, cross-modifying code needs a handshake.)
static uint32_t* g_code;
static atomic_int g_phase;  // even: worker runs; odd: worker paused
static atomic_int g_ack;
static long g_results[4];

static void* worker(void* arg) {
  (void)arg;
  for (int v = 1; v <= 3; v++) {
    for (int i = 0; i < 5000; i++) call(g_code, i);
    atomic_store_explicit(&g_ack, 2 * v - 1, memory_order_release);
    while (atomic_load_explicit(&g_phase, memory_order_acquire) < 2 * v) {
    }
    g_results[v] = call(g_code, 0);
  }
  return NULL;
}

int main(void) {
  size_t page = 4096;
  uint32_t* code = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) {
    printf("mmap failed\n");
    return 1;
  }
  // 1. run, rewrite with plain stores, run again
  emit(code, 8, 1);
  printf("f(100) = %ld\n", call(code, 100));
  printf("f(100) = %ld\n", call(code, 100));  // translated and hot by now
  emit(code, 8, 10);
  printf("rewritten f(100) = %ld\n", call(code, 100));
  // 2. patch one instruction in the middle
  code[3] = addi_a0(1000);
  printf("patched f(0) = %ld\n", call(code, 0));

  // 3. a block that rewrites its own later instruction:
  //      sw a1, 8(a2); addi a0,a0,1; addi a0,a0,2; ret
  //    with a1 = the replacement for the third instruction.
  uint32_t* self = code + 256;
  self[0] = (0u << 25) | 11u << 20 | 12u << 15 | 2u << 12 | 8u << 7 | 0x23u;
  self[1] = addi_a0(1);
  self[2] = addi_a0(2);
  self[3] = kRet;
  Fn3 g = (Fn3)(uintptr_t)self;
  long r1 = g(0, (long)addi_a0(2), self);
  long r2 = g(0, (long)addi_a0(100), self);
  long r3 = g(0, (long)addi_a0(2), self);
  printf("self-modifying block: %ld %ld %ld\n", r1, r2, r3);

  // 4. new code arriving through read() from a pipe (the host kernel writes
  //    the page: system call path)
  int fds[2];
  if (pipe(fds) != 0) return 1;
  uint32_t fresh[9];
  size_t n = emit(fresh, 8, 100);
  if (write(fds[1], fresh, n * 4) != (ssize_t)(n * 4)) return 1;
  ssize_t got = read(fds[0], code, n * 4);
  printf("read %zd bytes, f(0) = %ld\n", got, call(code, 0));

  // 5. data sharing a page with hot code: stores in a loop stay correct
  volatile long* data = (volatile long*)(code + 512);
  emit(code, 4, 1);
  long sum = 0;
  for (int i = 0; i < 200000; i++) {
    sum += call(code, i);
    data[i & 7] = sum;
  }
  printf("shared page: sum %ld data %ld\n", sum, (long)data[(200000 - 1) & 7]);

  // 6. another thread runs the code while this one rewrites it
  g_code = code + 2048;  // a page of its own
  emit(g_code, 4, 1);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  for (int v = 1; v <= 3; v++) {
    while (atomic_load_explicit(&g_ack, memory_order_acquire) < 2 * v - 1) {
    }
    emit(g_code, 4, v * 100);
    atomic_store_explicit(&g_phase, 2 * v, memory_order_release);
  }
  pthread_join(t, NULL);
  printf("threads: %ld %ld %ld\n", g_results[1], g_results[2], g_results[3]);

  // 7. guest mprotect on a translated page: the guest sees its own
  //    protection (/proc/self/maps), and stores after re-enabling PROT_WRITE
  //    still reach the code
  uint32_t* wx = code + 3072;  // the fourth page
  emit(wx, 4, 1);
  long a = call(wx, 0);
  mprotect(wx, page, PROT_READ | PROT_EXEC);
  long b = call(wx, 0);
  mprotect(wx, page, PROT_READ | PROT_WRITE | PROT_EXEC);
  char perms[8] = "?";
  FILE* maps = fopen("/proc/self/maps", "r");
  char line[512];
  while (maps && fgets(line, sizeof line, maps)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo <= (unsigned long)wx && (unsigned long)wx < hi) break;
    perms[0] = '?';
    perms[1] = 0;
  }
  if (maps) fclose(maps);
  wx[0] = addi_a0(50);
  printf("mprotect: %ld %ld %s %ld\n", a, b, perms, call(wx, 0));
  return 0;
}
