// RISC-V PMP (guest/riscv/mmu.h, privileged spec 20211203 §3.7): matching,
// priority, locking, CSR write rules, PMP in the page-table walk; and the
// raise hook (exception causes).
#include <gtest/gtest.h>

#include <csetjmp>
#include <cstdint>

#include "guest/riscv/mmu.h"
#include "riscv_mmu_harness.h"

using namespace mimic;
using namespace mimic::riscv;
using namespace mimic::riscv::test;

namespace {

using RiscvPmp = RiscvMmu;

TEST_F(RiscvPmp, PmpOnPageTableAndTarget) {
  uint64_t slot = map(0xa000, leaf(0x80200000, kPteV | kPteR | kPteW));
  // S may use [0x80200000, +4K) read-only, everything else RWX, but the
  // page tables (0x80100000, +64K) not at all.
  set_pmp(0, cfg(kPmpNapot, 0), napot(0x80100000, 0x10000));
  set_pmp(1, cfg(kPmpNapot, kPmpR), napot(0x80200000, 0x1000));
  set_pmp(2, cfg(kPmpNapot, kPmpR | kPmpW | kPmpX), napot(0, uint64_t{1} << 56));
  expect_fault(0xa000, MmuAccess::kLoad, MmuFault::kAccess);
  // Page tables readable but not writable: the A update fails.
  set_pmp(0, cfg(kPmpNapot, kPmpR), napot(0x80100000, 0x10000));
  expect_fault(0xa000, MmuAccess::kStore, MmuFault::kAccess);
  EXPECT_EQ(pte_at(slot) & kPteA, 0u);
  set_pmp(0, cfg(kPmpNapot, kPmpR | kPmpW), napot(0x80100000, 0x10000));
  // Now the walk succeeds; PMP on the target: loads only.
  TrResult r = tr(0xa000, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.prot, memory::kProtRead);
  EXPECT_EQ(r.bits, 12u);
  expect_fault(0xa000, MmuAccess::kStore, MmuFault::kAccess);  // PTE allows, PMP does not
  // A page fault comes before PMP on the target.
  expect_fault(0xa000, MmuAccess::kFetch, MmuFault::kPage);
}

TEST_F(RiscvPmp, PmpMatching) {
  // No entry configured: everything allowed.
  EXPECT_TRUE(pmp_check(cpu_, 0x80000000, 8, MmuAccess::kStore, false));
  // TOR [0, 0x80000000) RX for S/U; NA4 at 0x80000100 R; NAPOT 64K at
  // 0x80010000 RW.
  set_pmp(0, cfg(kPmpTor, kPmpR | kPmpX), 0x80000000 >> 2);
  set_pmp(1, cfg(kPmpNa4, kPmpR), 0x80000100 >> 2);
  set_pmp(2, cfg(kPmpNapot, kPmpR | kPmpW), napot(0x80010000, 0x10000));
  EXPECT_TRUE(pmp_check(cpu_, 0x1000, 4, MmuAccess::kFetch, false));
  EXPECT_FALSE(pmp_check(cpu_, 0x1000, 4, MmuAccess::kStore, false));
  EXPECT_TRUE(pmp_check(cpu_, 0x7ffffff8, 8, MmuAccess::kLoad, false));
  EXPECT_TRUE(pmp_check(cpu_, 0x80000100, 4, MmuAccess::kLoad, false));
  EXPECT_FALSE(pmp_check(cpu_, 0x80000100, 4, MmuAccess::kFetch, false));
  EXPECT_FALSE(pmp_check(cpu_, 0x80000104, 1, MmuAccess::kLoad, false));  // no match, S
  EXPECT_TRUE(pmp_check(cpu_, 0x80000104, 1, MmuAccess::kStore, true));   // no match, M
  EXPECT_TRUE(pmp_check(cpu_, 0x8001fff8, 8, MmuAccess::kStore, false));
  EXPECT_FALSE(pmp_check(cpu_, 0x80020000, 8, MmuAccess::kLoad, false));
  // Unlocked entries do not restrict M mode.
  EXPECT_TRUE(pmp_check(cpu_, 0x1000, 4, MmuAccess::kStore, true));
  // Partial matches fail, whatever the permissions on both sides.
  EXPECT_FALSE(pmp_check(cpu_, 0x7ffffffc, 8, MmuAccess::kLoad, false));
  EXPECT_FALSE(pmp_check(cpu_, 0x7ffffffc, 8, MmuAccess::kLoad, true));
  EXPECT_FALSE(pmp_check(cpu_, 0x800000fc, 8, MmuAccess::kLoad, true));
  EXPECT_FALSE(pmp_check(cpu_, 0x8001fffc, 8, MmuAccess::kLoad, true));
  // Priority: the lowest-numbered matching entry decides.
  set_pmp(3, cfg(kPmpNapot, kPmpR | kPmpW | kPmpX), napot(0, uint64_t{1} << 40));
  EXPECT_FALSE(pmp_check(cpu_, 0x1000, 4, MmuAccess::kStore, false));  // entry 0 wins
  EXPECT_TRUE(pmp_check(cpu_, 0x80000104, 1, MmuAccess::kStore, false));
  // TOR with lo >= hi matches nothing; entry 4's bottom is pmpaddr3.
  set_pmp(4, cfg(kPmpTor, 0), 0x10);
  EXPECT_TRUE(pmp_check(cpu_, 0x80000104, 1, MmuAccess::kStore, false));
  // Locked entries apply to M mode.
  set_pmp(5, cfg(kPmpNa4, kPmpR | kPmpL), 0x90000000 >> 2);
  set_pmp(3, 0, 0);
  EXPECT_TRUE(pmp_check(cpu_, 0x90000000, 4, MmuAccess::kLoad, true));
  EXPECT_FALSE(pmp_check(cpu_, 0x90000000, 4, MmuAccess::kStore, true));
  EXPECT_FALSE(pmp_check(cpu_, 0x90000000, 4, MmuAccess::kFetch, true));
  EXPECT_FALSE(pmp_check(cpu_, 0x8ffffffe, 4, MmuAccess::kLoad, true));  // partial
  // Entries 8-15 live in pmpcfg2.
  set_pmp(12, cfg(kPmpNa4, kPmpX), 0xa0000000 >> 2);
  EXPECT_EQ(cpu_.pmpcfg[1] >> 32 & 0xff, cfg(kPmpNa4, kPmpX));
  EXPECT_TRUE(pmp_check(cpu_, 0xa0000000, 2, MmuAccess::kFetch, false));
  EXPECT_FALSE(pmp_check(cpu_, 0xa0000000, 2, MmuAccess::kLoad, false));
  // The full-space NAPOT (all 54 address bits set).
  pmpcfg_write(cpu_, 0, 0);
  pmpcfg_write(cpu_, 2, 0);
  set_pmp(0, cfg(kPmpNapot, kPmpR), ~uint64_t{0});
  EXPECT_TRUE(pmp_check(cpu_, 0xfffffffffff000, 8, MmuAccess::kLoad, false));
  EXPECT_FALSE(pmp_check(cpu_, 0xfffffffffff000, 8, MmuAccess::kStore, false));
}

TEST_F(RiscvPmp, PmpSmallerThanPageIsNotCached) {
  cpu_.satp = 0;
  set_pmp(0, cfg(kPmpNa4, kPmpR), 0x80000100 >> 2);
  set_pmp(1, cfg(kPmpNapot, kPmpR | kPmpW | kPmpX), napot(0, uint64_t{1} << 40));
  TrResult r = tr(0x80000104, MmuAccess::kStore, kMmuIdxS);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.bits, 0u);
  EXPECT_EQ(r.prot, kRWX);
  r = tr(0x80000100, MmuAccess::kLoad, kMmuIdxS);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.bits, 0u);
  EXPECT_EQ(r.prot, memory::kProtRead);
  expect_fault(0x80000100, MmuAccess::kStore, MmuFault::kAccess);
  // Other pages: cached with the covering entry's permissions.
  r = tr(0x80001000, MmuAccess::kLoad, kMmuIdxS);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.bits, 12u);
  // check_physical sees the whole access: 8 bytes over the NA4 boundary.
  auto check = riscv_mmu_hooks().check_physical;
  ASSERT_NE(check, nullptr);
  EXPECT_TRUE(check(&cpu_.common, 0x80000100, 4, MmuAccess::kLoad, kMmuIdxS));
  EXPECT_FALSE(check(&cpu_.common, 0x800000fc, 8, MmuAccess::kLoad, kMmuIdxS));
  EXPECT_FALSE(check(&cpu_.common, 0x800000fc, 8, MmuAccess::kLoad, kMmuIdxM));
  EXPECT_TRUE(check(&cpu_.common, 0x800000f8, 8, MmuAccess::kStore, kMmuIdxS));
}

TEST_F(RiscvPmp, PmpCsrWriteRules) {
  // Bits 6:5 read as zero; R=0,W=1 keeps the entry's old configuration.
  pmpcfg_write(cpu_, 0, 0x6f | (uint64_t{cfg(kPmpNapot, kPmpR)} << 8));
  EXPECT_EQ(cpu_.pmpcfg[0], 0x0fu | (uint64_t{cfg(kPmpNapot, kPmpR)} << 8));
  pmpcfg_write(cpu_, 0, 0x0a | (uint64_t{cfg(kPmpTor, kPmpW)} << 8));
  EXPECT_EQ(cpu_.pmpcfg[0], 0x0fu | (uint64_t{cfg(kPmpNapot, kPmpR)} << 8));
  // pmpaddr holds 54 bits.
  pmpaddr_write(cpu_, 7, ~uint64_t{0});
  EXPECT_EQ(pmpaddr_read(cpu_, 7), kPmpAddrMask);
  // Locking entry 2 as TOR freezes cfg2, pmpaddr2 and pmpaddr1 (§3.7.1).
  pmpaddr_write(cpu_, 1, 0x100);
  pmpaddr_write(cpu_, 2, 0x200);
  pmpcfg_write(cpu_, 0, uint64_t{cfg(kPmpTor, kPmpR | kPmpL)} << 16);
  pmpaddr_write(cpu_, 1, 0x111);
  pmpaddr_write(cpu_, 2, 0x222);
  pmpaddr_write(cpu_, 3, 0x333);
  EXPECT_EQ(pmpaddr_read(cpu_, 1), 0x100u);
  EXPECT_EQ(pmpaddr_read(cpu_, 2), 0x200u);
  EXPECT_EQ(pmpaddr_read(cpu_, 3), 0x333u);
  pmpcfg_write(cpu_, 0, 0);
  EXPECT_EQ(cpu_.pmpcfg[0], uint64_t{cfg(kPmpTor, kPmpR | kPmpL)} << 16);
  // A locked NAPOT entry does not protect the previous address.
  pmpcfg_write(cpu_, 2, uint64_t{cfg(kPmpNapot, kPmpL)} << 8);  // entry 9
  pmpaddr_write(cpu_, 8, 0x888);
  pmpaddr_write(cpu_, 9, 0x999);
  EXPECT_EQ(pmpaddr_read(cpu_, 8), 0x888u);
  EXPECT_EQ(pmpaddr_read(cpu_, 9), 0u);
  // Writes flush the TLB.
  mmu_->tlb[kMmuIdxS][3].addr_read = 0x3000;
  pmpaddr_write(cpu_, 10, 0x1);
  EXPECT_EQ(mmu_->tlb[kMmuIdxS][3].addr_read, memory::kTlbInvalid);
  mmu_->tlb[kMmuIdxU][4].addr_code = 0x4000;
  pmpcfg_write(cpu_, 0, 0);
  EXPECT_EQ(mmu_->tlb[kMmuIdxU][4].addr_code, memory::kTlbInvalid);
}

TEST_F(RiscvPmp, RaiseSetsCauseAndTval) {
  struct Case {
    MmuAccess access;
    MmuFault fault;
    uint64_t cause;
  };
  const Case cases[] = {
      {MmuAccess::kFetch, MmuFault::kPage, 12},      {MmuAccess::kLoad, MmuFault::kPage, 13},
      {MmuAccess::kStore, MmuFault::kPage, 15},      {MmuAccess::kFetch, MmuFault::kAccess, 1},
      {MmuAccess::kLoad, MmuFault::kAccess, 5},      {MmuAccess::kStore, MmuFault::kAccess, 7},
      {MmuAccess::kFetch, MmuFault::kMisaligned, 0}, {MmuAccess::kLoad, MmuFault::kMisaligned, 4},
      {MmuAccess::kStore, MmuFault::kMisaligned, 6},
  };
  for (const Case& c : cases) {
    sigjmp_buf env;
    cpu_.common.jmp = &env;
    cpu_.common.insn_pc = 0x80001000;
    cpu_.trap_cause = 99;
    if (sigsetjmp(env, 0) == 0) {
      riscv_mmu_hooks().raise(&cpu_.common, 0xdead0000 + c.cause, c.access, c.fault);
      ADD_FAILURE() << "raise returned";
    }
    cpu_.common.jmp = nullptr;
    EXPECT_EQ(cpu_.trap_cause, c.cause);
    EXPECT_EQ(cpu_.trap_tval, 0xdead0000 + c.cause);
    EXPECT_EQ(cpu_.common.exception, uint64_t{kExitTrap});
    EXPECT_EQ(cpu_.common.pc, 0x80001000u);
  }
}

}  // namespace
