#pragma once
// The part of every guest CPU state that the execution loop, the IR backends
// and the memory layer share. A guest's state struct puts CpuCommon first, so
// the env pointer passed to generated code and helpers points at both.
#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <cstdint>

#include "ir/ir.h"

namespace mimic::memory {
struct SoftMmu;
}

namespace mimic::exec {

struct CpuCommon {
  // Guest program counter. goto_tb writes it; at every exit of a block it is
  // the pc of the next instruction to run (or of the faulting instruction).
  uint64_t pc = 0;
  // pc of the instruction being executed, kept by insn_start; used to make
  // exceptions raised from the middle of a block precise.
  uint64_t insn_pc = 0;

  // User mode: guest address a lives at host address guest_base + a for
  // a < guest_limit; anything at or above guest_limit faults.
  uint8_t* guest_base = nullptr;
  uint64_t guest_limit = 0;
  // System mode: the vCPU's softMMU (memory/softmmu.h); nullptr in user mode.
  memory::SoftMmu* softmmu = nullptr;

  // Set from signal handlers or other threads to make the loop return with
  // kExitInterrupt at the next block boundary.
  std::atomic<uint32_t> exit_request{0};

  // Details of the last exit: guest exception code and memory fault address.
  uint64_t exception = 0;
  uint64_t fault_addr = 0;
  bool fault_write = false;

  // IEEE exception flags (exec::HostFpFlag) raised by guest code on the
  // host FPU and taken from the host FP status, not yet folded into the
  // guest's own accrued flags; part of them (see exec/host_fp.h). The host
  // fault handler puts the interrupted code's pending flags here.
  uint32_t host_fp_flags = 0;

  // Valid while guest code runs: where helpers and the fault handler jump to
  // leave generated code. Never unwinds C++ frames (generated code and the
  // interpreter's inner loop hold no objects with destructors).
  sigjmp_buf* jmp = nullptr;

  // Backend-private: opaque pointer for the translation-block cache of this
  // vCPU (jump cache etc.).
  void* exec_state = nullptr;
};

// The current vCPU of this host thread (nullptr when none); the host fault
// handler uses it to turn a fault in guest memory into a guest exception.
CpuCommon* current_cpu();
void set_current_cpu(CpuCommon* cpu);

// Leaves generated code or a helper: records `code` as the exit and jumps to
// the execution loop, which returns `code` (pc = cpu->insn_pc).
[[noreturn]] void raise_exit(CpuCommon* cpu, uint64_t code);

}  // namespace mimic::exec
