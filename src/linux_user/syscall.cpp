// System-call dispatch: the table by number, -strace / -d unimp reporting,
// and the EINTR restart bookkeeping agreed with the signal layer
// (linux_user/signal.h).
#include "linux_user/syscall.h"

#include <cinttypes>
#include <cstring>
#include <string>

#include "core/log.h"
#include "linux_user/guest_access.h"
#include "linux_user/signal.h"
#include "linux_user/syscall_nr.h"

namespace mimic::linux_user {

namespace {

struct NameEntry {
  int nr;
  const char* name;
};
constexpr NameEntry kNames[] = {
#define SYSCALL_NAME(n, name) {n, #name},
#include "linux_user/syscall_names.inc"
#undef SYSCALL_NAME
};

const SyscallTable& table() {
  static const SyscallTable t = [] {
    SyscallTable s;
    register_fs_syscalls(s);
    register_stat_syscalls(s);
    register_ioctl_syscalls(s);
    register_poll_syscalls(s);
    register_mm_syscalls(s);
    register_time_syscalls(s);
    register_process_syscalls(s);
    register_thread_syscalls(s);
    register_net_syscalls(s);
    register_signal_syscalls(s);
    register_exec_syscalls(s);
    return s;
  }();
  return t;
}

// Calls Linux answers with -EINTR after a handler ran whatever SA_RESTART
// says, restarting them only when no handler ran (-ERESTARTNOHAND and
// -ERESTART_RESTARTBLOCK in the kernel).
bool restart_only_without_handler(int nr) {
  switch (nr) {
    case nr::kPselect6: case nr::kPpoll: case nr::kEpollPwait: case nr::kEpollPwait2:
    case nr::kNanosleep: case nr::kClockNanosleep: case nr::kIoGetevents:
    case nr::kSemtimedop: case nr::kMsgrcv: case nr::kMsgsnd:
      return true;
    default:
      return false;
  }
}

// Calls whose -EINTR is their normal answer to a signal.
bool eintr_is_result(int nr) {
  return nr == nr::kRtSigsuspend || nr == nr::kRtSigtimedwait;
}

// Index of a path argument worth printing for -strace, or -1.
int strace_path_arg(int nr) {
  switch (nr) {
    case nr::kOpenat: case nr::kFaccessat: case nr::kFaccessat2: case nr::kNewfstatat:
    case nr::kReadlinkat: case nr::kUnlinkat: case nr::kMkdirat: case nr::kStatx:
    case nr::kFchmodat: case nr::kFchownat: case nr::kUtimensat: case nr::kMknodat:
      return 1;
    case nr::kExecve: case nr::kChdir: case nr::kTruncate: case nr::kStatfs: case nr::kChroot:
      return 0;
    default:
      return -1;
  }
}

// Number of arguments of the common calls (Linux's SYSCALL_DEFINEn), so
// -strace prints only those; others show all six registers.
int strace_arg_count(int nr) {
  switch (nr) {
    case nr::kGetpid: case nr::kGetppid: case nr::kGettid: case nr::kGetuid: case nr::kGeteuid:
    case nr::kGetgid: case nr::kGetegid: case nr::kSchedYield: case nr::kSync: case nr::kSetsid:
    case nr::kRtSigreturn: case nr::kMunlockall:
      return 0;
    case nr::kClose: case nr::kExit: case nr::kExitGroup: case nr::kBrk: case nr::kDup: case nr::kUname:
    case nr::kSetTidAddress: case nr::kChdir: case nr::kFchdir: case nr::kUmask: case nr::kTimes:
    case nr::kSysinfo: case nr::kEpollCreate1: case nr::kFsync: case nr::kFdatasync: case nr::kSetuid:
    case nr::kSetgid: case nr::kGetpgid: case nr::kGetsid: case nr::kPersonality: case nr::kChroot:
      return 1;
    case nr::kMunmap: case nr::kFstat: case nr::kPipe2: case nr::kSetRobustList: case nr::kClockGettime:
    case nr::kClockGetres: case nr::kNanosleep: case nr::kGettimeofday: case nr::kKill: case nr::kTkill:
    case nr::kGetcwd: case nr::kStatfs: case nr::kFstatfs: case nr::kSigaltstack: case nr::kGetrlimit:
    case nr::kSetrlimit: case nr::kGetrusage: case nr::kListen: case nr::kShutdown: case nr::kSetpgid:
    case nr::kFtruncate: case nr::kTruncate: case nr::kRtSigpending: case nr::kRtSigsuspend:
    case nr::kGetitimer: case nr::kMlockall:
      return 2;
    case nr::kRead: case nr::kWrite: case nr::kLseek: case nr::kMprotect: case nr::kIoctl: case nr::kFcntl:
    case nr::kDup3: case nr::kGetdents64: case nr::kMadvise: case nr::kGetrandom: case nr::kTgkill:
    case nr::kSocket: case nr::kBind: case nr::kConnect: case nr::kAccept: case nr::kGetsockname:
    case nr::kGetpeername: case nr::kSendmsg: case nr::kRecvmsg: case nr::kReadv: case nr::kWritev:
    case nr::kGetresuid: case nr::kGetresgid: case nr::kSetitimer: case nr::kExecve:
    case nr::kFaccessat: case nr::kMkdirat: case nr::kUnlinkat: case nr::kGetRobustList: case nr::kMsync:
    case nr::kMincore: case nr::kSetresuid: case nr::kSetresgid:
      return 3;
    case nr::kOpenat: case nr::kNewfstatat: case nr::kReadlinkat: case nr::kPread64: case nr::kPwrite64:
    case nr::kRtSigaction: case nr::kRtSigprocmask: case nr::kWait4: case nr::kPrlimit64: case nr::kPpoll:
    case nr::kEpollCtl: case nr::kClockNanosleep: case nr::kSocketpair: case nr::kAccept4:
    case nr::kRtSigtimedwait: case nr::kFaccessat2: case nr::kUtimensat: case nr::kSendfile:
      return 4;
    case nr::kMremap: case nr::kStatx: case nr::kClone: case nr::kWaitid: case nr::kSetsockopt:
    case nr::kGetsockopt: case nr::kPrctl: case nr::kRenameat2: case nr::kLinkat:
      return 5;
    default:
      return 6;
  }
}

std::string strace_args(int nr, const uint64_t* a) {
  std::string s;
  int path = strace_path_arg(nr);
  int n = strace_arg_count(nr);
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    std::string str;
    if (i == path && read_guest_string(a[i], &str) == 0) {
      s += '"' + str + '"';
    } else if (i == 0 && path == 1 && static_cast<int32_t>(a[0]) == -100) {
      s += "AT_FDCWD";
    } else {
      char buf[32];
      snprintf(buf, sizeof buf, a[i] < 4096 ? "%" PRIu64 : "%#" PRIx64, a[i]);
      s += buf;
    }
  }
  return s;
}

void strace_result(int64_t r) {
  if (r < 0 && r >= -4095) {
    log::printf(" = -1 errno=%d (%s)\n", static_cast<int>(-r), strerror(static_cast<int>(-r)));
  } else {
    log::printf(r >= 0 && r < 65536 ? " = %" PRId64 "\n" : " = %#" PRIx64 "\n", r);
  }
}

}  // namespace

const char* syscall_name(int nr) {
  for (const NameEntry& e : kNames) {
    if (e.nr == nr) return e.name;
  }
  return nullptr;
}

void do_syscall(TaskState* t) {
  riscv::RiscvCpu& cpu = t->cpu;
  cpu.common.pc += 4;  // Linux: regs->epc += 4 before the call
  uint64_t a[6];
  for (int i = 0; i < 6; ++i) a[i] = cpu.x[10 + i];
  uint64_t nr64 = cpu.x[17];
  int nr = nr64 < kMaxSyscall ? static_cast<int>(nr64) : -1;
  SyscallFn fn = nr >= 0 ? table().fn[nr] : nullptr;
  bool strace = log::enabled(log::kStrace);
  std::string strace_line;
  if (strace) {
    const char* name = nr >= 0 ? syscall_name(nr) : nullptr;
    // One line per call, printed when it returns; calls that may not return
    // (exit, execve) print their arguments first.
    std::string line = std::to_string(t->tid) + " " + (name ? name : "syscall_" + std::to_string(nr64)) +
                       "(" + strace_args(nr, a) + ")";
    bool may_not_return = nr == nr::kExit || nr == nr::kExitGroup || nr == nr::kExecve ||
                          nr == nr::kRtSigreturn;
    if (may_not_return) {
      log::printf("%s\n", line.c_str());
    } else {
      strace_line = std::move(line);
    }
  }
  if (!fn) {
    if (log::enabled(log::kUnimp) || strace) {
      const char* name = nr >= 0 ? syscall_name(nr) : nullptr;
      log::printf("mimic: unimplemented system call %" PRIu64 " (%s)\n", nr64, name ? name : "unknown");
    }
    cpu.x[10] = static_cast<uint64_t>(-int64_t{ENOSYS});
    if (strace && !strace_line.empty()) {
      log::printf("%s", strace_line.c_str());
      strace_result(-ENOSYS);
    }
    return;
  }
  int64_t r = fn(t, a);
  if (nr == nr::kRtSigreturn) return;  // registers restored by the signal layer
  // A host call interrupted by a signal the guest does not see (ignored or
  // internal) is simply run again, as Linux would never have interrupted it.
  while (r == -EINTR && !eintr_is_result(nr) && !signal_pending(t)) r = fn(t, a);
  if (r == -EINTR && !eintr_is_result(nr)) {
    t->syscall_interrupted = true;
    t->syscall_orig_a0 = a[0];
    if (restart_only_without_handler(nr)) {
      set_restart_no_handler(t);
    }
  }
  cpu.x[10] = static_cast<uint64_t>(r);
  if (strace && !strace_line.empty()) {
    log::printf("%s", strace_line.c_str());
    strace_result(r);
    strace_line.clear();
  }
}

}  // namespace mimic::linux_user
