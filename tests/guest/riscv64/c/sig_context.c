// The machine context of a handler: a SIGILL handler skips the illegal
// instruction by advancing the saved pc (ud2 on x86-64, an all-zero word on
// riscv64); a handler changing the FP rounding mode and FP registers does not
// disturb the interrupted code (sigreturn restores them); SIGTRAP from a
// breakpoint instruction (int3 / ebreak) recovered with siglongjmp.
#define _GNU_SOURCE
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int ill_count, ill_code_ok;
static sigjmp_buf env;

static void on_ill(int sig, siginfo_t* si, void* ucv) {
  (void)sig;
  ucontext_t* uc = ucv;
  ++ill_count;
#if defined(__x86_64__)
  ill_code_ok = si->si_addr == (void*)uc->uc_mcontext.gregs[REG_RIP];
  uc->uc_mcontext.gregs[REG_RIP] += 2;  // ud2
#elif defined(__riscv)
  ill_code_ok = si->si_addr == (void*)uc->uc_mcontext.__gregs[REG_PC];
  uc->uc_mcontext.__gregs[REG_PC] += 4;  // .word 0
#endif
}

static void illegal(void) {
#if defined(__x86_64__)
  __asm__ volatile("ud2");
#elif defined(__riscv)
  __asm__ volatile(".word 0");
#endif
}

static void breakpoint(void) {
#if defined(__x86_64__)
  __asm__ volatile("int3");
#elif defined(__riscv)
  __asm__ volatile("ebreak");
#endif
}

static volatile double hdummy;
static void on_usr1(int sig) {
  (void)sig;
  fesetround(FE_UPWARD);
  volatile double a = 1.0, b = 3.0;
  hdummy = a / b + 12345.678;
}

static void on_trap(int sig) { siglongjmp(env, sig); }

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_ill;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGILL, &sa, NULL);
  illegal();
  printf("after illegal: handler ran %d, si_addr is the pc %d\n", ill_count, ill_code_ok);
  illegal();
  printf("again: %d\n", ill_count);

  signal(SIGUSR1, on_usr1);
  fesetround(FE_TOWARDZERO);
  volatile double x = 2.0, y = 3.0;
  double before = x / y;
  raise(SIGUSR1);
  double after = x / y;
  printf("rounding after handler: %s, same result %d\n",
         fegetround() == FE_TOWARDZERO ? "towardzero" : "changed", before == after);
  fesetround(FE_TONEAREST);

  signal(SIGTRAP, on_trap);
  int sig = sigsetjmp(env, 1);
  if (sig == 0) {
    breakpoint();
    printf("no trap?\n");
  } else {
    printf("breakpoint: %s\n", sig == SIGTRAP ? "SIGTRAP" : "?");
  }
  return 0;
}
