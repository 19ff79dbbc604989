// setjmp/longjmp: jumps out of nested frames, the value passed through,
// volatile locals surviving the jump, repeated jumps to one buffer, nested
// buffers, and sigsetjmp/siglongjmp restoring (or not) the signal mask.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static jmp_buf env_outer, env_inner;
static int depth_reached;

static void recurse(int depth, int target) {
  char pad[64];  // give each frame some stack to unwind
  memset(pad, depth, sizeof pad);
  depth_reached = depth + pad[3] - depth;
  if (depth == target) longjmp(env_outer, depth * 10 + 1);
  if (depth < 1000) recurse(depth + 1, target);
}

static void jump_out_of(int target) {
  volatile int tries = 0;
  int r = setjmp(env_outer);
  tries++;
  if (r == 0) recurse(0, target);
  printf("target %d: longjmp value %d, depth %d, volatile tries %d\n", target, r, depth_reached, tries);
}

static int inner_function(int x) {
  if (setjmp(env_inner) == 0) {
    if (x > 2) longjmp(env_inner, x);
    return x;
  }
  // Reached through longjmp: env_inner's frame is still live here.
  return -x;
}

static void block_usr1(void) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  sigprocmask(SIG_BLOCK, &s, NULL);
}

static int usr1_blocked(void) {
  sigset_t s;
  sigprocmask(SIG_BLOCK, NULL, &s);
  return sigismember(&s, SIGUSR1);
}

int main(void) {
  for (int target = 0; target < 5; target++) jump_out_of(target * 7);

  // longjmp(env, 0) makes setjmp return 1.
  volatile int zero_case = 0;
  int r = setjmp(env_outer);
  if (zero_case++ == 0) longjmp(env_outer, 0);
  printf("longjmp with 0 returns %d\n", r);

  // Loop driven by repeated longjmp.
  volatile int count = 0;
  volatile double acc = 0.5;
  r = setjmp(env_outer);
  acc *= 1.5;
  if (++count < 10) longjmp(env_outer, count);
  printf("looped %d times, last value %d, acc %a\n", count, r, acc);

  printf("inner_function(1) = %d, inner_function(5) = %d\n", inner_function(1), inner_function(5));

  // sigsetjmp with savesigs=1 restores the mask saved at sigsetjmp time.
  sigjmp_buf senv;
  printf("usr1 blocked at start: %d\n", usr1_blocked());
  if (sigsetjmp(senv, 1) == 0) {
    block_usr1();
    printf("usr1 blocked before siglongjmp: %d\n", usr1_blocked());
    siglongjmp(senv, 1);
  }
  printf("after siglongjmp (savesigs=1): blocked %d\n", usr1_blocked());
  if (sigsetjmp(senv, 0) == 0) {
    block_usr1();
    siglongjmp(senv, 1);
  }
  printf("after siglongjmp (savesigs=0): blocked %d\n", usr1_blocked());
  return 0;
}
