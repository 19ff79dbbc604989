// Signal system calls with guest arguments (kernel/signal.c semantics,
// asm-generic riscv64 layouts). Each returns the result or -errno for a0.
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "linux_user/signal_internal.h"

namespace mimic::linux_user {
using namespace sig;

namespace {

constexpr int kGuestSigBlock = 0;
constexpr int kGuestSigUnblock = 1;
constexpr int kGuestSigSetmask = 2;

int lowest_signal(GuestSigset s) { return __builtin_ctzll(s) + 1; }

// Takes a recorded pending signal of `set` (synchronous ones first, then the
// lowest number: next_signal()). 0 if none.
int dequeue_recorded(TaskState* t, GuestSigset set, GuestSiginfo* out) {
  SigTask* st = sig_task(t);
  for (int round = 0; round < 2; ++round) {
    GuestSigset own = t->pending.load() & set;
    GuestSigset shared = g_shared_pending.load() & set;
    GuestSigset any = own | shared;
    if (!any) return 0;
    int s = lowest_signal((any & kSynchronous) ? (any & kSynchronous) : any);
    if ((own & bit(s)) && st) {
      *out = st->info[s];
      t->pending.fetch_and(~bit(s));
      return s;
    }
    if (g_shared_pending.fetch_and(~bit(s)) & bit(s)) {
      *out = g_shared_info[s];
      return s;
    }
  }
  return 0;
}

// Host mask for the guest's blocked set (as sync_host_mask, not applied).
void host_mask_for(GuestSigset blocked, sigset_t* out) {
  guest_to_host_set(blocked, out);
  for (int hs : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP}) sigdelset(out, hs);
}

// A signal without a host number (guest 63, 64) sent inside this process.
void send_internal(TaskState* target, int s, int code) {
  GuestSiginfo info{};
  info.si_signo = s;
  info.si_code = code;
  int32_t pid = int32_t(getpid());
  uint32_t uid = uint32_t(getuid());
  std::memcpy(info.fields + (kSiginfoPidOffset - 16), &pid, 4);
  std::memcpy(info.fields + (kSiginfoUidOffset - 16), &uid, 4);
  record_pending(target, info);
}

bool valid_signal(int s) { return s >= 0 && s <= kGuestNsig; }

}  // namespace

namespace sig {

bool on_sig_stack(const TaskState* t, uint64_t sp) {
  if (t->altstack.ss_flags & kSsAutodisarm) return false;
  return sp > t->altstack.ss_sp && sp - t->altstack.ss_sp <= t->altstack.ss_size;
}

long do_sigaltstack(TaskState* t, const GuestStackT* ss, GuestStackT* old, uint64_t sp) {
  if (old) {
    *old = GuestStackT{};
    old->ss_sp = t->altstack.ss_sp;
    old->ss_size = t->altstack.ss_size;
    int flags = t->altstack.ss_size == 0 ? kSsDisable : on_sig_stack(t, sp) ? kSsOnstack : 0;
    old->ss_flags = flags | (t->altstack.ss_flags & kSsAutodisarm);
  }
  if (!ss) return 0;
  if (on_sig_stack(t, sp)) return -EPERM;
  int mode = ss->ss_flags & ~kSsAutodisarm;
  if (mode != kSsDisable && mode != kSsOnstack && mode != 0) return -EINVAL;
  uint64_t ss_sp = ss->ss_sp, ss_size = ss->ss_size;
  if (mode == kSsDisable) {
    ss_sp = 0;
    ss_size = 0;
  } else if (ss_size < kMinSigStkSz) {
    return -ENOMEM;
  }
  t->altstack.ss_sp = ss_sp;
  t->altstack.ss_size = ss_size;
  t->altstack.ss_flags = ss->ss_flags;
  return 0;
}

}  // namespace sig

long sys_rt_sigaction(TaskState* t, int s, uint64_t act, uint64_t oldact, uint64_t sigsetsize) {
  if (sigsetsize != sizeof(GuestSigset)) return -EINVAL;
  if (s < 1 || s > kGuestNsig) return -EINVAL;
  GuestSigaction nact{};
  if (act && !read_guest(act, &nact, sizeof(nact))) return -EFAULT;
  if (act && (s == kSigKill || s == kSigStop)) return -EINVAL;
  lock_actions();
  Action old = g_actions[s];
  if (act) {
    Action& a = g_actions[s];
    __atomic_store_n(&a.handler, nact.handler, __ATOMIC_RELAXED);
    a.flags = nact.flags & kSaKnownFlags;
    a.mask = nact.mask & ~kUnblockable;
    // POSIX: setting an ignoring disposition discards pending instances.
    if (is_ignored(s)) {
      g_shared_pending.fetch_and(~bit(s));
      for_each_task([&](SigTask* st) { st->task->pending.fetch_and(~bit(s)); });
    }
  }
  unlock_actions();
  if (act) update_host_action(s);
  if (oldact) {
    GuestSigaction o{old.handler, old.flags, old.mask};
    if (!write_guest(oldact, &o, sizeof(o))) return -EFAULT;
  }
  return 0;
}

long sys_rt_sigprocmask(TaskState* t, int how, uint64_t set, uint64_t oldset, uint64_t sigsetsize) {
  if (sigsetsize != sizeof(GuestSigset)) return -EINVAL;
  GuestSigset old = t->blocked;
  if (set) {
    GuestSigset n;
    if (!read_guest(set, &n, sizeof(n))) return -EFAULT;
    n &= ~kUnblockable;
    switch (how) {
      case kGuestSigBlock: t->blocked |= n; break;
      case kGuestSigUnblock: t->blocked &= ~n; break;
      case kGuestSigSetmask: t->blocked = n; break;
      default: return -EINVAL;
    }
    sync_host_mask(t);
    if (signal_pending(t)) t->cpu.common.exit_request.store(1, std::memory_order_relaxed);
  }
  if (oldset && !write_guest(oldset, &old, sizeof(old))) return -EFAULT;
  return 0;
}

long sys_sigaltstack(TaskState* t, uint64_t ss, uint64_t old_ss) {
  GuestStackT n{}, o{};
  if (ss && !read_guest(ss, &n, sizeof(n))) return -EFAULT;
  long r = do_sigaltstack(t, ss ? &n : nullptr, old_ss ? &o : nullptr, t->cpu.x[2]);
  if (r == 0 && old_ss && !write_guest(old_ss, &o, sizeof(o))) return -EFAULT;
  return r;
}

long sys_rt_sigpending(TaskState* t, uint64_t set, uint64_t sigsetsize) {
  if (sigsetsize > sizeof(GuestSigset)) return -EINVAL;
  sigset_t h;
  sigpending(&h);
  GuestSigset p = (t->pending.load() | g_shared_pending.load() | host_to_guest_set(&h)) & t->blocked;
  if (!write_guest(set, &p, sigsetsize)) return -EFAULT;
  return 0;
}

void begin_temporary_sigmask(TaskState* t, GuestSigset mask) {
  t->blocked = mask & ~kUnblockable;
  sync_host_mask(t);
}

void end_temporary_sigmask(TaskState* t, GuestSigset old_mask, bool interrupted) {
  SigTask* st = sig_task(t);
  if (interrupted && st) {
    st->has_saved_mask = true;
    st->saved_mask = old_mask;
  } else {
    t->blocked = old_mask;
    sync_host_mask(t);
  }
}

long sys_rt_sigsuspend(TaskState* t, uint64_t mask, uint64_t sigsetsize) {
  if (sigsetsize != sizeof(GuestSigset)) return -EINVAL;
  GuestSigset n;
  if (!read_guest(mask, &n, sizeof(n))) return -EFAULT;
  SigTask* st = sig_task(t);
  if (!st) return -EINVAL;
  st->saved_mask = t->blocked;
  st->has_saved_mask = true;
  t->blocked = n & ~kUnblockable;
  // Block everything first so a signal arriving between the check and the
  // host sigsuspend stays queued and ends the sigsuspend at once.
  sigset_t all, waitmask;
  sigfillset(&all);
  for (int hs : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP}) sigdelset(&all, hs);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  forget_host_mask();
  host_mask_for(t->blocked, &waitmask);
  while (!signal_pending(t)) sigsuspend(&waitmask);  // a host handler ran
  // Handlers run with the temporary mask and their frames save the old one;
  // with no handler, process_pending_signals restores it and restarts us.
  t->syscall_interrupted = true;
  t->syscall_orig_a0 = mask;
  st->restart_no_handler_only = true;
  return -EINTR;
}

long sys_rt_sigtimedwait(TaskState* t, uint64_t set, uint64_t info, uint64_t timeout,
                         uint64_t sigsetsize) {
  if (sigsetsize != sizeof(GuestSigset)) return -EINVAL;
  GuestSigset want;
  if (!read_guest(set, &want, sizeof(want))) return -EFAULT;
  want &= ~kUnblockable;
  struct timespec ts{};
  if (timeout) {
    int64_t v[2];
    if (!read_guest(timeout, v, sizeof(v))) return -EFAULT;
    if (v[0] < 0 || v[1] < 0 || v[1] >= 1000000000) return -EINVAL;
    ts.tv_sec = v[0];
    ts.tv_nsec = v[1];
  }
  GuestSiginfo gi{};
  int s = dequeue_recorded(t, want, &gi);
  if (!s) {
    // Keep the wanted signals away from the host handler (they stay queued
    // in the host kernel for sigtimedwait); others interrupt as usual.
    sigset_t m, hw;
    host_mask_for(t->blocked | t->pending.load() | want, &m);
    pthread_sigmask(SIG_SETMASK, &m, nullptr);
    forget_host_mask();
    s = dequeue_recorded(t, want, &gi);
    if (!s) {
      guest_to_host_set(want, &hw);
      siginfo_t hi;
      int r = sigtimedwait(&hw, &hi, timeout ? &ts : nullptr);
      int err = errno;
      sync_host_mask(t);
      if (r < 0) return -err;
      s = host_to_guest_signal(r);
      host_to_guest_siginfo(&hi, s, &gi);
    } else {
      sync_host_mask(t);
    }
  }
  if (info && !write_guest(info, &gi, sizeof(gi))) return -EFAULT;
  return s;
}

long sys_kill(TaskState* t, int pid, int s) {
  if (!valid_signal(s)) return -EINVAL;
  int hs = guest_to_host_signal(s);
  if (s && !hs) {
    if (pid != getpid() && pid != 0 && pid != -1) return -EINVAL;
    send_internal(nullptr, s, kSiUser);
    return 0;
  }
  return kill(pid, hs) < 0 ? -errno : 0;
}

long sys_tkill(TaskState* t, int tid, int s) {
  if (!valid_signal(s) || tid <= 0) return -EINVAL;
  int hs = guest_to_host_signal(s);
  if (s && !hs) {
    SigTask* target = find_tid(tid);
    if (!target) return -EINVAL;
    send_internal(target->task, s, kSiTkill);
    return 0;
  }
  return syscall(SYS_tkill, tid, hs) < 0 ? -errno : 0;
}

long sys_tgkill(TaskState* t, int tgid, int tid, int s) {
  if (!valid_signal(s) || tgid <= 0 || tid <= 0) return -EINVAL;
  int hs = guest_to_host_signal(s);
  if (s && !hs) {
    SigTask* target = find_tid(tid);
    if (tgid != getpid() || !target) return -EINVAL;
    send_internal(target->task, s, kSiTkill);
    return 0;
  }
  return syscall(SYS_tgkill, tgid, tid, hs) < 0 ? -errno : 0;
}

long sys_rt_sigqueueinfo(TaskState* t, int pid, int s, uint64_t info) {
  GuestSiginfo gi;
  if (!read_guest(info, &gi, sizeof(gi))) return -EFAULT;
  if (!valid_signal(s)) return -EINVAL;
  int hs = guest_to_host_signal(s);
  if (s && !hs) {
    if (pid != getpid()) return -EINVAL;
    gi.si_signo = s;
    record_pending(nullptr, gi);
    return 0;
  }
  siginfo_t hi;
  guest_to_host_siginfo(&gi, hs, &hi);
  return syscall(SYS_rt_sigqueueinfo, pid, hs, &hi) < 0 ? -errno : 0;
}

long sys_rt_tgsigqueueinfo(TaskState* t, int tgid, int tid, int s, uint64_t info) {
  GuestSiginfo gi;
  if (!read_guest(info, &gi, sizeof(gi))) return -EFAULT;
  if (!valid_signal(s) || tgid <= 0 || tid <= 0) return -EINVAL;
  int hs = guest_to_host_signal(s);
  if (s && !hs) {
    SigTask* target = find_tid(tid);
    if (tgid != getpid() || !target) return -EINVAL;
    gi.si_signo = s;
    record_pending(target->task, gi);
    return 0;
  }
  siginfo_t hi;
  guest_to_host_siginfo(&gi, hs, &hi);
  return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, hs, &hi) < 0 ? -errno : 0;
}

}  // namespace mimic::linux_user
