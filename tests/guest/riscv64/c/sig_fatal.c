// Default actions seen by the parent through waitpid: children killed by
// SIGTERM, a real-time signal, SIGSEGV (a handler-less fault, and a fault
// with SIGSEGV blocked or ignored), SIGABRT, SA_RESETHAND's second delivery;
// a child stopped by SIGSTOP and continued; ignored and default-ignored
// signals that do nothing; SIGCHLD with SA_SIGINFO reporting the child.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char* signame(int s) {
  if (s >= SIGRTMIN && s <= SIGRTMAX) {
    static char buf[32];
    snprintf(buf, sizeof(buf), "SIGRTMIN+%d", s - SIGRTMIN);
    return buf;
  }
  switch (s) {
    case SIGTERM: return "SIGTERM";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGUSR1: return "SIGUSR1";
    case SIGSTOP: return "SIGSTOP";
    case SIGKILL: return "SIGKILL";
    case SIGPIPE: return "SIGPIPE";
    default: return "other";
  }
}

static void report(const char* what, pid_t pid) {
  int st;
  if (waitpid(pid, &st, 0) != pid) {
    printf("%s: waitpid failed\n", what);
    return;
  }
  if (WIFEXITED(st))
    printf("%s: exited %d\n", what, WEXITSTATUS(st));
  else if (WIFSIGNALED(st))
    printf("%s: killed by %s\n", what, signame(WTERMSIG(st)));
  else
    printf("%s: status %#x\n", what, st);
}

static volatile sig_atomic_t chld_code, chld_status, chld_pid_ok;
static pid_t expected_child;
static void on_chld(int sig, siginfo_t* si, void* uc) {
  (void)sig;
  (void)uc;
  chld_code = si->si_code;
  chld_status = si->si_status;
  chld_pid_ok = si->si_pid == expected_child;
}

static void on_usr1(int sig) { (void)sig; }
static volatile int* volatile bad_ptr = (volatile int*)16;

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  pid_t pid;

  if ((pid = fork()) == 0) {
    raise(SIGTERM);
    _exit(0);
  }
  report("raise(SIGTERM)", pid);

  if ((pid = fork()) == 0) {
    raise(SIGRTMIN + 4);
    _exit(0);
  }
  report("raise(SIGRTMIN+4)", pid);

  if ((pid = fork()) == 0) {
    *bad_ptr = 1;
    _exit(0);
  }
  report("null write", pid);

  if ((pid = fork()) == 0) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_BLOCK, &s, NULL);
    *bad_ptr = 1;
    _exit(0);
  }
  report("fault with SIGSEGV blocked", pid);

  if ((pid = fork()) == 0) {
    signal(SIGSEGV, SIG_IGN);
    *bad_ptr = 1;
    _exit(0);
  }
  report("fault with SIGSEGV ignored", pid);

  if ((pid = fork()) == 0) {
    abort();
  }
  report("abort", pid);

  if ((pid = fork()) == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("child: survived first SIGUSR1\n");
    fflush(stdout);
    raise(SIGUSR1);
    _exit(0);
  }
  report("SA_RESETHAND twice", pid);

  if ((pid = fork()) == 0) {
    signal(SIGTERM, SIG_IGN);
    raise(SIGTERM);
    raise(SIGCHLD);
    raise(SIGURG);
    raise(SIGWINCH);
    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (pipe(fds) == 0) {
      close(fds[0]);
      ssize_t n = write(fds[1], "x", 1);
      printf("child: write to closed pipe %zd\n", n);
      fflush(stdout);
    }
    _exit(7);
  }
  report("ignored signals", pid);

  if ((pid = fork()) == 0) {
    int fds[2];
    if (pipe(fds) == 0) {
      close(fds[0]);
      ssize_t n = write(fds[1], "x", 1);
      (void)n;
    }
    _exit(0);
  }
  report("write to closed pipe", pid);

  // Stop and continue.
  if ((pid = fork()) == 0) {
    for (int i = 0; i < 500; ++i) usleep(10000);
    _exit(3);
  }
  kill(pid, SIGSTOP);
  int st;
  waitpid(pid, &st, WUNTRACED);
  printf("stopped: %d by %s\n", WIFSTOPPED(st), signame(WSTOPSIG(st)));
  kill(pid, SIGCONT);
  waitpid(pid, &st, WCONTINUED);
  printf("continued: %d\n", WIFCONTINUED(st));
  kill(pid, SIGKILL);
  report("killed", pid);

  // SIGCHLD with siginfo.
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  sigaction(SIGCHLD, &sa, NULL);
  if ((pid = fork()) == 0) _exit(5);
  expected_child = pid;
  sigset_t wait_mask;
  sigemptyset(&wait_mask);
  sigsuspend(&wait_mask);
  printf("SIGCHLD: code %s status %d pid ok %d\n", chld_code == CLD_EXITED ? "CLD_EXITED" : "?",
         (int)chld_status, (int)chld_pid_ok);
  report("reaped", pid);
  if ((pid = fork()) == 0) {
    raise(SIGUSR1);
    _exit(0);
  }
  expected_child = pid;
  sigsuspend(&wait_mask);
  printf("SIGCHLD: code %s status %s pid ok %d\n", chld_code == CLD_KILLED ? "CLD_KILLED" : "?",
         signame(chld_status), (int)chld_pid_ok);
  report("reaped", pid);
  sigprocmask(SIG_SETMASK, &old, NULL);
  return 0;
}
