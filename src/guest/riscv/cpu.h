#pragma once
// RISC-V hart state (user-level part for now). The translator names these
// fields as IR globals by their offset from the env pointer.
#include <cstddef>
#include <cstdint>

#include "exec/cpu.h"
#include "exec/cpu_loop.h"

namespace mimic::riscv {

struct RiscvCpu {
  exec::CpuCommon common;  // must stay first: env points at both

  uint64_t x[32] = {};  // x[0] is never written by translated code
  uint64_t f[32] = {};  // raw bits; singles are NaN-boxed (upper 32 bits all ones)
  uint64_t fflags = 0;  // accrued exceptions NV DZ OF UF NX (bits 4..0)
  uint64_t frm = 0;     // dynamic rounding mode (0..4 valid)

  // LR/SC reservation: address and the value loaded; -1 means none.
  uint64_t load_res = ~uint64_t{0};
  uint64_t load_val = 0;

  // Counters for cycle/instret (user mode: derived from host time/blocks).
  uint64_t instret = 0;
};

// Offsets for the translator (env-relative).
constexpr int32_t xreg_offset(int i) {
  return static_cast<int32_t>(offsetof(RiscvCpu, x) + 8 * i);
}
constexpr int32_t freg_offset(int i) {
  return static_cast<int32_t>(offsetof(RiscvCpu, f) + 8 * i);
}

// Exit codes of RISC-V blocks (exit_tb), >= ir::kExitGuest. env pc is the pc
// of the instruction that raised them.
enum RiscvExit : uint64_t {
  kExitEcall = 16,           // ecall: system call in user mode
  kExitEbreak = 17,          // ebreak -> SIGTRAP
  kExitIllegal = 18,         // illegal instruction -> SIGILL
  kExitMisalignedAtomic = 19,// misaligned AMO/LR/SC -> SIGBUS
};

// The guest interface used by the execution loop.
const exec::GuestOps& guest_ops();

}  // namespace mimic::riscv
