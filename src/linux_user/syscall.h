#pragma once
// System calls of riscv64 Linux guests: dispatch by the asm-generic number
// (a7), arguments in a0..a5, result (value or -errno) in a0. Each group of
// calls lives in its own file (syscall_fs.cpp, syscall_mm.cpp, ...) and
// registers its handlers in the table.
#include <cerrno>
#include <cstdint>

#include "linux_user/task.h"

namespace mimic::linux_user {

constexpr int kMaxSyscall = 512;

// a[0..5] = a0..a5 at the ecall.
using SyscallFn = int64_t (*)(TaskState* t, const uint64_t* a);

struct SyscallTable {
  SyscallFn fn[kMaxSyscall] = {};
};

// Group registration (one per syscall_*.cpp).
void register_fs_syscalls(SyscallTable& t);
void register_stat_syscalls(SyscallTable& t);
void register_ioctl_syscalls(SyscallTable& t);
void register_poll_syscalls(SyscallTable& t);
void register_mm_syscalls(SyscallTable& t);
void register_time_syscalls(SyscallTable& t);
void register_process_syscalls(SyscallTable& t);
void register_thread_syscalls(SyscallTable& t);
void register_net_syscalls(SyscallTable& t);
void register_signal_syscalls(SyscallTable& t);
void register_exec_syscalls(SyscallTable& t);

// Name of a system call, or nullptr.
const char* syscall_name(int nr);

// Runs the system call of the ecall at t->cpu.common.pc: advances pc past
// the ecall first (Linux epc += 4), dispatches, stores the result in a0.
void do_syscall(TaskState* t);

// Host syscall result to the Linux convention.
inline int64_t host_result(int64_t r) { return r == -1 ? -errno : r; }

}  // namespace mimic::linux_user
