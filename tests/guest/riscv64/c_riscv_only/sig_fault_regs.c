// Register state seen by a SIGSEGV/SIGBUS handler when a load, store or AMO
// faults in the middle of straight-line code that has just written several
// registers. A JIT that keeps those registers in host registers (and env
// stale) must still deliver exactly the values of the instructions before
// the fault in the signal frame, leave the faulting instruction's
// destination unchanged, and resume with the values the handler sees.
// Faults: unmapped page (host fault), read-only page (host write fault), an
// address far above the guest address space (the JIT's range check), a
// misaligned AMO (alignment check). Every line printed is fixed.
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile int g_signo;
static volatile uintptr_t g_addr, g_pc_off;
static uint64_t g_regs[10];  // s2..s7, a1, a2, a3, ra at the fault
static uintptr_t g_fault_pc;

// x18..x23 = s2..s7, x11..x13 = a1..a3, x1 = ra.
static const int kRegNums[10] = {18, 19, 20, 21, 22, 23, 11, 12, 13, 1};

static void handler(int signo, siginfo_t* info, void* uc_) {
  ucontext_t* uc = uc_;
  g_signo = signo;
  g_addr = (uintptr_t)info->si_addr;
  g_pc_off = uc->uc_mcontext.__gregs[REG_PC] - g_fault_pc;
  for (int i = 0; i < 10; i++) g_regs[i] = uc->uc_mcontext.__gregs[kRegNums[i]];
  // Skip the faulting instruction (4 bytes: assembled with norvc); change a
  // register in the frame to check that the resumed code sees it.
  uc->uc_mcontext.__gregs[REG_PC] += 4;
  uc->uc_mcontext.__gregs[23] += 0x1000;  // s7
}

// The body: s2..s7 and a1 computed from x and y (several dependent ops), a2
// preset, then the access `insn` at label `name` with a3 as the address, then
// more ops; stores s2..s7, a1, a2 to out[].
#define BODY(label, insn)                               \
  ".option push\n.option norvc\n"                       \
  "mv s2, %[x]\n"                                       \
  "addi s3, s2, 1\n"                                    \
  "xor s4, s3, %[y]\n"                                  \
  "slli s5, s3, 4\n"                                    \
  "add s6, s5, s4\n"                                    \
  "sub s7, s6, s2\n"                                    \
  "li a2, 0x5a5a\n"                                     \
  "addi a1, s7, -7\n"                                   \
  "mv a3, %[p]\n"                                       \
  "lla ra, " label                                      \
  "\n"                                                  \
  "sd ra, 0(%[pc])\n"                                   \
  "addi s2, s2, 3\n"                                    \
  "mul s3, s3, s4\n" label ":\n" insn                   \
  "\n"                                                  \
  "addi s4, s4, 100\n"                                  \
  "add s5, s5, s7\n"                                    \
  "sd s2, 0(%[o])\nsd s3, 8(%[o])\nsd s4, 16(%[o])\n"   \
  "sd s5, 24(%[o])\nsd s6, 32(%[o])\nsd s7, 40(%[o])\n" \
  "sd a1, 48(%[o])\nsd a2, 56(%[o])\n"                  \
  ".option pop\n"

#define CASE(name, label, insn, ptr, want, vx, vy)                                            \
  do {                                                                                        \
    uint64_t out[8];                                                                          \
    g_signo = 0;                                                                              \
    __asm__ volatile(BODY(label, insn)                                                        \
                     :                                                                        \
                     : [x] "r"((uint64_t)(vx)), [y] "r"((uint64_t)(vy)), [p] "r"(ptr),        \
                       [o] "r"(out), [pc] "r"(&g_fault_pc)                                    \
                     : "s2", "s3", "s4", "s5", "s6", "s7", "a1", "a2", "a3", "ra", "memory"); \
    report(name, (uintptr_t)(ptr), want, out);                                                \
  } while (0)

// want_addr 0: si_addr not checked (QEMU and Linux differ for addresses
// outside the user address space).
static void report(const char* name, uintptr_t ptr, uintptr_t want_addr, const uint64_t* out) {
  if (g_signo) {
    printf("%s: %s si_addr %s pc %s\n", name, strsignal(g_signo),
           want_addr == 0 || g_addr == want_addr ? "ok" : "wrong", g_pc_off == 0 ? "ok" : "wrong");
    printf("  at fault:");
    for (int i = 0; i < 8; i++) printf(" %llx", (unsigned long long)g_regs[i]);
    printf(" a3 %s ra %s\n", g_regs[8] == ptr ? "ok" : "wrong",
           g_regs[9] == g_fault_pc ? "ok" : "wrong");
  } else {
    printf("%s: no signal\n", name);
  }
  printf("  after:   ");
  for (int i = 0; i < 8; i++) printf(" %llx", (unsigned long long)out[i]);
  printf("\n");
}

static const uint64_t g_ro[2] = {1, 2};
static uint64_t g_rw[4] __attribute__((aligned(16)));

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  setvbuf(stdout, NULL, _IOLBF, 0);

  CASE("load unmapped", "f_ld", "ld a2, 0(a3)", (void*)0x18, 0x18, 0x1234, 0x77);
  CASE("store read-only", "f_sd", "sd s6, 0(a3)", (void*)&g_ro[1], (uintptr_t)&g_ro[1], 0xabcdef,
       0x3);
  CASE("load far address", "f_far", "lw a2, 0(a3)", (void*)0xdead000000000000ull, 0, 0x42, 0x99);
  CASE("amoadd.d misaligned", "f_amo", "amoadd.d a2, s5, (a3)", (void*)((char*)g_rw + 4),
       (uintptr_t)g_rw + 4, 0x55, 0x1);
  CASE("load ok", "f_ok", "ld a2, 0(a3)", (void*)g_rw, 0, 0x10, 0x20);
  printf("g_ro %llu %llu\n", (unsigned long long)g_ro[0], (unsigned long long)g_ro[1]);
  return 0;
}
