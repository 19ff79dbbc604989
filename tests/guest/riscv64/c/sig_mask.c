// Signal masks: sigprocmask blocking and unblocking (delivery as soon as the
// mask opens), sigpending, SIGKILL/SIGSTOP not blockable, SIG_IGN discarding
// a pending signal, sigtimedwait/sigwaitinfo (with a timeout, and the queue
// of real-time signals with their values, in order), mask inheritance by the
// handler (sa_mask) and its restoration after the handler returns.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, usr2, usr2_blocked_in_handler;

static void on_usr1(int sig) {
  (void)sig;
  ++usr1;
  sigset_t now;
  sigprocmask(SIG_SETMASK, NULL, &now);
  usr2_blocked_in_handler = sigismember(&now, SIGUSR2) + 2 * sigismember(&now, SIGUSR1);
}
static void on_usr2(int sig) {
  (void)sig;
  ++usr2;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGUSR2);
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_usr2;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR2, &sa, NULL);

  sigset_t set, old, pend;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGKILL);
  sigaddset(&set, SIGSTOP);
  sigprocmask(SIG_BLOCK, &set, &old);
  sigprocmask(SIG_SETMASK, NULL, &set);
  printf("blocked: USR1 %d KILL %d STOP %d\n", sigismember(&set, SIGUSR1),
         sigismember(&set, SIGKILL), sigismember(&set, SIGSTOP));
  raise(SIGUSR1);
  raise(SIGUSR1);  // coalesces with the first
  sigpending(&pend);
  printf("after raise: usr1 %d pending %d\n", (int)usr1, sigismember(&pend, SIGUSR1));
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  printf("after unblock: usr1 %d, in handler USR2 blocked %d USR1 blocked %d\n", (int)usr1,
         usr2_blocked_in_handler & 1, usr2_blocked_in_handler >> 1);
  sigpending(&pend);
  printf("pending now %d\n", sigismember(&pend, SIGUSR1));
  sigprocmask(SIG_SETMASK, NULL, &set);
  printf("mask restored after handler: USR2 %d\n", sigismember(&set, SIGUSR2));
  int r = sigprocmask(99, &set, NULL);
  printf("invalid how: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");

  // SIG_IGN discards a pending signal.
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, NULL);
  raise(SIGUSR2);
  sigpending(&pend);
  printf("usr2 pending %d\n", sigismember(&pend, SIGUSR2));
  signal(SIGUSR2, SIG_IGN);
  sigpending(&pend);
  printf("after SIG_IGN pending %d\n", sigismember(&pend, SIGUSR2));
  signal(SIGUSR2, on_usr2);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  printf("usr2 handler calls %d\n", (int)usr2);

  // sigtimedwait: a pending blocked signal, then a timeout.
  sigprocmask(SIG_BLOCK, &set, NULL);
  raise(SIGUSR2);
  siginfo_t si;
  int s = sigwaitinfo(&set, &si);
  printf("sigwaitinfo: %s code %s handler calls %d\n", s == SIGUSR2 ? "SIGUSR2" : "?",
         si.si_code == SI_TKILL ? "SI_TKILL" : si.si_code == SI_USER ? "SI_USER" : "?", (int)usr2);
  struct timespec ts = {0, 50 * 1000 * 1000};
  s = sigtimedwait(&set, &si, &ts);
  printf("sigtimedwait timeout: %d %s\n", s, errno == EAGAIN ? "EAGAIN" : "?");

  // Real-time signals queue: three instances, values in order.
  int rt = SIGRTMIN + 1;
  sigset_t rts;
  sigemptyset(&rts);
  sigaddset(&rts, rt);
  sigaddset(&rts, SIGRTMIN + 3);
  sigprocmask(SIG_BLOCK, &rts, NULL);
  for (int i = 1; i <= 3; ++i) {
    union sigval v = {.sival_int = i * 10};
    sigqueue(getpid(), i == 2 ? SIGRTMIN + 3 : rt, v);
  }
  union sigval v4 = {.sival_int = 40};
  sigqueue(getpid(), rt, v4);
  for (int i = 0; i < 4; ++i) {
    s = sigwaitinfo(&rts, &si);
    printf("rt %d: SIGRTMIN+%d value %d code %s\n", i, s - SIGRTMIN, si.si_value.sival_int,
           si.si_code == SI_QUEUE ? "SI_QUEUE" : "?");
  }
  sigpending(&pend);
  printf("rt pending after: %d\n", sigismember(&pend, rt));
  sigprocmask(SIG_SETMASK, &old, NULL);
  return 0;
}
