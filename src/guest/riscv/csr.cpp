// CSR access in system mode: privilege checks and WARL rules (RISC-V
// privileged spec 20211203: §2.1 CSR address conventions, ch. 3 machine-level
// CSRs, ch. 4 supervisor-level CSRs; unprivileged spec 20191213 ch. 9-11 for
// Zicsr, the counters and fcsr).
#include <ctime>

#include "exec/host_fp.h"
#include "guest/riscv/csr.h"
#include "guest/riscv/mmu.h"
#include "memory/softmmu.h"

namespace mimic::riscv {
namespace {

// sstatus is a restricted view of mstatus (§4.1.1).
constexpr uint64_t kSstatusWritable =
    kMstatusSie | kMstatusSpie | kMstatusSpp | kMstatusFs | kMstatusSum | kMstatusMxr;
constexpr uint64_t kSstatusReadable = kSstatusWritable | kMstatusUxl | kMstatusSd;
// UBE/SBE/MBE (little-endian only), VS and XS (no such state) are zero;
// UXL/SXL read-only 2.
constexpr uint64_t kMstatusWritable = kSstatusWritable | kMstatusMie | kMstatusMpie |
                                      kMstatusMpp | kMstatusMprv | kMstatusTvm | kMstatusTw |
                                      kMstatusTsr;
// medeleg: every synchronous cause except 11 (ecall from M cannot be
// delegated: medeleg[11] is read-only zero, §3.1.8) and the reserved 10, 14.
constexpr uint64_t kMedelegWritable = 0xb3ff;
// menvcfg/senvcfg: only FIOM is implemented (every fence is already a full
// fence); CBIE/CBCFE/CBZE/PBMTE/STCE are read-only zero (§3.1.18, §4.1.9).
constexpr uint64_t kEnvcfgFiom = 1;
// mcountinhibit: CY and IR (bit 1 is read-only zero; no hpm counters).
constexpr uint64_t kMcountinhibitWritable = 0x5;

void flush_tlb(RiscvCpu& cpu) {
  if (cpu.common.softmmu != nullptr) memory::tlb_flush(&cpu.common);
}

void write_mstatus(RiscvCpu& cpu, uint64_t v, uint64_t writable) {
  const uint64_t old = cpu.mstatus;
  uint64_t nv = (old & ~writable) | (v & writable);
  // MPP is WARL over {U, S, M}: the reserved value 2 leaves it unchanged.
  if (((nv & kMstatusMpp) >> kMstatusMppShift) == 2) nv = (nv & ~kMstatusMpp) | (old & kMstatusMpp);
  cpu.mstatus = (nv & ~kMstatusSd) | kMstatusXlen64;  // SD is computed on reads
  // MXR changes the meaning of every cached translation (system.h).
  if ((old ^ cpu.mstatus) & kMstatusMxr) flush_tlb(cpu);
}

// mtvec/stvec: MODE 0 direct, 1 vectored; >= 2 reserved: such a write is
// ignored (WARL, §3.1.7). BASE is 4-byte aligned by construction.
void write_tvec(uint64_t& tvec, uint64_t v) {
  if ((v & 3) < 2) tvec = v;
}

uint64_t read_time(const RiscvCpu& cpu) {
  if (cpu.read_mtime != nullptr) return cpu.read_mtime(cpu.mtime_ctx);
  return host_cycle_counter() / 100;  // 10 MHz, as the virt machine's timebase
}

bool is_fp_csr(uint16_t csr) { return csr == kCsrFflags || csr == kCsrFrm || csr == kCsrFcsr; }

// Checks that do not depend on the kind of access: privilege (bits 9:8,
// §2.1), FS for the FP CSRs, counter enables (§3.1.11, §4.1.5), TVM for satp
// (§3.1.6.5). Unimplemented CSRs are refused by the switches below.
bool accessible(const RiscvCpu& cpu, uint16_t csr) {
  if (cpu.priv < ((csr >> 8) & 3u)) return false;
  if (is_fp_csr(csr)) return (cpu.mstatus & kMstatusFs) != 0;
  if (csr >= kCsrCycle && csr <= kCsrHpmcounter31) {
    const unsigned bit = csr & 31u;
    if (cpu.priv < kPrivM && !((cpu.mcounteren >> bit) & 1)) return false;
    if (cpu.priv < kPrivS && !((cpu.scounteren >> bit) & 1)) return false;
  }
  if (csr == kCsrSatp && cpu.priv == kPrivS && (cpu.mstatus & kMstatusTvm)) return false;
  return true;
}

bool read_only(uint16_t csr) { return (csr >> 10) == 3; }

}  // namespace

uint64_t host_cycle_counter() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

bool csr_read(RiscvCpu& cpu, uint16_t csr, uint64_t* value) {
  if (!accessible(cpu, csr)) return false;
  uint64_t v = 0;
  switch (csr) {
    case kCsrFflags: v = read_fflags(cpu) | exec::peek_host_fp_flags(); break;
    case kCsrFrm: v = cpu.frm; break;
    case kCsrFcsr: v = cpu.frm << 5 | read_fflags(cpu) | exec::peek_host_fp_flags(); break;
    case kCsrSstatus: v = read_mstatus(cpu) & kSstatusReadable; break;
    case kCsrSie: v = cpu.mie & cpu.mideleg; break;
    case kCsrStvec: v = cpu.stvec; break;
    case kCsrScounteren: v = cpu.scounteren; break;
    case kCsrSenvcfg: v = cpu.senvcfg; break;
    case kCsrSscratch: v = cpu.sscratch; break;
    case kCsrSepc: v = cpu.sepc; break;
    case kCsrScause: v = cpu.scause; break;
    case kCsrStval: v = cpu.stval; break;
    case kCsrSip: v = effective_mip(cpu) & cpu.mideleg; break;
    case kCsrSatp: v = cpu.satp; break;
    case kCsrMstatus: v = read_mstatus(cpu); break;
    case kCsrMisa: v = cpu.misa; break;
    case kCsrMedeleg: v = cpu.medeleg; break;
    case kCsrMideleg: v = cpu.mideleg; break;
    case kCsrMie: v = cpu.mie; break;
    case kCsrMtvec: v = cpu.mtvec; break;
    case kCsrMcounteren: v = cpu.mcounteren; break;
    case kCsrMenvcfg: v = cpu.menvcfg; break;
    case kCsrMcountinhibit: v = cpu.mcountinhibit; break;
    case kCsrMscratch: v = cpu.mscratch; break;
    case kCsrMepc: v = cpu.mepc; break;
    case kCsrMcause: v = cpu.mcause; break;
    case kCsrMtval: v = cpu.mtval; break;
    case kCsrMip: v = effective_mip(cpu); break;
    case kCsrMcycle: case kCsrCycle: v = host_cycle_counter() + cpu.mcycle_offset; break;
    case kCsrMinstret: case kCsrInstret: v = host_cycle_counter() + cpu.minstret_offset; break;
    case kCsrTime: v = read_time(cpu); break;
    case kCsrMvendorid: case kCsrMarchid: case kCsrMimpid: case kCsrMconfigptr: v = 0; break;
    case kCsrMhartid: v = cpu.mhartid; break;
    default:
      if (csr >= kCsrPmpcfg0 && csr <= kCsrPmpcfg15) {
        const unsigned n = csr - kCsrPmpcfg0;
        if (n & 1) return false;  // RV64: odd pmpcfg registers do not exist (§3.7.1)
        v = n < 4 ? cpu.pmpcfg[n / 2] : 0;
      } else if (csr >= kCsrPmpaddr0 && csr <= kCsrPmpaddr63) {
        const int i = csr - kCsrPmpaddr0;
        v = i < kPmpEntries ? pmpaddr_read(cpu, i) : 0;
      } else if ((csr >= kCsrMhpmcounter3 && csr <= kCsrMhpmcounter31) ||
                 (csr >= kCsrHpmcounter3 && csr <= kCsrHpmcounter31) ||
                 (csr >= kCsrMhpmevent3 && csr <= kCsrMhpmevent31)) {
        v = 0;  // no hardware performance monitor: read-only zero (§3.1.10)
      } else {
        return false;
      }
  }
  *value = v;
  return true;
}

bool csr_write(RiscvCpu& cpu, uint16_t csr, uint64_t v) {
  if (read_only(csr) || !accessible(cpu, csr)) return false;
  switch (csr) {
    case kCsrFflags:
      exec::clear_host_fp_flags();
      write_fflags(cpu, v);
      cpu.mstatus |= kMstatusFs;  // FS = Dirty (§3.1.6.6)
      break;
    case kCsrFrm:
      cpu.frm = v & 7;
      cpu.mstatus |= kMstatusFs;
      break;
    case kCsrFcsr:
      exec::clear_host_fp_flags();
      write_fflags(cpu, v);
      cpu.frm = (v >> 5) & 7;
      cpu.mstatus |= kMstatusFs;
      break;
    case kCsrSstatus: write_mstatus(cpu, v, kSstatusWritable); break;
    case kCsrSie:
      cpu.mie = (cpu.mie & ~cpu.mideleg) | (v & cpu.mideleg);
      break;
    case kCsrStvec: write_tvec(cpu.stvec, v); break;
    case kCsrScounteren: cpu.scounteren = v & 0xffffffffu; break;
    case kCsrSenvcfg: cpu.senvcfg = v & kEnvcfgFiom; break;
    case kCsrSscratch: cpu.sscratch = v; break;
    case kCsrSepc: cpu.sepc = v & ~uint64_t{1}; break;
    case kCsrScause: cpu.scause = v; break;
    case kCsrStval: cpu.stval = v; break;
    case kCsrSip: {
      // Only SSIP is writable through sip, and only when delegated (§4.1.3).
      const uint64_t mask = kMipSsip & cpu.mideleg;
      cpu.mip.fetch_and(~(mask & ~v));
      cpu.mip.fetch_or(v & mask);
      break;
    }
    case kCsrSatp: {
      // Unsupported modes: the whole write has no effect (§4.1.11).
      const uint64_t mode = v >> kSatpModeShift;
      if (mode != kSatpModeBare && mode != kSatpModeSv39 && mode != kSatpModeSv48) break;
      cpu.satp = v;
      flush_tlb(cpu);
      break;
    }
    case kCsrMstatus: write_mstatus(cpu, v, kMstatusWritable); break;
    case kCsrMisa: break;  // WARL: the extensions cannot be turned off
    case kCsrMedeleg: cpu.medeleg = v & kMedelegWritable; break;
    case kCsrMideleg: cpu.mideleg = v & kSupervisorInterrupts; break;
    case kCsrMie: cpu.mie = v & kAllInterrupts; break;
    case kCsrMtvec: write_tvec(cpu.mtvec, v); break;
    case kCsrMcounteren: cpu.mcounteren = v & 0xffffffffu; break;
    case kCsrMenvcfg: cpu.menvcfg = v & kEnvcfgFiom; break;
    case kCsrMcountinhibit: cpu.mcountinhibit = v & kMcountinhibitWritable; break;
    case kCsrMscratch: cpu.mscratch = v; break;
    case kCsrMepc: cpu.mepc = v & ~uint64_t{1}; break;
    case kCsrMcause: cpu.mcause = v; break;
    case kCsrMtval: cpu.mtval = v; break;
    case kCsrMip: {
      // Software-writable from M: SSIP, STIP, and SEIP (kept apart from the
      // PLIC's line, §3.1.9). MSIP, MTIP, MEIP are read-only here.
      constexpr uint64_t mask = kMipSsip | kMipStip;
      cpu.mip.fetch_and(~(mask & ~v));
      cpu.mip.fetch_or(v & mask);
      cpu.mip_sw_seip = v & kMipSeip;
      break;
    }
    case kCsrMcycle: cpu.mcycle_offset = v - host_cycle_counter(); break;
    case kCsrMinstret: cpu.minstret_offset = v - host_cycle_counter(); break;
    default:
      if (csr >= kCsrPmpcfg0 && csr <= kCsrPmpcfg15) {
        const unsigned n = csr - kCsrPmpcfg0;
        if (n & 1) return false;
        if (n < 4) pmpcfg_write(cpu, static_cast<int>(n), v);
      } else if (csr >= kCsrPmpaddr0 && csr <= kCsrPmpaddr63) {
        const int i = csr - kCsrPmpaddr0;
        if (i < kPmpEntries) pmpaddr_write(cpu, i, v);
      } else if ((csr >= kCsrMhpmcounter3 && csr <= kCsrMhpmcounter31) ||
                 (csr >= kCsrMhpmevent3 && csr <= kCsrMhpmevent31)) {
        // read-only zero
      } else {
        return false;
      }
  }
  return true;
}

bool csr_execute(RiscvCpu& cpu, uint32_t insn, uint64_t src, uint64_t* old) {
  const auto csr = static_cast<uint16_t>(insn >> 20);
  const unsigned funct3 = (insn >> 12) & 7;
  const unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
  if ((funct3 & 3) == 0) return false;  // not a Zicsr encoding
  const auto op = static_cast<CsrOp>((funct3 & 3) - 1);
  const bool writes = op == CsrOp::kWrite || rs1 != 0;
  const bool reads = op != CsrOp::kWrite || rd != 0;
  if (writes && read_only(csr)) return false;
  uint64_t v = 0;
  // Reads have no side effects, so a refused write after them leaves the
  // state unchanged.
  if (reads && !csr_read(cpu, csr, &v)) return false;
  if (writes) {
    // csrrs/csrrc on mip modify the software-writable SEIP, not the OR
    // with the PLIC's line that a read returns (§3.1.9).
    const uint64_t base = csr == kCsrMip ? (v & ~kMipSeip) | cpu.mip_sw_seip : v;
    uint64_t nv = src;
    if (op == CsrOp::kSet) nv = base | src;
    if (op == CsrOp::kClear) nv = base & ~src;
    if (!csr_write(cpu, csr, nv)) return false;
  }
  *old = v;
  return true;
}

bool csr_write_ends_block(uint16_t csr) {
  switch (csr) {
    case kCsrMstatus: case kCsrSstatus: case kCsrMie: case kCsrSie: case kCsrMip:
    case kCsrSip: case kCsrMideleg: case kCsrSatp:
      return true;
    default:
      return (csr >= kCsrPmpcfg0 && csr <= kCsrPmpcfg15) ||
             (csr >= kCsrPmpaddr0 && csr <= kCsrPmpaddr63);
  }
}

}  // namespace mimic::riscv
