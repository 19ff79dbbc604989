// Clocks: CLOCK_MONOTONIC never goes back, CLOCK_REALTIME agrees with time()
// and gettimeofday(), sleeps last at least as long as asked, CPU-time clocks
// advance while computing. Only facts print, never the times themselves.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int64_t now(clockid_t c) {
  struct timespec t;
  if (clock_gettime(c, &t) != 0) return -1;
  return ns(t);
}

int main(void) {
  int backwards = 0;
  int64_t prev = now(CLOCK_MONOTONIC);
  for (int i = 0; i < 10000; i++) {
    int64_t t = now(CLOCK_MONOTONIC);
    backwards += t < prev;
    prev = t;
  }
  printf("monotonic went backwards %d times in 10000 reads\n", backwards);

  struct timespec res;
  printf("clock_getres(MONOTONIC) ok: %d\n",
         clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(res) > 0 && ns(res) <= 1000000);
  printf("clock_gettime(BOOTTIME, MONOTONIC_RAW, REALTIME_COARSE) ok: %d %d %d\n", now(CLOCK_BOOTTIME) > 0,
         now(CLOCK_MONOTONIC_RAW) > 0, now(CLOCK_REALTIME_COARSE) > 0);

  time_t t0 = time(NULL);
  int64_t rt = now(CLOCK_REALTIME);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  time_t t1 = time(NULL);
  int64_t tv_ns = (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
  // time() may read a coarse clock that lags CLOCK_REALTIME by a tick.
  printf("realtime within [time() before, after] +-1s: %d\n",
         rt / 1000000000 >= t0 - 1 && rt / 1000000000 <= t1 + 1);
  printf("gettimeofday within 1s of clock_gettime: %d\n", tv_ns - rt < 1000000000 && rt - tv_ns < 1000000000);
  printf("realtime after 2020: %d\n", t0 > 1577836800);

  int64_t a = now(CLOCK_MONOTONIC);
  struct timespec req = {0, 20 * 1000 * 1000};
  nanosleep(&req, NULL);
  int64_t b = now(CLOCK_MONOTONIC);
  printf("nanosleep(20ms) slept >= 20ms: %d, < 5s: %d\n", b - a >= 20000000, b - a < 5000000000LL);
  a = now(CLOCK_MONOTONIC);
  usleep(10000);
  struct timespec abs_deadline;
  clock_gettime(CLOCK_MONOTONIC, &abs_deadline);
  abs_deadline.tv_nsec += 10000000;
  if (abs_deadline.tv_nsec >= 1000000000) {
    abs_deadline.tv_sec++;
    abs_deadline.tv_nsec -= 1000000000;
  }
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_deadline, NULL);
  b = now(CLOCK_MONOTONIC);
  printf("usleep(10ms) + absolute clock_nanosleep(10ms) >= 20ms: %d\n", b - a >= 20000000);

  int64_t cpu0 = now(CLOCK_PROCESS_CPUTIME_ID), th0 = now(CLOCK_THREAD_CPUTIME_ID);
  volatile uint64_t x = 1;
  for (int i = 0; i < 3000000; i++) x = x * 6364136223846793005ull + 1442695040888963407ull;
  int64_t cpu1 = now(CLOCK_PROCESS_CPUTIME_ID), th1 = now(CLOCK_THREAD_CPUTIME_ID);
  printf("process cpu clock advanced: %d, thread cpu clock advanced: %d\n", cpu1 > cpu0, th1 > th0);
  struct rusage ru;
  printf("getrusage ok: %d\n", getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_utime.tv_sec >= 0);
  struct tms tm;
  printf("times() ok: %d, sysconf(_SC_CLK_TCK) = %ld\n", times(&tm) != (clock_t)-1, sysconf(_SC_CLK_TCK));

  // Calendar conversions are pure computation: print them.
  time_t fixed = 1234567890;
  struct tm g;
  gmtime_r(&fixed, &g);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %A %j", &g);
  printf("gmtime(1234567890) = %s, timegm back = %lld\n", buf, (long long)timegm(&g));
  return 0;
}
