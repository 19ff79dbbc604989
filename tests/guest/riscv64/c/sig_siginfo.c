// Signal handlers with SA_SIGINFO: si_signo/si_code/si_pid for raise, kill
// and sigqueue (with its value), si_addr of SIGSEGV for an unmapped address
// (SEGV_MAPERR) and for a write to a read-only page (SEGV_ACCERR), recovered
// with sigsetjmp/siglongjmp; SA_RESETHAND and SA_NODEFER.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t got_sig, got_code, got_pid_ok, got_value, depth, max_depth;
static void* volatile got_addr;
static sigjmp_buf env;

static void info_handler(int sig, siginfo_t* si, void* uc) {
  (void)uc;
  got_sig = sig;
  got_code = si->si_code;
  got_pid_ok = si->si_pid == getpid();
  if (si->si_code == SI_QUEUE) got_value = si->si_value.sival_int;
}

static void segv_handler(int sig, siginfo_t* si, void* uc) {
  (void)uc;
  got_sig = sig;
  got_code = si->si_code;
  got_addr = si->si_addr;
  siglongjmp(env, 1);
}

static volatile sig_atomic_t calls;
static void nested_handler(int sig) {
  ++depth;
  if (depth > max_depth) max_depth = depth;
  if (++calls < 3) raise(sig);  // re-entered at once only with SA_NODEFER
  --depth;
}

static const char* code_name(int code) {
  switch (code) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    case SEGV_MAPERR: return "SEGV_MAPERR";
    case SEGV_ACCERR: return "SEGV_ACCERR";
    default: return "other";
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = info_handler;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);

  raise(SIGUSR1);
  printf("raise: sig %s code %s pid ok %d\n", got_sig == SIGUSR1 ? "SIGUSR1" : "?",
         code_name(got_code), got_pid_ok);
  got_sig = 0;
  kill(getpid(), SIGUSR1);
  printf("kill: sig %s code %s pid ok %d\n", got_sig == SIGUSR1 ? "SIGUSR1" : "?",
         code_name(got_code), got_pid_ok);
  got_sig = 0;
  union sigval v = {.sival_int = 1234};
  sigqueue(getpid(), SIGUSR1, v);
  printf("sigqueue: sig %s code %s pid ok %d value %d\n", got_sig == SIGUSR1 ? "SIGUSR1" : "?",
         code_name(got_code), got_pid_ok, (int)got_value);

  // A real-time signal with a handler.
  sigaction(SIGRTMIN + 2, &sa, NULL);
  got_sig = 0;
  v.sival_int = 77;
  sigqueue(getpid(), SIGRTMIN + 2, v);
  printf("rt: sig SIGRTMIN+%d code %s value %d\n", got_sig - SIGRTMIN, code_name(got_code),
         (int)got_value);

  // SIGSEGV: unmapped address.
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = segv_handler;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  char* page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(page + 4096, 4096);
  volatile char* bad = page + 4096 + 123;
  if (sigsetjmp(env, 1) == 0) {
    *bad = 1;
    printf("no fault?\n");
  } else {
    printf("segv unmapped: sig %s code %s addr ok %d\n", got_sig == SIGSEGV ? "SIGSEGV" : "?",
           code_name(got_code), got_addr == (void*)bad);
  }
  // SIGSEGV: write to a read-only page; the handler is still installed and
  // SIGSEGV is unblocked again (siglongjmp with savesigs restored the mask).
  mprotect(page, 4096, PROT_READ);
  volatile char* ro = page + 7;
  if (sigsetjmp(env, 1) == 0) {
    *ro = 1;
    printf("no fault?\n");
  } else {
    printf("segv read-only: sig %s code %s addr ok %d\n", got_sig == SIGSEGV ? "SIGSEGV" : "?",
           code_name(got_code), got_addr == (void*)ro);
  }
  printf("read-only still readable: %d\n", page[7]);

  // SA_NODEFER lets the handler be re-entered; without it the signal waits.
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = nested_handler;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("nodefer: max depth %d calls %d\n", (int)max_depth, (int)calls);
  sa.sa_flags = 0;
  sigaction(SIGUSR2, &sa, NULL);
  depth = max_depth = calls = 0;
  raise(SIGUSR2);
  printf("defer: max depth %d calls %d\n", (int)max_depth, (int)calls);

  // SA_RESETHAND: the disposition is back to SIG_DFL after one delivery.
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = info_handler;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  printf("resethand: now %s\n", now.sa_handler == SIG_DFL ? "SIG_DFL" : "handler");

  // Old action reporting; SIGKILL cannot be caught.
  sa.sa_handler = SIG_IGN;
  sa.sa_flags = 0;
  printf("sigaction(SIGKILL): %d\n", sigaction(SIGKILL, &sa, NULL));
  printf("sigaction(65): %d\n", sigaction(65, &sa, NULL));
  return 0;
}
