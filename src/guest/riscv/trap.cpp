// Traps of the system-mode hart (RISC-V privileged spec 20211203): exception
// and interrupt entry with delegation (§3.1.6.1, §3.1.7, §3.1.8, §3.1.9,
// §4.1.1), mret/sret (§3.3.2), WFI wake-up (§3.3.3), and the vCPU loop's
// handling of exec::cpu_exec's exit codes.
#include <cstring>

#include "core/log.h"
#include "exec/cpu.h"
#include "guest/riscv/csr.h"
#include "guest/riscv/system.h"
#include "memory/softmmu.h"

namespace mimic::riscv {
namespace {

// Interrupt priority, highest first (§3.1.9): MEI, MSI, MTI, SEI, SSI, STI.
constexpr unsigned kIrqPriority[] = {kIrqMExt, kIrqMSoft, kIrqMTimer,
                                     kIrqSExt, kIrqSSoft, kIrqSTimer};

uint64_t set_bit(uint64_t v, uint64_t bit, bool on) { return on ? v | bit : v & ~bit; }

// The instruction bits at pc for the trap value of an illegal instruction
// raised by a helper (the translator stores them itself otherwise); 0 when
// the code cannot be read (allowed: §3.1.16).
uint64_t instruction_bits(RiscvCpu& cpu, uint64_t pc) {
  exec::CpuCommon* c = &cpu.common;
  if (c->softmmu == nullptr) return 0;
  const uint32_t idx = cpu.priv == kPrivM ? kMmuIdxM : cpu.priv == kPrivS ? kMmuIdxS : kMmuIdxU;
  uint64_t paddr;
  const uint8_t* p = memory::softmmu_probe_code(c, pc, idx, &paddr);
  if (p == nullptr) return 0;
  uint16_t lo, hi;
  std::memcpy(&lo, p, 2);
  if ((lo & 3) != 3) return lo;
  if ((pc & 0xfff) <= 0xffc) {
    std::memcpy(&hi, p + 2, 2);
  } else {
    const uint8_t* p2 = memory::softmmu_probe_code(c, pc + 2, idx, &paddr);
    if (p2 == nullptr) return 0;
    std::memcpy(&hi, p2, 2);
  }
  return static_cast<uint64_t>(hi) << 16 | lo;
}

}  // namespace

void trap_enter(RiscvCpu& cpu, uint64_t cause, uint64_t tval, uint64_t epc) {
  const bool interrupt = (cause & kCauseInterrupt) != 0;
  const uint64_t code = cause & ~kCauseInterrupt;
  const uint64_t deleg = interrupt ? cpu.mideleg : cpu.medeleg;
  if (log::enabled(log::kInt)) {
    log::printf("trap: hart %llu, %s %llu, epc 0x%016llx, tval 0x%llx, from priv %llu\n",
                static_cast<unsigned long long>(cpu.mhartid), interrupt ? "interrupt" : "exception",
                static_cast<unsigned long long>(code), static_cast<unsigned long long>(epc),
                static_cast<unsigned long long>(tval), static_cast<unsigned long long>(cpu.priv));
  }
  cpu.load_res = ~uint64_t{0};  // SC after a trap may fail (unpriv. §8.2)
  uint64_t ms = cpu.mstatus;
  uint64_t tvec;
  if (cpu.priv <= kPrivS && code < 64 && ((deleg >> code) & 1)) {
    cpu.scause = cause;
    cpu.sepc = epc;
    cpu.stval = tval;
    ms = set_bit(ms, kMstatusSpp, cpu.priv == kPrivS);
    ms = set_bit(ms, kMstatusSpie, (ms & kMstatusSie) != 0);
    ms &= ~kMstatusSie;
    cpu.priv = kPrivS;
    tvec = cpu.stvec;
  } else {
    cpu.mcause = cause;
    cpu.mepc = epc;
    cpu.mtval = tval;
    ms = (ms & ~kMstatusMpp) | cpu.priv << kMstatusMppShift;
    ms = set_bit(ms, kMstatusMpie, (ms & kMstatusMie) != 0);
    ms &= ~kMstatusMie;
    cpu.priv = kPrivM;
    tvec = cpu.mtvec;
  }
  cpu.mstatus = ms;
  // Vectored mode (1) applies to interrupts only (§3.1.7).
  const uint64_t base = tvec & ~uint64_t{3};
  cpu.common.pc = interrupt && (tvec & 3) == 1 ? base + 4 * code : base;
}

uint64_t do_mret(RiscvCpu& cpu) {
  uint64_t ms = cpu.mstatus;
  const uint64_t mpp = (ms & kMstatusMpp) >> kMstatusMppShift;
  ms = set_bit(ms, kMstatusMie, (ms & kMstatusMpie) != 0);
  ms |= kMstatusMpie;
  ms &= ~kMstatusMpp;  // U, the least-privileged mode
  if (mpp != kPrivM) ms &= ~kMstatusMprv;
  cpu.mstatus = ms;
  cpu.priv = mpp;
  return cpu.mepc;
}

uint64_t do_sret(RiscvCpu& cpu) {
  uint64_t ms = cpu.mstatus;
  const uint64_t spp = (ms & kMstatusSpp) ? kPrivS : kPrivU;
  ms = set_bit(ms, kMstatusSie, (ms & kMstatusSpie) != 0);
  ms |= kMstatusSpie;
  ms &= ~(kMstatusSpp | kMstatusMprv);  // SPP = U; returning below M clears MPRV
  cpu.mstatus = ms;
  cpu.priv = spp;
  return cpu.sepc;
}

int pending_interrupt(const RiscvCpu& cpu) {
  const uint64_t pending = effective_mip(cpu) & cpu.mie;
  if (pending == 0) return -1;
  // M-level interrupts (not delegated) are enabled below M, and in M when
  // MIE; delegated (S-level) ones below S, and in S when SIE, never in M
  // (§3.1.6.1). Higher-privilege interrupts go first.
  const bool m_enabled = cpu.priv < kPrivM || (cpu.mstatus & kMstatusMie);
  const bool s_enabled = cpu.priv < kPrivS || (cpu.priv == kPrivS && (cpu.mstatus & kMstatusSie));
  const uint64_t m = pending & ~cpu.mideleg, s = pending & cpu.mideleg;
  uint64_t set = 0;
  if (m_enabled && m != 0) {
    set = m;
  } else if (s_enabled && s != 0) {
    set = s;
  }
  for (unsigned irq : kIrqPriority)
    if ((set >> irq) & 1) return static_cast<int>(irq);
  return -1;
}

bool take_interrupt(RiscvCpu& cpu) {
  const int irq = pending_interrupt(cpu);
  if (irq < 0) return false;
  trap_enter(cpu, kCauseInterrupt | static_cast<uint64_t>(irq), 0, cpu.common.pc);
  return true;
}

bool wfi_should_wake(const RiscvCpu& cpu) { return (effective_mip(cpu) & cpu.mie) != 0; }

void raise_exception(RiscvCpu& cpu, uint64_t cause, uint64_t tval) {
  cpu.trap_cause = cause;
  cpu.trap_tval = tval;
  exec::raise_exit(&cpu.common, kExitTrap);
}

HartEvent handle_exit(RiscvCpu& cpu, uint64_t exit_code) {
  exec::CpuCommon& c = cpu.common;
  const uint64_t pc = c.pc;  // the instruction that raised, for exceptions
  switch (exit_code) {
    case kExitTrap:
      trap_enter(cpu, cpu.trap_cause, cpu.trap_tval, pc);
      break;
    case kExitEcall: {
      const uint64_t cause = cpu.priv == kPrivU   ? kCauseEcallU
                             : cpu.priv == kPrivS ? kCauseEcallS
                                                  : kCauseEcallM;
      trap_enter(cpu, cause, 0, pc);
      break;
    }
    case kExitEbreak:
      trap_enter(cpu, kCauseBreakpoint, pc, pc);
      break;
    case kExitIllegal:
      trap_enter(cpu, kCauseIllegal, instruction_bits(cpu, pc), pc);
      break;
    case kExitMisalignedAtomic:  // system-mode blocks raise kExitTrap instead
      trap_enter(cpu, kCauseStoreMisaligned, c.fault_addr, pc);
      break;
    case ir::kExitFault:
      trap_enter(cpu, c.fault_write ? kCauseStoreAccess : kCauseLoadAccess, c.fault_addr, pc);
      break;
    case ir::kExitMisaligned:
      trap_enter(cpu, c.fault_write ? kCauseStoreMisaligned : kCauseLoadMisaligned,
                 c.fault_addr, pc);
      break;
    case kExitWfi:
      // WFI completes at once when an interrupt is already pending (§3.3.3).
      if (!wfi_should_wake(cpu)) return HartEvent::kWfi;
      break;
    default:  // kExitSystem, kExitInterrupt, kExitNormal: re-check interrupts
      break;
  }
  take_interrupt(cpu);
  return HartEvent::kContinue;
}

}  // namespace mimic::riscv
