#pragma once
// RISC-V hart state (user-level part for now). The translator names these
// fields as IR globals by their offset from the env pointer.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "exec/cpu.h"
#include "exec/cpu_loop.h"

namespace mimic::riscv {

struct RiscvCpu {
  exec::CpuCommon common;  // must stay first: env points at both

  uint64_t x[32] = {};  // x[0] is never written by translated code
  uint64_t f[32] = {};  // raw bits; singles are NaN-boxed (upper 32 bits all ones)
  // Accrued exceptions NV DZ OF UF NX (bits 4..0), in part: while guest code
  // runs, the guest's fflags are this field ORed with the flags the IR's
  // floating-point ops left pending in the host FP status and in
  // common.host_fp_flags (exec/host_fp.h). Read and write them through
  // read_fflags / fold_host_fp_flags / write_fflags below.
  uint64_t fflags = 0;
  // Dynamic rounding mode (0..4 valid, 5..7 reserved). Part of the TB flags:
  // instructions with rm = DYN are translated for the frm they will see.
  uint64_t frm = 0;

  // LR/SC reservation: address and the value loaded; -1 means none.
  uint64_t load_res = ~uint64_t{0};
  uint64_t load_val = 0;

  // Counters for cycle/instret (user mode: derived from host time/blocks).
  uint64_t instret = 0;

  // --- privileged state: system mode only (guest/riscv/system.h) ---
  // RISC-V privileged spec 20211203, ch. 3 (machine) and 4 (supervisor).
  // sstatus, sie and sip are views of mstatus, mie and mip.
  uint64_t priv = 3;  // current privilege level: 0 U, 1 S, 3 M
  uint64_t mstatus = 0;
  uint64_t misa = 0;
  uint64_t medeleg = 0, mideleg = 0;
  uint64_t mie = 0;
  // Interrupt-pending bits. The device-driven bits (MEIP, SEIP-from-PLIC,
  // MTIP, MSIP) are set from other threads by the hart's HartInterrupts;
  // software-writable bits (SSIP, STIP, SEIP) by CSR writes. Always updated
  // with atomic read-modify-write.
  std::atomic<uint64_t> mip{0};
  // The software-writable SEIP bit (mip bit 9 written by M-mode CSR
  // accesses), kept apart from mip's SEIP, which is the PLIC's line for the
  // S-mode context (§3.1.9: reads return the OR of both). 0 or 1 << 9.
  uint64_t mip_sw_seip = 0;
  uint64_t mtvec = 0, mscratch = 0, mepc = 0, mcause = 0, mtval = 0;
  uint64_t stvec = 0, sscratch = 0, sepc = 0, scause = 0, stval = 0;
  uint64_t satp = 0;
  uint64_t mcounteren = 0, scounteren = 0, mcountinhibit = 0;
  uint64_t menvcfg = 0, senvcfg = 0;
  uint64_t mhartid = 0;
  uint64_t pmpcfg[2] = {};    // pmpcfg0 and pmpcfg2 (RV64: 8 entries each)
  uint64_t pmpaddr[16] = {};
  uint64_t stimecmp = ~uint64_t{0};  // Sstc (not implemented: the CSR is illegal)
  // mcycle/minstret = host time counter + these offsets (writes set them).
  uint64_t mcycle_offset = 0, minstret_offset = 0;
  // The synchronous exception being raised (exit kExitTrap): mcause/scause
  // value and the trap value (faulting address, instruction bits).
  uint64_t trap_cause = 0, trap_tval = 0;
  // Wiring, set by the system layer: the platform's mtime (the time CSR).
  uint64_t (*read_mtime)(void* ctx) = nullptr;
  void* mtime_ctx = nullptr;
  bool system_mode = false;
};

// Offsets for the translator (env-relative).
constexpr int32_t xreg_offset(int i) {
  return static_cast<int32_t>(offsetof(RiscvCpu, x) + 8 * i);
}
constexpr int32_t freg_offset(int i) {
  return static_cast<int32_t>(offsetof(RiscvCpu, f) + 8 * i);
}

// TB flags (GuestOps::tb_flags): bits 2:0 are frm. A write to frm or fcsr
// ends its block unchained so the next block is looked up with the new mode.
constexpr uint64_t kTbFlagsFrmMask = 7;

// --- accrued FP exception flags (see RiscvCpu::fflags) ---
// Takes the flags pending in this thread's host FP status and in
// common.host_fp_flags into fflags. Only where the host FP status holds this
// guest's flags: in helpers called from its code, and right after
// exec::cpu_exec returns (linux_user's cpu loop).
void fold_host_fp_flags(RiscvCpu& cpu);
// The guest's fflags outside guest code (after the cpu loop folded them):
// fflags | common.host_fp_flags. Does not touch the host FP status.
uint64_t read_fflags(const RiscvCpu& cpu);
// Sets fflags to v & 0x1f and drops the pending flags in common (the caller
// clears the host FP status when it holds this guest's flags).
void write_fflags(RiscvCpu& cpu, uint64_t v);

// Exit codes of RISC-V blocks (exit_tb), >= ir::kExitGuest. env pc is the pc
// of the instruction that raised them.
enum RiscvExit : uint64_t {
  kExitEcall = 16,           // ecall: system call in user mode
  kExitEbreak = 17,          // ebreak -> SIGTRAP
  kExitIllegal = 18,         // illegal instruction -> SIGILL
  kExitMisalignedAtomic = 19,// misaligned AMO/LR/SC -> SIGBUS
  // System mode only:
  kExitTrap = 20,            // synchronous exception: RiscvCpu::trap_cause/trap_tval
  kExitWfi = 21,             // wfi: sleep until an interrupt is pending (pc = next insn)
  kExitSystem = 22,          // privileged state changed: re-check interrupts, then continue
                             // at pc. (mret, sret and CSR writes end their block with
                             // kExitNormal instead and set exit_request when an interrupt
                             // became takeable: translate_priv.cpp.)
};

// The guest interface used by the execution loop.
const exec::GuestOps& guest_ops();

}  // namespace mimic::riscv
