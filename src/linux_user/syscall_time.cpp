// Clocks, sleeps and timers. struct timespec, timeval, itimerval,
// itimerspec, timex and tms are identical on riscv64 and x86-64 (LP64).
// POSIX timers carry a struct sigevent whose signal number is translated.
#include <csignal>
#include <cstring>
#include <ctime>

#include "linux_user/signal.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

int64_t sys_clock_gettime(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(ts, a[1], 16);
  return host_syscall(SYS_clock_gettime, sarg(a[0]), ts);
}

int64_t sys_clock_getres(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(ts, a[1], 16);
  return host_syscall(SYS_clock_getres, sarg(a[0]), ts);
}

int64_t sys_clock_settime(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(ts, a[1], 16);
  return host_syscall(SYS_clock_settime, sarg(a[0]), ts);
}

int64_t sys_gettimeofday(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(tv, a[0], 16);
  MIMIC_GUEST_OPT_BUF(tz, a[1], 8);
  return host_syscall(SYS_gettimeofday, tv, tz);
}

int64_t sys_nanosleep(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(req, a[0], 16);
  MIMIC_GUEST_OPT_BUF(rem, a[1], 16);
  return host_syscall(SYS_nanosleep, req, rem);
}

int64_t sys_clock_nanosleep(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(req, a[2], 16);
  MIMIC_GUEST_OPT_BUF(rem, a[3], 16);
  return host_syscall(SYS_clock_nanosleep, sarg(a[0]), sarg(a[1]), req, rem);
}

int64_t sys_getitimer(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(v, a[1], 32);
  return host_syscall(SYS_getitimer, sarg(a[0]), v);
}

int64_t sys_setitimer(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(nv, a[1], 32);
  MIMIC_GUEST_OPT_BUF(ov, a[2], 32);
  return host_syscall(SYS_setitimer, sarg(a[0]), nv, ov);
}

int64_t sys_times(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(buf, a[0], 32);
  return host_syscall(SYS_times, buf);
}

int64_t sys_adjtimex(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[0], 208);  // struct timex
  return host_syscall(SYS_adjtimex, buf);
}

int64_t sys_clock_adjtime(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], 208);
  return host_syscall(SYS_clock_adjtime, sarg(a[0]), buf);
}

// timer_create(clock, struct sigevent *, timer_t *): sigev_signo (offset 8)
// is a guest signal number. SIGEV_THREAD_ID (4) names a tid, which is the
// same on both sides.
int64_t sys_timer_create(TaskState*, const uint64_t* a) {
  struct sigevent ev {};
  struct sigevent* evp = nullptr;
  if (a[1]) {
    uint8_t raw[64];
    if (!copy_from_guest(raw, a[1], sizeof raw)) return -EFAULT;
    static_assert(sizeof(struct sigevent) == 64);
    memcpy(&ev, raw, sizeof ev);
    if (ev.sigev_notify != SIGEV_NONE) {
      int hs = guest_to_host_signal(ev.sigev_signo);
      if (ev.sigev_signo != 0 && hs == 0) return -EINVAL;
      ev.sigev_signo = hs;
    }
    evp = &ev;
  }
  int id;
  int64_t r = host_syscall(SYS_timer_create, sarg(a[0]), evp, &id);
  if (r < 0) return r;
  if (!put_guest(a[2], id)) return -EFAULT;
  return 0;
}

int64_t sys_timer_settime(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(nv, a[2], 32);
  MIMIC_GUEST_OPT_BUF(ov, a[3], 32);
  return host_syscall(SYS_timer_settime, sarg(a[0]), sarg(a[1]), nv, ov);
}

int64_t sys_timer_gettime(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(v, a[1], 32);
  return host_syscall(SYS_timer_gettime, sarg(a[0]), v);
}

int64_t sys_timer_getoverrun(TaskState*, const uint64_t* a) { return host_syscall(SYS_timer_getoverrun, sarg(a[0])); }
int64_t sys_timer_delete(TaskState*, const uint64_t* a) { return host_syscall(SYS_timer_delete, sarg(a[0])); }

}  // namespace

void register_time_syscalls(SyscallTable& t) {
  t.fn[nr::kClockGettime] = sys_clock_gettime;
  t.fn[nr::kClockGetres] = sys_clock_getres;
  t.fn[nr::kClockSettime] = sys_clock_settime;
  t.fn[nr::kGettimeofday] = sys_gettimeofday;
  t.fn[nr::kNanosleep] = sys_nanosleep;
  t.fn[nr::kClockNanosleep] = sys_clock_nanosleep;
  t.fn[nr::kGetitimer] = sys_getitimer;
  t.fn[nr::kSetitimer] = sys_setitimer;
  t.fn[nr::kTimes] = sys_times;
  t.fn[nr::kAdjtimex] = sys_adjtimex;
  t.fn[nr::kClockAdjtime] = sys_clock_adjtime;
  t.fn[nr::kTimerCreate] = sys_timer_create;
  t.fn[nr::kTimerSettime] = sys_timer_settime;
  t.fn[nr::kTimerGettime] = sys_timer_gettime;
  t.fn[nr::kTimerGetoverrun] = sys_timer_getoverrun;
  t.fn[nr::kTimerDelete] = sys_timer_delete;
}

}  // namespace mimic::linux_user
