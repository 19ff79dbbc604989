// The guest's accrued FP flags across RiscvCpu::fflags and the host FP
// status (see cpu.h and exec/host_fp.h).
#include "exec/host_fp.h"
#include "guest/riscv/cpu.h"
#include "guest/riscv/fpu.h"

namespace mimic::riscv {

// exec's host-neutral flags use the fflags layout (§11.2), so no mapping.
constexpr uint32_t u(uint32_t v) { return v; }
static_assert(u(exec::kFpInexact) == u(fpu::kFlagNX) && u(exec::kFpUnderflow) == u(fpu::kFlagUF) &&
              u(exec::kFpOverflow) == u(fpu::kFlagOF) && u(exec::kFpDivByZero) == u(fpu::kFlagDZ) &&
              u(exec::kFpInvalid) == u(fpu::kFlagNV));

void fold_host_fp_flags(RiscvCpu& cpu) {
  const uint32_t f = exec::take_host_fp_flags() | cpu.common.host_fp_flags;
  cpu.common.host_fp_flags = 0;
  if (f != 0) cpu.fflags |= f;
}

uint64_t read_fflags(const RiscvCpu& cpu) { return (cpu.fflags | cpu.common.host_fp_flags) & 0x1f; }

void write_fflags(RiscvCpu& cpu, uint64_t v) {
  cpu.fflags = v & 0x1f;
  cpu.common.host_fp_flags = 0;
}

}  // namespace mimic::riscv
