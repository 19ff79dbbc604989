/* FP exception flags raised just before a memory fault reach the guest's
 * SIGSEGV handler (live fflags and the fcsr saved in its ucontext) and
 * survive the handler's siglongjmp. mimic runs the division on the host FPU
 * and keeps its flags pending in the host FP status; the fault leaves
 * through a host signal handler whose FP status the kernel reset, so the
 * flags must be taken from the interrupted host context
 * (exec::handle_host_fault). The division and the store are one asm
 * statement so that they share a translation block. */
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile int handler_flags = -1;
static volatile unsigned handler_fcsr;

static void on_segv(int sig, siginfo_t* si, void* ucv) {
  (void)sig;
  (void)si;
  ucontext_t* uc = ucv;
  handler_flags = fetestexcept(FE_ALL_EXCEPT);
  handler_fcsr = uc->uc_mcontext.__fpregs.__d.__fcsr;
  siglongjmp(env, 1);
}

__attribute__((noinline)) static double divide_then_fault(double a, double b, volatile long* p) {
  double q;
  __asm__ volatile("fdiv.d %0, %1, %2\n\tsd zero, 0(%3)" : "=&f"(q) : "f"(a), "f"(b), "r"(p) : "memory");
  return q;
}

static void show(const char* what, int f) {
  printf("%s:%s%s%s%s%s\n", what, f & FE_INVALID ? " NV" : "", f & FE_DIVBYZERO ? " DZ" : "",
         f & FE_OVERFLOW ? " OF" : "", f & FE_UNDERFLOW ? " UF" : "", f & FE_INEXACT ? " NX" : "");
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);

  volatile double one = 1.0, three = 3.0, zero = 0.0;
  for (int round = 0; round < 2; round++) {
    feclearexcept(FE_ALL_EXCEPT);
    handler_flags = -1;
    if (sigsetjmp(env, 1) == 0) {
      divide_then_fault(one, round == 0 ? three : zero, NULL);
      puts("no fault");
    }
    printf("round %d\n", round);
    show("  handler fflags", handler_flags);
    show("  handler fcsr", (int)(handler_fcsr & 0x1f));
    show("  after", fetestexcept(FE_ALL_EXCEPT));
  }
  return 0;
}
