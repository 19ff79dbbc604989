// Timer signals interrupting blocking calls: alarm + pause, read() on a pipe
// interrupted by SIGALRM with and without SA_RESTART (the data arrives later
// from a child), and sigsuspend waking on a signal that was blocked.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig) {
  (void)sig;
  ++alarms;
}

static void set_alarm_handler(int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_alarm;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
}

static void start_timer_ms(int ms) {
  struct itimerval it;
  memset(&it, 0, sizeof(it));
  it.it_value.tv_sec = ms / 1000;
  it.it_value.tv_usec = (ms % 1000) * 1000;
  setitimer(ITIMER_REAL, &it, NULL);
}

// Reads one byte from a pipe that a child fills after `delay_ms`, while
// SIGALRM fires after 100 ms.
static void read_test(const char* name, int flags) {
  int fds[2];
  if (pipe(fds) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    usleep(400 * 1000);
    if (write(fds[1], "x", 1) != 1) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  set_alarm_handler(flags);
  alarms = 0;
  start_timer_ms(100);
  char c = 0;
  errno = 0;
  ssize_t n = read(fds[0], &c, 1);
  int err = errno;
  printf("%s: read returned %zd (%s), alarms %d\n", name, n,
         n < 0 ? (err == EINTR ? "EINTR" : strerror(err)) : (c == 'x' ? "data" : "?"),
         (int)alarms);
  if (n < 0) {
    n = read(fds[0], &c, 1);  // the data still comes
    printf("%s: read again returned %zd\n", name, n);
  }
  int st;
  waitpid(pid, &st, 0);
  close(fds[0]);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);

  set_alarm_handler(0);
  alarm(1);
  int r = pause();
  printf("pause returned %d errno %s alarms %d\n", r, errno == EINTR ? "EINTR" : "?",
         (int)alarms);

  read_test("SA_RESTART", SA_RESTART);
  read_test("no SA_RESTART", 0);

  // sigsuspend: SIGALRM blocked; it fires while blocked and stays pending
  // until sigsuspend opens the mask.
  sigset_t block, old, empty;
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigprocmask(SIG_BLOCK, &block, &old);
  set_alarm_handler(0);
  alarms = 0;
  start_timer_ms(50);
  usleep(200 * 1000);
  printf("before sigsuspend: alarms %d\n", (int)alarms);
  sigemptyset(&empty);
  r = sigsuspend(&empty);
  printf("sigsuspend returned %d errno %s alarms %d\n", r, errno == EINTR ? "EINTR" : "?",
         (int)alarms);
  sigset_t now;
  sigprocmask(SIG_SETMASK, NULL, &now);
  printf("after sigsuspend SIGALRM blocked again: %d\n", sigismember(&now, SIGALRM));

  // sigsuspend with a signal that arrives while waiting.
  alarms = 0;
  start_timer_ms(100);
  r = sigsuspend(&empty);
  printf("sigsuspend (waiting) returned %d alarms %d\n", r, (int)alarms);
  sigprocmask(SIG_SETMASK, &old, NULL);

  // An ignored signal does not interrupt a sleep.
  signal(SIGALRM, SIG_IGN);
  start_timer_ms(50);
  struct timespec ts = {0, 200 * 1000 * 1000};
  r = nanosleep(&ts, NULL);
  printf("nanosleep with ignored SIGALRM: %d\n", r);
  return 0;
}
