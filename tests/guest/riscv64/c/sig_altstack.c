// sigaltstack: a handler with SA_ONSTACK runs on the alternate stack (and
// sees SS_ONSTACK), one without it runs on the normal stack; changing the
// stack while on it fails with EPERM; a stack overflow (infinite recursion)
// is caught on the alternate stack and recovered with siglongjmp.
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char* alt;
static size_t alt_size;
static volatile int on_alt, flags_in_handler, eperm_in_handler, aligned16;
static sigjmp_buf env;

static int in_alt(void* p) { return (char*)p >= alt && (char*)p < alt + alt_size; }

static void handler(int sig) {
  (void)sig;
  char local;
  on_alt = in_alt(&local);
  aligned16 = ((uintptr_t)__builtin_frame_address(0) & 15) == 0;
  stack_t now;
  sigaltstack(NULL, &now);
  flags_in_handler = now.ss_flags;
  stack_t other = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
  eperm_in_handler = sigaltstack(&other, NULL) == -1 && errno == EPERM;
  free(other.ss_sp);
}

static volatile int depth, forever = 1;
static int recurse(int n) {
  volatile char pad[512];
  pad[0] = (char)n;
  ++depth;
  if (!forever) return 0;
  return recurse(n + 1) + pad[0];
}

static void on_segv(int sig) {
  char local;
  on_alt = in_alt(&local);
  siglongjmp(env, sig);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  stack_t cur;
  sigaltstack(NULL, &cur);
  printf("initial: disabled %d\n", (cur.ss_flags & SS_DISABLE) != 0);

  alt_size = 1 << 16;
  alt = malloc(alt_size);
  stack_t ss = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
  printf("sigaltstack: %d\n", sigaltstack(&ss, NULL));
  stack_t tiny = {.ss_sp = alt, .ss_size = 100, .ss_flags = 0};
  int r = sigaltstack(&tiny, NULL);
  printf("too small: %d %s\n", r, errno == ENOMEM ? "ENOMEM" : "?");
  stack_t badflags = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0x1234};
  r = sigaltstack(&badflags, NULL);
  printf("bad flags: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
  sigaltstack(NULL, &cur);
  printf("query: sp ok %d size ok %d flags %d\n", cur.ss_sp == alt, cur.ss_size == alt_size,
         cur.ss_flags);

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = handler;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("SA_ONSTACK: on alt %d flags SS_ONSTACK %d eperm %d aligned %d\n", on_alt,
         flags_in_handler == SS_ONSTACK, eperm_in_handler, aligned16);
  sa.sa_flags = 0;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("no SA_ONSTACK: on alt %d flags %d eperm %d\n", on_alt, flags_in_handler,
         eperm_in_handler);

  // Stack overflow: the fault can only be handled on the alternate stack.
  sa.sa_handler = on_segv;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGSEGV, &sa, NULL);
  on_alt = 0;
  int sig = sigsetjmp(env, 1);
  if (sig == 0) {
    recurse(0);
    printf("no overflow?\n");
  } else {
    printf("overflow: caught %s on alt %d deep %d\n", sig == SIGSEGV ? "SIGSEGV" : "?", on_alt,
           depth > 1000);
  }
  // Still usable afterwards.
  on_alt = 0;
  raise(SIGUSR1);
  printf("again: on alt %d\n", on_alt);

  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  sigaltstack(NULL, &cur);
  printf("disabled: %d\n", cur.ss_flags == SS_DISABLE);
  return 0;
}
