// Process identity, limits, scheduling, wait and exit_group. The structs
// involved (rlimit, rusage, sysinfo, utsname, sched_param, cpu sets) are the
// same on riscv64 and x86-64 (LP64).
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <csignal>
#include <cstring>

#include "core/log.h"
#include "linux_user/signal.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

template <long kHostNr>
int64_t sys_values(TaskState*, const uint64_t* a) {
  return host_syscall(kHostNr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int64_t sys_uname(TaskState*, const uint64_t* a) {
  struct utsname u;
  if (::uname(&u) != 0) return -errno;
  strncpy(u.machine, "riscv64", sizeof u.machine);
  return put_guest(a[0], u) ? 0 : -EFAULT;
}

// (ptr, ptr, ptr) getters: getresuid, getresgid.
template <long kHostNr>
int64_t sys_getres(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p0, a[0], 4);
  MIMIC_GUEST_BUF(p1, a[1], 4);
  MIMIC_GUEST_BUF(p2, a[2], 4);
  return host_syscall(kHostNr, p0, p1, p2);
}

int64_t sys_getgroups(TaskState*, const uint64_t* a) {
  int n = sarg(a[0]);
  if (n < 0) return -EINVAL;
  MIMIC_GUEST_OPT_BUF(list, n ? a[1] : 0, uint64_t(n) * 4);
  return host_syscall(SYS_getgroups, n, list);
}

int64_t sys_setgroups(TaskState*, const uint64_t* a) {
  int n = sarg(a[0]);
  if (n < 0 || n > 65536) return -EINVAL;
  MIMIC_GUEST_OPT_BUF(list, n ? a[1] : 0, uint64_t(n) * 4);
  return host_syscall(SYS_setgroups, n, list);
}

int64_t sys_getrlimit(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[1], 16);
  return host_syscall(SYS_getrlimit, sarg(a[0]), p);
}

int64_t sys_setrlimit(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[1], 16);
  return host_syscall(SYS_setrlimit, sarg(a[0]), p);
}

int64_t sys_prlimit64(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(nv, a[2], 16);
  MIMIC_GUEST_OPT_BUF(ov, a[3], 16);
  return host_syscall(SYS_prlimit64, sarg(a[0]), sarg(a[1]), nv, ov);
}

int64_t sys_getrusage(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[1], 144);
  return host_syscall(SYS_getrusage, sarg(a[0]), p);
}

int64_t sys_sysinfo(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[0], 112);
  return host_syscall(SYS_sysinfo, p);
}

int64_t sys_getrandom(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[0], a[1]);
  return host_syscall(SYS_getrandom, p, a[1], static_cast<unsigned>(a[2]));
}

int64_t sys_getcpu(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(cpu, a[0], 4);
  MIMIC_GUEST_OPT_BUF(node, a[1], 4);
  return host_syscall(SYS_getcpu, cpu, node, nullptr);
}

int64_t sys_prctl(TaskState*, const uint64_t* a) {
  int option = sarg(a[0]);
  switch (option) {
    case PR_SET_NAME: {
      char name[16] = {};
      std::string s;
      if (int64_t r = read_guest_string(a[1], &s, 4096); r < 0) return r;
      strncpy(name, s.c_str(), 15);
      return host_syscall(SYS_prctl, option, name, 0, 0, 0);
    }
    case PR_GET_NAME: {
      char name[16] = {};
      int64_t r = host_syscall(SYS_prctl, option, name, 0, 0, 0);
      if (r < 0) return r;
      return copy_to_guest(a[1], name, sizeof name) ? 0 : -EFAULT;
    }
    case PR_GET_PDEATHSIG: {
      int hs = 0;
      int64_t r = host_syscall(SYS_prctl, option, &hs, 0, 0, 0);
      if (r < 0) return r;
      return put_guest(a[1], host_to_guest_signal(hs)) ? 0 : -EFAULT;
    }
    case PR_SET_PDEATHSIG:
      return host_syscall(SYS_prctl, option, guest_to_host_signal(sarg(a[1])), 0, 0, 0);
    case PR_GET_DUMPABLE: case PR_SET_DUMPABLE: case PR_GET_KEEPCAPS: case PR_SET_KEEPCAPS:
    case PR_SET_NO_NEW_PRIVS: case PR_GET_NO_NEW_PRIVS: case PR_GET_TIMERSLACK:
    case PR_SET_TIMERSLACK: case PR_SET_CHILD_SUBREAPER: case PR_CAPBSET_READ:
    case PR_SET_VMA:
      return host_syscall(SYS_prctl, option, a[1], a[2], a[3], a[4]);
    default:
      // Pointer-carrying or architecture-specific options (seccomp, mm
      // fields, tagged addresses) are not passed to the host.
      return -EINVAL;
  }
}

int64_t sys_sched_affinity(TaskState*, const uint64_t* a, bool set) {
  if (a[1] > 4096) return -EINVAL;
  MIMIC_GUEST_BUF(mask, a[2], a[1]);
  return host_syscall(set ? SYS_sched_setaffinity : SYS_sched_getaffinity, sarg(a[0]), a[1], mask);
}
int64_t sys_sched_setaffinity(TaskState* t, const uint64_t* a) { return sys_sched_affinity(t, a, true); }
int64_t sys_sched_getaffinity(TaskState* t, const uint64_t* a) { return sys_sched_affinity(t, a, false); }

// (pid, struct sched_param *) and (pid, policy, struct sched_param *).
int64_t sys_sched_getparam(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[1], 4);
  return host_syscall(SYS_sched_getparam, sarg(a[0]), p);
}
int64_t sys_sched_setparam(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[1], 4);
  return host_syscall(SYS_sched_setparam, sarg(a[0]), p);
}
int64_t sys_sched_setscheduler(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[2], 4);
  return host_syscall(SYS_sched_setscheduler, sarg(a[0]), sarg(a[1]), p);
}
int64_t sys_sched_rr_get_interval(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(p, a[1], 16);
  return host_syscall(SYS_sched_rr_get_interval, sarg(a[0]), p);
}

int64_t sys_capget(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(hdr, a[0], 8);
  MIMIC_GUEST_OPT_BUF(data, a[1], 24);
  return host_syscall(SYS_capget, hdr, data);
}

int64_t sys_wait4(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(ru, a[3], 144);
  int status = 0;
  int64_t r = host_syscall(SYS_wait4, sarg(a[0]), a[1] ? &status : nullptr, sarg(a[2]), ru);
  if (r > 0 && a[1]) {
    int g = host_to_guest_wait_status(status);
    if (!put_guest(a[1], g)) return -EFAULT;
  }
  return r;
}

int64_t sys_waitid(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(ru, a[4], 144);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int64_t r = host_syscall(SYS_waitid, sarg(a[0]), sarg(a[1]), a[2] ? &info : nullptr, sarg(a[3]), ru);
  if (r < 0 || !a[2]) return r;
  if (info.si_signo) info.si_signo = host_to_guest_signal(info.si_signo);
  // si_status holds a signal number for killed, dumped, stopped, trapped.
  if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED || info.si_code == CLD_STOPPED ||
      info.si_code == CLD_TRAPPED) {
    info.si_status = host_to_guest_signal(info.si_status);
  }
  static_assert(sizeof(siginfo_t) == 128);
  return copy_to_guest(a[2], &info, sizeof info) ? r : -EFAULT;
}

int64_t sys_exit_group(TaskState*, const uint64_t* a) {
  ::syscall(SYS_exit_group, sarg(a[0]));
  __builtin_unreachable();
}

int64_t sys_personality(TaskState*, const uint64_t* a) {
  // PER_LINUX only; 0xffffffff queries.
  if (static_cast<uint32_t>(a[0]) == 0xffffffffu || static_cast<uint32_t>(a[0]) == 0) return 0;
  return -EINVAL;
}

}  // namespace

void register_process_syscalls(SyscallTable& t) {
  t.fn[nr::kGetpid] = sys_values<SYS_getpid>;
  t.fn[nr::kGetppid] = sys_values<SYS_getppid>;
  t.fn[nr::kGettid] = sys_values<SYS_gettid>;
  t.fn[nr::kGetuid] = sys_values<SYS_getuid>;
  t.fn[nr::kGeteuid] = sys_values<SYS_geteuid>;
  t.fn[nr::kGetgid] = sys_values<SYS_getgid>;
  t.fn[nr::kGetegid] = sys_values<SYS_getegid>;
  t.fn[nr::kSetuid] = sys_values<SYS_setuid>;
  t.fn[nr::kSetgid] = sys_values<SYS_setgid>;
  t.fn[nr::kSetreuid] = sys_values<SYS_setreuid>;
  t.fn[nr::kSetregid] = sys_values<SYS_setregid>;
  t.fn[nr::kSetresuid] = sys_values<SYS_setresuid>;
  t.fn[nr::kSetresgid] = sys_values<SYS_setresgid>;
  t.fn[nr::kSetfsuid] = sys_values<SYS_setfsuid>;
  t.fn[nr::kSetfsgid] = sys_values<SYS_setfsgid>;
  t.fn[nr::kGetresuid] = sys_getres<SYS_getresuid>;
  t.fn[nr::kGetresgid] = sys_getres<SYS_getresgid>;
  t.fn[nr::kGetgroups] = sys_getgroups;
  t.fn[nr::kSetgroups] = sys_setgroups;
  t.fn[nr::kSetpgid] = sys_values<SYS_setpgid>;
  t.fn[nr::kGetpgid] = sys_values<SYS_getpgid>;
  t.fn[nr::kGetsid] = sys_values<SYS_getsid>;
  t.fn[nr::kSetsid] = sys_values<SYS_setsid>;
  t.fn[nr::kGetpriority] = sys_values<SYS_getpriority>;
  t.fn[nr::kSetpriority] = sys_values<SYS_setpriority>;
  t.fn[nr::kUname] = sys_uname;
  t.fn[nr::kGetrlimit] = sys_getrlimit;
  t.fn[nr::kSetrlimit] = sys_setrlimit;
  t.fn[nr::kPrlimit64] = sys_prlimit64;
  t.fn[nr::kGetrusage] = sys_getrusage;
  t.fn[nr::kSysinfo] = sys_sysinfo;
  t.fn[nr::kGetrandom] = sys_getrandom;
  t.fn[nr::kGetcpu] = sys_getcpu;
  t.fn[nr::kPrctl] = sys_prctl;
  t.fn[nr::kSchedYield] = sys_values<SYS_sched_yield>;
  t.fn[nr::kSchedGetscheduler] = sys_values<SYS_sched_getscheduler>;
  t.fn[nr::kSchedGetPriorityMax] = sys_values<SYS_sched_get_priority_max>;
  t.fn[nr::kSchedGetPriorityMin] = sys_values<SYS_sched_get_priority_min>;
  t.fn[nr::kSchedSetaffinity] = sys_sched_setaffinity;
  t.fn[nr::kSchedGetaffinity] = sys_sched_getaffinity;
  t.fn[nr::kSchedGetparam] = sys_sched_getparam;
  t.fn[nr::kSchedSetparam] = sys_sched_setparam;
  t.fn[nr::kSchedSetscheduler] = sys_sched_setscheduler;
  t.fn[nr::kSchedRrGetInterval] = sys_sched_rr_get_interval;
  t.fn[nr::kCapget] = sys_capget;
  t.fn[nr::kWait4] = sys_wait4;
  t.fn[nr::kWaitid] = sys_waitid;
  t.fn[nr::kExitGroup] = sys_exit_group;
  t.fn[nr::kPersonality] = sys_personality;
}

}  // namespace mimic::linux_user
