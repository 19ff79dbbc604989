#pragma once
// Guest (riscv64 Linux, asm-generic LP64) layouts of the signal structures:
// siginfo, struct sigaction, stack_t, and the rt_sigframe a handler runs on
// (arch/riscv/kernel/signal.c; uapi asm/ucontext.h, asm/sigcontext.h,
// asm/ptrace.h). Field offsets are checked below against the uapi headers.
#include <cstddef>
#include <cstdint>

#include "linux_user/task.h"

namespace mimic::linux_user {

// siginfo_t: 128 bytes; si_signo, si_errno, si_code, then a union at 16.
// x86-64 uses the same generic LP64 layout, so host and guest siginfo differ
// only in the signal numbers they carry (si_signo, SIGCHLD's si_status).
struct GuestSiginfo {
  int32_t si_signo;
  int32_t si_errno;
  int32_t si_code;
  int32_t pad0;
  // Union: kill {pid@16, uid@20}; rt/timer {.., sigval@24}; sigchld
  // {pid@16, uid@20, status@24, utime@32, stime@40}; sigfault {addr@16}.
  uint8_t fields[112];
};
static_assert(sizeof(GuestSiginfo) == 128);

constexpr size_t kSiginfoPidOffset = 16;
constexpr size_t kSiginfoUidOffset = 20;
constexpr size_t kSiginfoStatusOffset = 24;  // SIGCHLD si_status
constexpr size_t kSiginfoAddrOffset = 16;    // SIGSEGV/SIGBUS/SIGILL/SIGTRAP si_addr

// struct sigaction of asm-generic (riscv defines no SA_RESTORER).
struct GuestSigaction {
  uint64_t handler;  // sa_handler (a macro in host headers)
  uint64_t flags;
  GuestSigset mask;
};
static_assert(sizeof(GuestSigaction) == 24);

// stack_t (asm-generic, LP64): ss_sp, int ss_flags, size_t ss_size.
struct GuestStackT {
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t pad;
  uint64_t ss_size;
};
static_assert(sizeof(GuestStackT) == 24);

// struct sigcontext: user_regs_struct (pc then x1..x31) and the FP area.
// The FP area is union __riscv_fp_state (largest member: the Q state,
// f[64] aligned to 16, fcsr, reserved[3] = 528 bytes). Linux writes the D
// state (f[32], fcsr) and reuses the tail as __riscv_extra_ext_header:
// a reserved u32 at 516 (must be 0) and the first context header at 520
// (magic, size); magic 0 ends the list (no vector state here).
struct alignas(16) GuestSigcontext {
  uint64_t sc_regs[32];  // [0] = pc, [i] = x[i]
  uint64_t fp_f[32];
  uint32_t fp_fcsr;
  uint32_t fp_pad[(516 - 260) / 4];
  uint32_t ext_reserved;
  uint32_t ext_hdr_magic;
  uint32_t ext_hdr_size;
};
static_assert(sizeof(GuestSigcontext) == 256 + 528);

// struct ucontext: sigset padded to 1024 bits as glibc's sigset_t.
struct GuestUcontext {
  uint64_t uc_flags;
  uint64_t uc_link;
  GuestStackT uc_stack;
  GuestSigset uc_sigmask;
  uint8_t unused[1024 / 8 - sizeof(GuestSigset)];
  GuestSigcontext uc_mcontext;
};
static_assert(offsetof(GuestUcontext, uc_sigmask) == 40);
static_assert(offsetof(GuestUcontext, uc_mcontext) == 176);

struct GuestRtSigframe {
  GuestSiginfo info;
  GuestUcontext uc;
};
static_assert(offsetof(GuestRtSigframe, uc) == 128);
static_assert(sizeof(GuestRtSigframe) == 128 + 176 + 784);

}  // namespace mimic::linux_user
