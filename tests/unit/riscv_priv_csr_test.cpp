// System-mode CSRs (guest/riscv/csr.h): WARL legalisation, privilege and
// read-only checks, counter enables, TVM, FS, the mip/sip software bits and
// the SEIP OR rule (RISC-V privileged spec 20211203 ch. 2-4).
#include <gtest/gtest.h>

#include "guest/riscv/csr.h"
#include "guest/riscv/system.h"

namespace mimic::riscv {
namespace {

struct Hart {
  RiscvCpu cpu;
  Hart() {
    cpu.system_mode = true;
    hart_reset(cpu, 0x1000);
  }
  uint64_t read(uint16_t csr) {
    uint64_t v = 0xdeadbeef;
    EXPECT_TRUE(csr_read(cpu, csr, &v)) << std::hex << csr;
    return v;
  }
  void write(uint16_t csr, uint64_t v) { EXPECT_TRUE(csr_write(cpu, csr, v)) << std::hex << csr; }
  bool can_read(uint16_t csr) {
    uint64_t v;
    return csr_read(cpu, csr, &v);
  }
};

// csrrs rd, csr, rs1 (funct3 2) / csrrw (1) / csrrc (3) encodings.
uint32_t csr_insn(unsigned funct3, uint16_t csr, unsigned rd, unsigned rs1) {
  return static_cast<uint32_t>(csr) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x73;
}

TEST(RiscvPrivCsr, ResetState) {
  Hart h;
  EXPECT_EQ(h.cpu.priv, kPrivM);
  EXPECT_EQ(h.cpu.common.pc, 0x1000u);
  // RV64 IMAFDC + S + U; UXL = SXL = 2, FS Off, MIE = MPRV = 0.
  EXPECT_EQ(h.read(kCsrMisa), 0x800000000014112dull);
  EXPECT_EQ(h.read(kCsrMstatus), 0xa00000000ull);
}

TEST(RiscvPrivCsr, MstatusWarl) {
  Hart h;
  h.write(kCsrMstatus, ~uint64_t{0});
  // Writable: SIE MIE SPIE MPIE SPP MPP FS MPRV SUM MXR TVM TW TSR; SD = FS==3.
  EXPECT_EQ(h.read(kCsrMstatus), 0x80000000007e79aaull | 0xa00000000ull);
  // MPP = 2 is reserved: the field keeps its value (3), the rest is written.
  h.write(kCsrMstatus, uint64_t{2} << 11 | kMstatusSie);
  EXPECT_EQ(h.read(kCsrMstatus), 0xa00000000ull | uint64_t{3} << 11 | kMstatusSie);
  h.write(kCsrMstatus, uint64_t{1} << 11);
  EXPECT_EQ((h.read(kCsrMstatus) >> 11) & 3, 1u);
  // SD follows FS only when FS = Dirty.
  h.write(kCsrMstatus, uint64_t{2} << 13);
  EXPECT_EQ(h.read(kCsrMstatus) >> 63, 0u);
}

TEST(RiscvPrivCsr, SstatusIsAView) {
  Hart h;
  h.write(kCsrMstatus, kMstatusMie | kMstatusTsr | kMstatusSie | (uint64_t{3} << 13));
  // sstatus: SIE SPIE SPP FS SUM MXR UXL SD; machine bits invisible.
  EXPECT_EQ(h.read(kCsrSstatus), 0x8000000200006002ull);
  h.write(kCsrSstatus, 0);
  // Machine bits kept; S bits cleared.
  EXPECT_EQ(h.read(kCsrMstatus), 0xa00000000ull | kMstatusMie | kMstatusTsr);
  h.write(kCsrSstatus, ~uint64_t{0});
  EXPECT_EQ(h.read(kCsrMstatus) & 0xffffffffu, kMstatusMie | kMstatusTsr | 0xc6122u);
}

TEST(RiscvPrivCsr, DelegationMasks) {
  Hart h;
  h.write(kCsrMedeleg, ~uint64_t{0});
  EXPECT_EQ(h.read(kCsrMedeleg), 0xb3ffu);  // not 11 (ecall from M), 10, 14
  h.write(kCsrMideleg, ~uint64_t{0});
  EXPECT_EQ(h.read(kCsrMideleg), 0x222u);  // SSI, STI, SEI
}

TEST(RiscvPrivCsr, InterruptEnableAndPending) {
  Hart h;
  h.write(kCsrMie, ~uint64_t{0});
  EXPECT_EQ(h.read(kCsrMie), 0xaaau);
  EXPECT_EQ(h.read(kCsrSie), 0u);  // nothing delegated: sie reads zero
  h.write(kCsrMideleg, kMipSsip | kMipStip);
  EXPECT_EQ(h.read(kCsrSie), 0x22u);
  h.write(kCsrSie, 0);
  EXPECT_EQ(h.read(kCsrMie), 0xaaau & ~0x22u);

  // mip from M: SSIP, STIP, SEIP writable; MSIP/MTIP/MEIP are device lines.
  h.write(kCsrMip, ~uint64_t{0});
  EXPECT_EQ(h.read(kCsrMip), 0x222u);
  h.cpu.mip.fetch_or(kMipMtip);
  EXPECT_EQ(h.read(kCsrMip), 0x2a2u);
  h.write(kCsrMip, 0);
  EXPECT_EQ(h.read(kCsrMip), kMipMtip);  // writing 0 does not clear MTIP
  // sip: SSIP writable when delegated; STIP visible but read-only.
  h.write(kCsrMip, kMipStip);
  h.write(kCsrSip, kMipSsip | kMipStip | kMipSeip);
  EXPECT_EQ(h.read(kCsrSip), kMipSsip | kMipStip);
  h.write(kCsrSip, 0);
  EXPECT_EQ(h.read(kCsrSip), kMipStip);
}

TEST(RiscvPrivCsr, SeipIsOrOfSoftwareAndPlic) {
  Hart h;
  h.cpu.mip.fetch_or(kMipSeip);  // PLIC line high
  EXPECT_EQ(h.read(kCsrMip) & kMipSeip, kMipSeip);
  // csrrc mip, SEIP acts on the software bit only: the line stays visible.
  uint64_t old = 0;
  EXPECT_TRUE(csr_execute(h.cpu, csr_insn(3, kCsrMip, 10, 11), kMipSeip, &old));
  EXPECT_EQ(old & kMipSeip, kMipSeip);
  EXPECT_EQ(h.read(kCsrMip) & kMipSeip, kMipSeip);
  EXPECT_EQ(h.cpu.mip_sw_seip, 0u);
  h.cpu.mip.fetch_and(~kMipSeip);  // line low
  EXPECT_EQ(h.read(kCsrMip) & kMipSeip, 0u);
  EXPECT_TRUE(csr_execute(h.cpu, csr_insn(2, kCsrMip, 0, 11), kMipSeip, &old));
  EXPECT_EQ(h.read(kCsrMip) & kMipSeip, kMipSeip);  // software bit
  EXPECT_EQ(h.cpu.mip.load() & kMipSeip, 0u);       // not the line
}

TEST(RiscvPrivCsr, TvecEpcWarl) {
  Hart h;
  h.write(kCsrMtvec, 0x80001001);
  EXPECT_EQ(h.read(kCsrMtvec), 0x80001001u);
  h.write(kCsrMtvec, 0x80002002);  // reserved mode: write ignored
  EXPECT_EQ(h.read(kCsrMtvec), 0x80001001u);
  h.write(kCsrStvec, 0x80003000);
  EXPECT_EQ(h.read(kCsrStvec), 0x80003000u);
  h.write(kCsrMepc, 0x80000003);
  EXPECT_EQ(h.read(kCsrMepc), 0x80000002u);
  h.write(kCsrSepc, ~uint64_t{0});
  EXPECT_EQ(h.read(kCsrSepc), ~uint64_t{1});
}

TEST(RiscvPrivCsr, Satp) {
  Hart h;
  const uint64_t sv39 = uint64_t{8} << 60 | uint64_t{0x1234} << 44 | 0x80123;
  h.write(kCsrSatp, sv39);
  EXPECT_EQ(h.read(kCsrSatp), sv39);
  h.write(kCsrSatp, uint64_t{10} << 60 | 0x80555);  // Sv57: not supported, ignored
  EXPECT_EQ(h.read(kCsrSatp), sv39);
  h.write(kCsrSatp, uint64_t{9} << 60 | 5);  // Sv48
  EXPECT_EQ(h.read(kCsrSatp), uint64_t{9} << 60 | 5);
  // S mode: allowed unless TVM.
  h.cpu.priv = kPrivS;
  EXPECT_TRUE(h.can_read(kCsrSatp));
  h.cpu.mstatus |= kMstatusTvm;
  EXPECT_FALSE(h.can_read(kCsrSatp));
  EXPECT_FALSE(csr_write(h.cpu, kCsrSatp, 0));
  h.cpu.priv = kPrivM;
  EXPECT_TRUE(h.can_read(kCsrSatp));  // TVM does not apply to M
}

TEST(RiscvPrivCsr, PrivilegeAndReadOnly) {
  Hart h;
  h.cpu.mhartid = 5;
  EXPECT_EQ(h.read(kCsrMhartid), 5u);
  EXPECT_FALSE(csr_write(h.cpu, kCsrMhartid, 1));  // bits 11:10 = 3
  EXPECT_FALSE(csr_write(h.cpu, kCsrCycle, 1));
  EXPECT_FALSE(h.can_read(0x7c0));                 // not implemented
  EXPECT_FALSE(h.can_read(0x3a1));                 // pmpcfg1 does not exist on RV64
  EXPECT_EQ(h.read(0x3a4), 0u);                    // pmpcfg4: read-only zero
  EXPECT_EQ(h.read(0x3c0), 0u);                    // pmpaddr16
  EXPECT_EQ(h.read(kCsrMhpmcounter3), 0u);
  h.write(kCsrMhpmcounter3, 7);
  EXPECT_EQ(h.read(kCsrMhpmcounter3), 0u);
  h.cpu.priv = kPrivS;
  EXPECT_FALSE(h.can_read(kCsrMstatus));
  EXPECT_FALSE(h.can_read(kCsrMhartid));
  EXPECT_TRUE(h.can_read(kCsrSstatus));
  h.cpu.priv = kPrivU;
  EXPECT_FALSE(h.can_read(kCsrSstatus));
  EXPECT_FALSE(h.can_read(kCsrSscratch));

  // csr_execute: csrrs with rs1 = x0 only reads (legal on read-only CSRs);
  // csrrw to one is illegal even with rd = x0; refusals change nothing.
  h.cpu.priv = kPrivM;
  uint64_t old = 0;
  EXPECT_TRUE(csr_execute(h.cpu, csr_insn(2, kCsrMhartid, 10, 0), 0, &old));
  EXPECT_EQ(old, 5u);
  EXPECT_FALSE(csr_execute(h.cpu, csr_insn(1, kCsrMhartid, 0, 10), 1, &old));
  EXPECT_FALSE(csr_execute(h.cpu, csr_insn(2, kCsrMhartid, 10, 11), 1, &old));
  // csrrw sscratch, then csrrc / csrrs.
  EXPECT_TRUE(csr_execute(h.cpu, csr_insn(1, kCsrSscratch, 0, 10), 0xf0f0, &old));
  EXPECT_TRUE(csr_execute(h.cpu, csr_insn(3, kCsrSscratch, 10, 11), 0x00f0, &old));
  EXPECT_EQ(old, 0xf0f0u);
  EXPECT_TRUE(csr_execute(h.cpu, csr_insn(2, kCsrSscratch, 10, 11), 0x1, &old));
  EXPECT_EQ(old, 0xf000u);
  EXPECT_EQ(h.read(kCsrSscratch), 0xf001u);
}

uint64_t fake_mtime(void* ctx) { return *static_cast<uint64_t*>(ctx); }

TEST(RiscvPrivCsr, CounterEnables) {
  Hart h;
  uint64_t now = 123456;
  h.cpu.read_mtime = &fake_mtime;
  h.cpu.mtime_ctx = &now;
  EXPECT_EQ(h.read(kCsrTime), 123456u);
  h.cpu.priv = kPrivS;
  EXPECT_FALSE(h.can_read(kCsrTime));
  EXPECT_FALSE(h.can_read(kCsrCycle));
  h.cpu.mcounteren = 2;  // TM
  EXPECT_TRUE(h.can_read(kCsrTime));
  EXPECT_FALSE(h.can_read(kCsrCycle));
  h.cpu.priv = kPrivU;
  EXPECT_FALSE(h.can_read(kCsrTime));  // needs scounteren too
  h.cpu.scounteren = 2;
  EXPECT_TRUE(h.can_read(kCsrTime));
  h.cpu.mcounteren = 0;
  EXPECT_FALSE(h.can_read(kCsrTime));
  // mcycle is writable; cycle follows it.
  h.cpu.priv = kPrivM;
  h.write(kCsrMcycle, uint64_t{1} << 60);
  EXPECT_GE(h.read(kCsrCycle), uint64_t{1} << 60);
  EXPECT_LT(h.read(kCsrCycle), (uint64_t{1} << 60) + 1000000000u);
  h.write(kCsrMcounteren, ~uint64_t{0});
  EXPECT_EQ(h.read(kCsrMcounteren), 0xffffffffu);
}

TEST(RiscvPrivCsr, FpCsrsNeedFs) {
  Hart h;
  EXPECT_FALSE(h.can_read(kCsrFflags));
  EXPECT_FALSE(csr_write(h.cpu, kCsrFrm, 1));
  h.write(kCsrMstatus, uint64_t{1} << 13);  // FS Initial
  h.write(kCsrFrm, 3);
  EXPECT_EQ(h.cpu.frm, 3u);
  EXPECT_EQ(h.read(kCsrMstatus) & kMstatusFs, kMstatusFs);  // now Dirty
  EXPECT_EQ(h.read(kCsrMstatus) >> 63, 1u);
  h.write(kCsrFcsr, 0x4 << 5 | 0x11);
  EXPECT_EQ(h.read(kCsrFrm), 4u);
  EXPECT_EQ(h.read(kCsrFflags) & 0x11, 0x11u);
}

TEST(RiscvPrivCsr, WriteEndsBlock) {
  EXPECT_TRUE(csr_write_ends_block(kCsrMstatus));
  EXPECT_TRUE(csr_write_ends_block(kCsrSatp));
  EXPECT_TRUE(csr_write_ends_block(kCsrSip));
  EXPECT_TRUE(csr_write_ends_block(0x3b3));
  EXPECT_FALSE(csr_write_ends_block(kCsrSscratch));
  EXPECT_FALSE(csr_write_ends_block(kCsrMepc));
}

}  // namespace
}  // namespace mimic::riscv
