#pragma once
// One guest thread of the emulated process: its CPU state plus the kernel-side
// state Linux keeps per task. One host thread runs each TaskState.
#include <atomic>
#include <cstdint>

#include "guest/riscv/cpu.h"

namespace mimic::linux_user {

// Guest signal set: bit (n - 1) stands for signal n, n = 1..64 (asm-generic).
using GuestSigset = uint64_t;

struct GuestStack {  // stack_t as the guest sees it (asm-generic, LP64)
  uint64_t ss_sp = 0;
  int32_t ss_flags = 2;  // SS_DISABLE
  uint64_t ss_size = 0;
};

struct TaskState {
  riscv::RiscvCpu cpu;  // first: the env pointer of generated code

  int tid = 0;  // host tid, which is also the guest tid

  // --- signals (linux_user/signal*.cpp) ---
  GuestSigset blocked = 0;                  // rt_sigprocmask
  std::atomic<GuestSigset> pending{0};      // thread-directed, not yet delivered
  GuestStack altstack;                      // sigaltstack
  // Set by the system-call layer when the host call was interrupted (EINTR)
  // and may be restarted: delivery decides between restart and -EINTR.
  bool syscall_interrupted = false;
  uint64_t syscall_orig_a0 = 0;  // a0 at the ecall, for restarts

  // --- threads (clone, exit, futex) ---
  uint64_t clear_child_tid = 0;  // set_tid_address / CLONE_CHILD_CLEARTID
  uint64_t robust_list = 0;      // set_robust_list head
  uint64_t robust_list_len = 0;
};

// The task running on this host thread.
TaskState* current_task();
void set_current_task(TaskState* t);

}  // namespace mimic::linux_user
