// poll, select and epoll. struct pollfd, fd_set and timespec are the same on
// both sides; struct epoll_event is 16 bytes on riscv64 (natural alignment)
// but packed to 12 on x86-64 and is converted. A signal mask argument
// becomes the guest's mask for the duration of the call, as rt_sigsuspend
// does (Linux set_user_sigmask / restore_saved_sigmask_unless).
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include <vector>

#include "linux_user/signal.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

struct GuestEpollEvent {  // include/uapi/linux/eventpoll.h without __EPOLL_PACKED
  uint32_t events;
  uint32_t pad;
  uint64_t data;
};
static_assert(sizeof(GuestEpollEvent) == 16);

constexpr int kMaxEpollEvents = 1 << 20;

// Installs a temporary guest signal mask read from `mask_addr` (NULL: none)
// for the duration of one call.
class TempSigmask {
 public:
  int64_t begin(TaskState* t, uint64_t mask_addr, uint64_t size) {
    if (mask_addr == 0) return 0;
    if (size != sizeof(GuestSigset)) return -EINVAL;
    GuestSigset m;
    if (!get_guest(mask_addr, &m)) return -EFAULT;
    t_ = t;
    saved_ = t->blocked;
    begin_temporary_sigmask(t, m);
    return 0;
  }
  void end(int64_t result) {
    if (t_) end_temporary_sigmask(t_, saved_, result == -EINTR && signal_pending(t_));
  }

 private:
  TaskState* t_ = nullptr;
  GuestSigset saved_ = 0;
};

int64_t sys_ppoll(TaskState* t, const uint64_t* a) {
  if (a[1] > 1u << 20) return -EINVAL;
  MIMIC_GUEST_BUF(fds, a[0], a[1] * sizeof(struct pollfd));
  MIMIC_GUEST_OPT_BUF(ts, a[2], 16);
  TempSigmask mask;
  if (int64_t r = mask.begin(t, a[3], a[4]); r < 0) return r;
  int64_t r = host_syscall(SYS_ppoll, fds, a[1], ts, nullptr, 8);
  mask.end(r);
  return r;
}

int64_t sys_pselect6(TaskState* t, const uint64_t* a) {
  int n = sarg(a[0]);
  if (n < 0) return -EINVAL;
  if (n > FD_SETSIZE * 64) n = FD_SETSIZE * 64;
  uint64_t set_bytes = ((static_cast<uint64_t>(n) + 63) / 64) * 8;
  MIMIC_GUEST_OPT_BUF(rd, a[1], set_bytes);
  MIMIC_GUEST_OPT_BUF(wr, a[2], set_bytes);
  MIMIC_GUEST_OPT_BUF(ex, a[3], set_bytes);
  MIMIC_GUEST_OPT_BUF(ts, a[4], 16);
  // The sixth argument points at { const sigset_t *ss; size_t ss_len; }.
  uint64_t sigarg[2] = {0, 0};
  if (a[5] && !copy_from_guest(sigarg, a[5], sizeof sigarg)) return -EFAULT;
  TempSigmask mask;
  if (int64_t r = mask.begin(t, sigarg[0], sigarg[1]); r < 0) return r;
  int64_t r = host_syscall(SYS_pselect6, n, rd, wr, ex, ts, nullptr);
  mask.end(r);
  return r;
}

int64_t sys_epoll_ctl(TaskState*, const uint64_t* a) {
  struct epoll_event ev {};
  struct epoll_event* evp = nullptr;
  if (a[3]) {
    GuestEpollEvent g;
    if (!get_guest(a[3], &g)) return -EFAULT;
    ev.events = g.events;
    ev.data.u64 = g.data;
    evp = &ev;
  }
  return host_syscall(SYS_epoll_ctl, sarg(a[0]), sarg(a[1]), sarg(a[2]), evp);
}

int64_t epoll_wait_common(TaskState* t, const uint64_t* a, bool timespec_timeout) {
  int maxevents = sarg(a[2]);
  if (maxevents <= 0 || maxevents > kMaxEpollEvents) return -EINVAL;
  if (!address_space().access_ok(a[1], uint64_t(maxevents) * sizeof(GuestEpollEvent), kProtWrite)) return -EFAULT;
  std::vector<struct epoll_event> evs(static_cast<size_t>(maxevents));
  MIMIC_GUEST_OPT_BUF(ts, timespec_timeout ? a[3] : 0, 16);
  TempSigmask mask;
  if (int64_t r = mask.begin(t, a[4], a[5]); r < 0) return r;
  int64_t r = timespec_timeout
                  ? host_syscall(SYS_epoll_pwait2, sarg(a[0]), evs.data(), maxevents, ts, nullptr, 8)
                  : host_syscall(SYS_epoll_pwait, sarg(a[0]), evs.data(), maxevents, sarg(a[3]), nullptr, 8);
  mask.end(r);
  for (int64_t i = 0; i < r; ++i) {
    GuestEpollEvent g{evs[i].events, 0, evs[i].data.u64};
    if (!put_guest(a[1] + i * sizeof g, g)) return -EFAULT;
  }
  return r;
}

int64_t sys_epoll_pwait(TaskState* t, const uint64_t* a) { return epoll_wait_common(t, a, false); }
int64_t sys_epoll_pwait2(TaskState* t, const uint64_t* a) { return epoll_wait_common(t, a, true); }

int64_t sys_epoll_create1(TaskState*, const uint64_t* a) { return host_syscall(SYS_epoll_create1, sarg(a[0])); }

int64_t sys_timerfd_settime(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(nv, a[2], 32);
  MIMIC_GUEST_OPT_BUF(ov, a[3], 32);
  return host_syscall(SYS_timerfd_settime, sarg(a[0]), sarg(a[1]), nv, ov);
}

int64_t sys_timerfd_gettime(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(cv, a[1], 32);
  return host_syscall(SYS_timerfd_gettime, sarg(a[0]), cv);
}

int64_t sys_timerfd_create(TaskState*, const uint64_t* a) {
  return host_syscall(SYS_timerfd_create, sarg(a[0]), sarg(a[1]));
}

}  // namespace

void register_poll_syscalls(SyscallTable& t) {
  t.fn[nr::kPpoll] = sys_ppoll;
  t.fn[nr::kPselect6] = sys_pselect6;
  t.fn[nr::kEpollCreate1] = sys_epoll_create1;
  t.fn[nr::kEpollCtl] = sys_epoll_ctl;
  t.fn[nr::kEpollPwait] = sys_epoll_pwait;
  t.fn[nr::kEpollPwait2] = sys_epoll_pwait2;
  t.fn[nr::kTimerfdCreate] = sys_timerfd_create;
  t.fn[nr::kTimerfdSettime] = sys_timerfd_settime;
  t.fn[nr::kTimerfdGettime] = sys_timerfd_gettime;
}

}  // namespace mimic::linux_user
