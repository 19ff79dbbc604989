#pragma once
// Privileged state of the system-mode hart: CSR numbers and bit layouts,
// CSR access with its WARL rules and privilege checks (csr.cpp), trap entry
// and xRET (trap.cpp). RISC-V privileged spec 20211203, ch. 2-4.
//
// These functions work on the RiscvCpu alone (they never raise): the
// translated code calls them through the helpers of translate_priv.cpp,
// which turn a refusal into an illegal-instruction exception. Unit tests
// call them directly.
#include <cstdint>

#include "guest/riscv/cpu.h"
#include "guest/riscv/mmu.h"  // kMstatusSum, kMstatusMxr, kSatp*

namespace mimic::riscv {

// --- CSR numbers (§2.2, tables 2.2-2.6) ---
enum CsrNum : uint16_t {
  kCsrFflags = 0x001, kCsrFrm = 0x002, kCsrFcsr = 0x003,
  kCsrSstatus = 0x100, kCsrSie = 0x104, kCsrStvec = 0x105, kCsrScounteren = 0x106,
  kCsrSenvcfg = 0x10a,
  kCsrSscratch = 0x140, kCsrSepc = 0x141, kCsrScause = 0x142, kCsrStval = 0x143, kCsrSip = 0x144,
  kCsrSatp = 0x180,
  kCsrMstatus = 0x300, kCsrMisa = 0x301, kCsrMedeleg = 0x302, kCsrMideleg = 0x303,
  kCsrMie = 0x304, kCsrMtvec = 0x305, kCsrMcounteren = 0x306, kCsrMenvcfg = 0x30a,
  kCsrMcountinhibit = 0x320, kCsrMhpmevent3 = 0x323, kCsrMhpmevent31 = 0x33f,
  kCsrMscratch = 0x340, kCsrMepc = 0x341, kCsrMcause = 0x342, kCsrMtval = 0x343, kCsrMip = 0x344,
  kCsrPmpcfg0 = 0x3a0, kCsrPmpcfg15 = 0x3af, kCsrPmpaddr0 = 0x3b0, kCsrPmpaddr15 = 0x3bf,
  kCsrPmpaddr63 = 0x3ef,
  kCsrMcycle = 0xb00, kCsrMinstret = 0xb02, kCsrMhpmcounter3 = 0xb03, kCsrMhpmcounter31 = 0xb1f,
  kCsrCycle = 0xc00, kCsrTime = 0xc01, kCsrInstret = 0xc02, kCsrHpmcounter3 = 0xc03,
  kCsrHpmcounter31 = 0xc1f,
  kCsrMvendorid = 0xf11, kCsrMarchid = 0xf12, kCsrMimpid = 0xf13, kCsrMhartid = 0xf14,
  kCsrMconfigptr = 0xf15,
};

// --- mstatus fields (§3.1.6, RV64) ---
constexpr uint64_t kMstatusSie = 1u << 1;
constexpr uint64_t kMstatusMie = 1u << 3;
constexpr uint64_t kMstatusSpie = 1u << 5;
constexpr uint64_t kMstatusMpie = 1u << 7;
constexpr uint64_t kMstatusSpp = 1u << 8;
constexpr unsigned kMstatusMppShift = 11;
constexpr uint64_t kMstatusMpp = uint64_t{3} << kMstatusMppShift;
constexpr unsigned kMstatusFsShift = 13;
constexpr uint64_t kMstatusFs = uint64_t{3} << kMstatusFsShift;
constexpr uint64_t kMstatusMprv = uint64_t{1} << 17;
constexpr uint64_t kMstatusTvm = uint64_t{1} << 20;
constexpr uint64_t kMstatusTw = uint64_t{1} << 21;
constexpr uint64_t kMstatusTsr = uint64_t{1} << 22;
constexpr uint64_t kMstatusUxl = uint64_t{3} << 32;
constexpr uint64_t kMstatusSxl = uint64_t{3} << 34;
constexpr uint64_t kMstatusSd = uint64_t{1} << 63;
// XLEN = 64 in U and S (UXL = SXL = 2, read-only).
constexpr uint64_t kMstatusXlen64 = uint64_t{2} << 32 | uint64_t{2} << 34;

// --- mip/mie bits (§3.1.9) ---
constexpr uint64_t kMipSsip = 1u << 1, kMipMsip = 1u << 3, kMipStip = 1u << 5,
                   kMipMtip = 1u << 7, kMipSeip = 1u << 9, kMipMeip = 1u << 11;
constexpr uint64_t kSupervisorInterrupts = kMipSsip | kMipStip | kMipSeip;
constexpr uint64_t kAllInterrupts = kSupervisorInterrupts | kMipMsip | kMipMtip | kMipMeip;

// misa: MXL = 2 (RV64) and extensions IMAFDC, S, U (§3.1.1).
constexpr uint64_t kMisaRv64gcsu = uint64_t{2} << 62 | 1u << ('A' - 'A') | 1u << ('C' - 'A') |
                                   1u << ('D' - 'A') | 1u << ('F' - 'A') | 1u << ('I' - 'A') |
                                   1u << ('M' - 'A') | 1u << ('S' - 'A') | 1u << ('U' - 'A');

constexpr uint64_t kPrivU = 0, kPrivS = 1, kPrivM = 3;

// --- CSR access (csr.cpp) ---
// What the CSR instruction does to the CSR: csrrw/csrrwi with rd = x0 do
// not read it, csrrs/csrrc with rs1 = x0 and csrrsi/csrrci with zimm = 0 do
// not write it (unprivileged spec §9.1).
enum class CsrOp : uint8_t { kWrite = 0, kSet = 1, kClear = 2 };

// Performs a Zicsr instruction at the current privilege (cpu.priv):
// `insn` is its encoding (funct3 gives the operation, rd/rs1 whether it
// reads/writes, bits 31:20 the CSR), `src` the value of rs1 or the zimm.
// Returns false when the access is illegal (CSR not implemented, privilege
// too low (bits 9:8), write to a read-only CSR (bits 11:10 = 3), counter
// not enabled, TVM, FS = 0); the state is then unchanged. Otherwise stores
// the CSR's old value in *old (0 when not read).
bool csr_execute(RiscvCpu& cpu, uint32_t insn, uint64_t src, uint64_t* old);

// Reads/writes one CSR with the checks above (write: the new whole value,
// WARL-legalised). Side effects of writes: satp and mstatus.MXR changes
// flush the TLB (when a softMMU is attached), FP CSRs set FS dirty.
bool csr_read(RiscvCpu& cpu, uint16_t csr, uint64_t* value);
bool csr_write(RiscvCpu& cpu, uint16_t csr, uint64_t value);

// True for CSRs whose write may enable an interrupt or change translation
// (mstatus, sstatus, mie, sie, mip, sip, mideleg, satp, pmp*): the block ends
// after writing them (kExitNormal; exit_request if an interrupt is now
// pending and enabled, see translate_priv.cpp).
bool csr_write_ends_block(uint16_t csr);

// The value of mip as read: device lines, software bits and the software
// SEIP (RiscvCpu::mip_sw_seip).
inline uint64_t effective_mip(const RiscvCpu& cpu) {
  return cpu.mip.load(std::memory_order_relaxed) | cpu.mip_sw_seip;
}

// mstatus with SD computed from FS (the stored field keeps SD clear).
inline uint64_t read_mstatus(const RiscvCpu& cpu) {
  const uint64_t fs = cpu.mstatus & kMstatusFs;
  return cpu.mstatus | (fs == kMstatusFs ? kMstatusSd : 0);
}

// --- traps (trap.cpp) ---
// Takes a trap: `cause` is the xcause value (bit 63 for interrupts), `tval`
// the trap value, `epc` the pc saved in xepc. Delegates to S through
// medeleg/mideleg when the hart is in S or U (§3.1.8) and updates xcause,
// xepc, xtval, xPP, xPIE, xIE, priv and pc (xtvec; vectored mode only for
// interrupts, §3.1.7). Clears the LR reservation.
void trap_enter(RiscvCpu& cpu, uint64_t cause, uint64_t tval, uint64_t epc);
// mret/sret (§3.3.2): restore privilege from xPP, xIE from xPIE, xPIE = 1,
// xPP = U; MPRV = 0 when the new privilege is below M. Return the new pc
// (mepc/sepc). The caller checks legality (priv, TSR).
uint64_t do_mret(RiscvCpu& cpu);
uint64_t do_sret(RiscvCpu& cpu);
// The interrupt trap_enter would take now (cause number), or -1 if none is
// pending and enabled (§3.1.6.1, §3.1.9 priorities).
int pending_interrupt(const RiscvCpu& cpu);

// The host time counter behind cycle/instret (ns of CLOCK_MONOTONIC).
uint64_t host_cycle_counter();

}  // namespace mimic::riscv
