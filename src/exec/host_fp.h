#pragma once
// IEEE exception flags raised by guest code on the host FPU.
//
// The IR's floating-point ops (ir/eval_fp.h, the JIT's emit_fp.cpp) run on
// the host FPU and leave their exception flags in the host thread's FP
// status (x86-64: the sticky flag bits 5:0 of MXCSR) instead of in the guest
// state. The contract, for every guest architecture:
//
//   While guest code runs in this thread (inside exec::cpu_exec), the
//   guest's accrued flags are its own field ORed with the flags pending in
//   the host FP status and in CpuCommon::host_fp_flags.
//
// The guest's user-mode loop clears the host flags before cpu_exec and takes
// them after it returns (every exit, including siglongjmp out of helpers);
// the host fault handler, which leaves a signal handler whose FP status the
// kernel reset, takes them from the interrupted context into
// CpuCommon::host_fp_flags. Helpers that read or write the guest's flags
// (CSR accesses) take or clear them first. Code that runs between blocks
// must not raise FP exceptions of its own (it does no FP arithmetic).
#include <cstdint>

namespace mimic::exec {

// Host-neutral encoding of the five IEEE 754 exceptions (§7).
enum HostFpFlag : uint32_t {
  kFpInexact = 1u << 0,
  kFpUnderflow = 1u << 1,
  kFpOverflow = 1u << 2,
  kFpDivByZero = 1u << 3,
  kFpInvalid = 1u << 4,
};

// Returns the flags pending in this thread's FP status and clears them.
uint32_t take_host_fp_flags();
// Returns the pending flags without clearing them.
uint32_t peek_host_fp_flags();
// Clears them. x86-64: MXCSR is in its default state (0x1f80: round to
// nearest even, exceptions masked, DAZ/FTZ off) whenever mimic's own code or
// guest code runs (helpers that change it restore it); take and clear load
// that state instead of reading MXCSR again.
void clear_host_fp_flags();
// The flags pending in the FP status saved in a signal handler's ucontext
// (the interrupted code's), or 0 if the context has none.
uint32_t host_fp_flags_of_context(const void* ucontext);
// x86-64: MXCSR flag bits (IE bit 0 .. PE bit 5; DE ignored) to HostFpFlag.
uint32_t host_fp_flags_from_mxcsr(uint32_t mxcsr);

}  // namespace mimic::exec
