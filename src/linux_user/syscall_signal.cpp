// Signal system calls: argument unpacking for the signal layer
// (linux_user/signal.h), which implements them.
#include "linux_user/signal.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

int64_t rt_sigaction(TaskState* t, const uint64_t* a) { return sys_rt_sigaction(t, sarg(a[0]), a[1], a[2], a[3]); }
int64_t rt_sigprocmask(TaskState* t, const uint64_t* a) {
  return sys_rt_sigprocmask(t, sarg(a[0]), a[1], a[2], a[3]);
}
int64_t sigaltstack(TaskState* t, const uint64_t* a) { return sys_sigaltstack(t, a[0], a[1]); }
int64_t rt_sigreturn(TaskState* t, const uint64_t*) { return sys_rt_sigreturn(t); }
int64_t rt_sigpending(TaskState* t, const uint64_t* a) { return sys_rt_sigpending(t, a[0], a[1]); }
int64_t rt_sigsuspend(TaskState* t, const uint64_t* a) { return sys_rt_sigsuspend(t, a[0], a[1]); }
int64_t rt_sigtimedwait(TaskState* t, const uint64_t* a) { return sys_rt_sigtimedwait(t, a[0], a[1], a[2], a[3]); }
int64_t kill(TaskState* t, const uint64_t* a) { return sys_kill(t, sarg(a[0]), sarg(a[1])); }
int64_t tkill(TaskState* t, const uint64_t* a) { return sys_tkill(t, sarg(a[0]), sarg(a[1])); }
int64_t tgkill(TaskState* t, const uint64_t* a) { return sys_tgkill(t, sarg(a[0]), sarg(a[1]), sarg(a[2])); }
int64_t rt_sigqueueinfo(TaskState* t, const uint64_t* a) {
  return sys_rt_sigqueueinfo(t, sarg(a[0]), sarg(a[1]), a[2]);
}
int64_t rt_tgsigqueueinfo(TaskState* t, const uint64_t* a) {
  return sys_rt_tgsigqueueinfo(t, sarg(a[0]), sarg(a[1]), sarg(a[2]), a[3]);
}

}  // namespace

void register_signal_syscalls(SyscallTable& t) {
  t.fn[nr::kRtSigaction] = rt_sigaction;
  t.fn[nr::kRtSigprocmask] = rt_sigprocmask;
  t.fn[nr::kSigaltstack] = sigaltstack;
  t.fn[nr::kRtSigreturn] = rt_sigreturn;
  t.fn[nr::kRtSigpending] = rt_sigpending;
  t.fn[nr::kRtSigsuspend] = rt_sigsuspend;
  t.fn[nr::kRtSigtimedwait] = rt_sigtimedwait;
  t.fn[nr::kKill] = kill;
  t.fn[nr::kTkill] = tkill;
  t.fn[nr::kTgkill] = tgkill;
  t.fn[nr::kRtSigqueueinfo] = rt_sigqueueinfo;
  t.fn[nr::kRtTgsigqueueinfo] = rt_tgsigqueueinfo;
}

}  // namespace mimic::linux_user
