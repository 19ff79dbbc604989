#pragma once
// The RISC-V hart in system mode: privileged architecture (RISC-V
// privileged spec 20211203): M/S/U modes, CSRs, traps and delegation,
// interrupts, Sv39/Sv48 address translation and PMP through the softMMU.
//
// Who does what:
//   guest/riscv/csr.cpp        CSR read/write semantics (helpers called by
//                              translated csrr* instructions)
//   guest/riscv/trap.cpp       exception and interrupt entry, mret/sret, the
//                              exit handling below
//   guest/riscv/mmu.cpp        page-table walk, PMP, memory::SoftMmuHooks
//   guest/riscv/translate_*.cpp privileged instructions; system-mode fetch
//   system/ (the vCPU loop)     runs cpu_exec and acts on HartEvent
//
// Translation flags in system mode (system_guest_ops().tb_flags):
//   bits 2:0  frm (as in user mode)
//   bits 4:3  privilege of instruction fetch and execution (0 U, 1 S, 3 M)
//   bits 6:5  MMU index of data accesses (kMmuIdx*: includes MPRV/MPP, SUM)
//   bits 8:7  mstatus.FS (0 off: F/D instructions are illegal)
//   bit 9     system mode (always 1 here, so user and system blocks differ)
#include <cstdint>
#include <string>

#include "exec/cpu_loop.h"
#include "guest/riscv/cpu.h"
#include "hw/irq.h"
#include "memory/softmmu.h"

namespace mimic::memory {
class AddressSpace;
}

namespace mimic::riscv {

// MMU indexes (memory/softmmu.h): what a data access or fetch is checked as.
enum MmuIdx : uint32_t {
  kMmuIdxU = 0,      // user
  kMmuIdxS = 1,      // supervisor, SUM = 0 (user pages not accessible)
  kMmuIdxSSum = 2,   // supervisor, SUM = 1
  kMmuIdxM = 3,      // machine: physical addresses (PMP only)
};
// mstatus.MXR changes the meaning of every index: writes that change it
// flush the TLB (as satp writes and sfence.vma do).

constexpr uint64_t kTbFlagsPrivShift = 3;
constexpr uint64_t kTbFlagsMmuShift = 5;
constexpr uint64_t kTbFlagsFsShift = 7;
constexpr uint64_t kTbFlagsSystem = uint64_t{1} << 9;

// Exception and interrupt causes (xcause, privileged spec §3.1.15, table 3.6).
enum Cause : uint64_t {
  kCauseFetchMisaligned = 0,
  kCauseFetchAccess = 1,
  kCauseIllegal = 2,
  kCauseBreakpoint = 3,
  kCauseLoadMisaligned = 4,
  kCauseLoadAccess = 5,
  kCauseStoreMisaligned = 6,  // store/AMO
  kCauseStoreAccess = 7,
  kCauseEcallU = 8,
  kCauseEcallS = 9,
  kCauseEcallM = 11,
  kCauseFetchPage = 12,
  kCauseLoadPage = 13,
  kCauseStorePage = 15,
};
constexpr uint64_t kCauseInterrupt = uint64_t{1} << 63;

// Interrupt numbers = bit positions in mip/mie (§3.1.9).
// The same numbers the devices use (hw/irq.h).
constexpr unsigned kIrqSSoft = hw::kMipSsip, kIrqMSoft = hw::kMipMsip, kIrqSTimer = hw::kMipStip,
                   kIrqMTimer = hw::kMipMtip, kIrqSExt = hw::kMipSeip, kIrqMExt = hw::kMipMeip;
// How devices drive mip (the HartInterrupts of the system layer): a level
// change of interrupt line `irq` does
//   level ? cpu.mip.fetch_or(1 << irq) : cpu.mip.fetch_and(~(1 << irq))
// then sets cpu.common.exit_request so the loop re-checks interrupts. Lines:
// MSIP (3) = CLINT msip, MTIP (7) = CLINT mtime >= mtimecmp, MEIP (11) = PLIC
// context M, SEIP (9) = PLIC context S. Devices never touch SSIP (1) and STIP
// (5), which belong to software (CSR writes); the software-written SEIP is
// RiscvCpu::mip_sw_seip, ORed in by every read of mip and by the interrupt
// logic.

// Raises synchronous exception `cause` with trap value `tval` at the current
// instruction (cpu.common.insn_pc): sets trap_cause/trap_tval and leaves
// through exec::raise_exit(kExitTrap). For helpers and the MMU hooks.
[[noreturn]] void raise_exception(RiscvCpu& cpu, uint64_t cause, uint64_t tval);

struct HartConfig {
  uint64_t hartid = 0;
  uint64_t reset_pc = 0x1000;
  // misa extensions: rv64 IMAFDC + S + U (the virt machine's ISA string).
  memory::AddressSpace* as = nullptr;
  uint64_t (*read_mtime)(void* ctx) = nullptr;  // the CLINT's mtime
  void* mtime_ctx = nullptr;
};

// Makes `cpu` a system-mode hart: system_mode, misa, mhartid, mtime source;
// attaches `mmu` (which must outlive the hart) with the RISC-V hooks; then
// resets it (hart_reset).
void hart_init(RiscvCpu& cpu, memory::SoftMmu& mmu, const HartConfig& config);
// Reset state (privileged spec §3.4): M mode, pc = reset_pc, mstatus.MIE=0,
// MPRV=0, misa restored, satp=0, PMP off, mip software bits cleared; x/f
// registers zeroed; TLB flushed.
void hart_reset(RiscvCpu& cpu, uint64_t reset_pc);

// The GuestOps of system mode (tb_flags as above, translate with the
// privileged instructions, code_mmu_idx).
const exec::GuestOps& system_guest_ops();

// What the vCPU loop does after handle_exit.
enum class HartEvent {
  kContinue,  // run again (a trap may have been taken: pc is the handler)
  kWfi,       // sleep until wfi_should_wake() (pc is after the wfi)
};

// Acts on an exit code of exec::cpu_exec in system mode: turns
// kExitTrap/kExitEcall/kExitEbreak/kExitIllegal/kExitMisalignedAtomic/
// kExitFault into a trap (cause, tval, delegation per medeleg), handles
// kExitSystem and kExitInterrupt by taking a pending interrupt if one is
// enabled, and reports kExitWfi (kContinue instead when an interrupt is
// already pending in mip & mie: the wfi completes at once). After any exit
// it takes a pending enabled interrupt. Never blocks.
// Note: CSR writes that may enable an interrupt, mret and sret do not leave
// cpu_exec; they set common.exit_request when an interrupt became takeable,
// so cpu_exec returns kExitInterrupt right after them.
HartEvent handle_exit(RiscvCpu& cpu, uint64_t exit_code);

// Takes the highest-priority interrupt that is pending and enabled
// (privileged spec §3.1.6.1, §3.1.9: MEI, MSI, MTI, SEI, SSI, STI), if any;
// returns true if a trap was taken. Call between cpu_exec runs.
bool take_interrupt(RiscvCpu& cpu);

// True if an interrupt is pending in mip & mie, whatever the global enables
// and delegation (WFI resumes then, §3.3.3). (Sstc is not implemented:
// stimecmp is an illegal CSR, so OpenSBI programs the CLINT for S timers.)
bool wfi_should_wake(const RiscvCpu& cpu);

// -d cpu / info registers: the full register dump (GPRs, pc, priv, main CSRs).
std::string format_registers(const RiscvCpu& cpu);

}  // namespace mimic::riscv
