// RISC-V Sv39/Sv48 translation through memory::SoftMmuHooks (guest/riscv/mmu.h)
// against page tables written into guest RAM (privileged spec 20211203
// §4.3-4.5, §3.1.6.3), and through the softMMU slow paths.
#include <gtest/gtest.h>

#include <csetjmp>
#include <cstdint>

#include "guest/riscv/mmu.h"
#include "ir/ir.h"
#include "riscv_mmu_harness.h"

using namespace mimic;
using namespace mimic::riscv;
using namespace mimic::riscv::test;

namespace {

TEST_F(RiscvMmu, Sv39FourKilobytePage) {
  map(0x400000, leaf(0x80200000, kLeafS));
  TrResult r = tr(0x400123, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80200123u);
  EXPECT_EQ(r.prot, kRWX);
  EXPECT_EQ(r.bits, 12u);
  // The neighbouring page is not mapped.
  expect_fault(0x401000, MmuAccess::kLoad, MmuFault::kPage);
  expect_fault(0x3ff000, MmuAccess::kFetch, MmuFault::kPage);
}

TEST_F(RiscvMmu, BareAndMachineArePhysical) {
  TrResult r = tr(0x80001234, MmuAccess::kStore, kMmuIdxM);  // satp ignored in M
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80001234u);
  EXPECT_EQ(r.prot, kRWX);
  cpu_.satp = 0;  // Bare
  r = tr(0x80005678, MmuAccess::kFetch, kMmuIdxU);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80005678u);
  EXPECT_EQ(r.bits, 12u);
}

TEST_F(RiscvMmu, Superpages) {
  map(0x40000000, leaf(0x80000000, kLeafS), 2);   // 1 GiB
  map(0x200000, leaf(0x80400000, kLeafS), 1);     // 2 MiB
  TrResult r = tr(0x4123abcd, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x8123abcdu);
  EXPECT_EQ(r.bits, 30u);
  r = tr(0x3fffff, MmuAccess::kFetch);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x805fffffu);
  EXPECT_EQ(r.bits, 21u);
  // Misaligned superpages (§4.3.2 step 6) are page faults.
  map(0x600000, leaf(0x80401000, kLeafS), 1);
  expect_fault(0x600000, MmuAccess::kLoad, MmuFault::kPage);
  map(0x80000000, leaf(0x80200000, kLeafS), 2);
  expect_fault(0x80000000, MmuAccess::kLoad, MmuFault::kPage);
}

TEST_F(RiscvMmu, Sv39CanonicalAddresses) {
  map(0xffffffc000001000, leaf(0x80200000, kLeafS));
  TrResult r = tr(0xffffffc000001008, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80200008u);
  // Bits 63:39 must equal bit 38.
  expect_fault(0x0000004000001000, MmuAccess::kLoad, MmuFault::kPage);
  expect_fault(0x7fffffc000001000, MmuAccess::kStore, MmuFault::kPage);
  expect_fault(0xffffff8000001000, MmuAccess::kFetch, MmuFault::kPage);
  // In M mode nothing is translated, so nothing is non-canonical.
  EXPECT_TRUE(tr(0x0000004000001000, MmuAccess::kLoad, kMmuIdxM).ok);
}

TEST_F(RiscvMmu, Sv48) {
  set_mode(kSatpModeSv48, kRoot);
  map(0x00007f0000003000, leaf(0x80300000, kLeafS));
  TrResult r = tr(0x00007f0000003ff8, MmuAccess::kStore);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80300ff8u);
  EXPECT_EQ(r.bits, 12u);
  // A 512 GiB page at level 3 (the upper half) and a 1 GiB page.
  map(0xffff800000000000, leaf(0, kLeafS), 3);
  r = tr(0xffff800080000010, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80000010u);
  EXPECT_EQ(r.bits, 39u);
  map(0x0000000040000000, leaf(0x80000000, kLeafS), 2);
  r = tr(0x0000000040000004, MmuAccess::kFetch);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80000004u);
  EXPECT_EQ(r.bits, 30u);
  // Sv48 canonical form: bits 63:48 equal bit 47; Sv39's rule no longer applies.
  expect_fault(0x0000800000000000, MmuAccess::kLoad, MmuFault::kPage);
  expect_fault(0x7fff800000000000, MmuAccess::kLoad, MmuFault::kPage);
  map(0x0000008000000000, leaf(0x80201000, kLeafS));  // non-canonical in Sv39
  EXPECT_TRUE(tr(0x0000008000000000, MmuAccess::kLoad).ok);
}

TEST_F(RiscvMmu, InvalidAndReservedPtes) {
  uint64_t slot = map(0x1000, 0);
  expect_fault(0x1000, MmuAccess::kLoad, MmuFault::kPage);  // V = 0
  *host(slot) = leaf(0x80200000, kPteV | kPteW | kPteA | kPteD);  // W without R
  expect_fault(0x1000, MmuAccess::kLoad, MmuFault::kPage);
  *host(slot) = leaf(0x80200000, kPteV | kPteW | kPteX | kPteA | kPteD);
  expect_fault(0x1000, MmuAccess::kFetch, MmuFault::kPage);
  for (unsigned bit = 54; bit < 64; ++bit) {  // reserved, PBMT, N
    *host(slot) = leaf(0x80200000, kLeafS) | (uint64_t{1} << bit);
    expect_fault(0x1000, MmuAccess::kLoad, MmuFault::kPage);
  }
  *host(slot) = leaf(0x80200000, kLeafS) | (uint64_t{3} << 8);  // RSW is software's
  EXPECT_TRUE(tr(0x1000, MmuAccess::kLoad).ok);
  // A pointer at level 0 (no leaf found).
  *host(slot) = leaf(0x80200000, kPteV);
  expect_fault(0x1000, MmuAccess::kLoad, MmuFault::kPage);
  // D, A, U are reserved in non-leaf PTEs (§4.4.1).
  uint64_t root_slot = kRoot;  // vpn[2] = 0
  uint64_t ptr = pte_at(root_slot);
  *host(slot) = leaf(0x80200000, kLeafS);
  for (uint64_t bad : {kPteA, kPteD, kPteU}) {
    *host(root_slot) = ptr | bad;
    expect_fault(0x1000, MmuAccess::kLoad, MmuFault::kPage);
  }
  *host(root_slot) = ptr | kPteG;
  EXPECT_TRUE(tr(0x1000, MmuAccess::kLoad).ok);
}

TEST_F(RiscvMmu, PermissionBits) {
  uint64_t slot = map(0x5000, leaf(0x80200000, kPteV | kPteR | kPteA | kPteD));
  TrResult r = tr(0x5000, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.prot, memory::kProtRead);
  expect_fault(0x5000, MmuAccess::kStore, MmuFault::kPage);
  expect_fault(0x5000, MmuAccess::kFetch, MmuFault::kPage);
  // Execute-only: loads fault unless MXR (§3.1.6.3).
  *host(slot) = leaf(0x80200000, kPteV | kPteX | kPteA | kPteD);
  expect_fault(0x5000, MmuAccess::kLoad, MmuFault::kPage);
  r = tr(0x5000, MmuAccess::kFetch);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.prot, memory::kProtExec);
  cpu_.mstatus |= kMstatusMxr;
  r = tr(0x5000, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.prot, memory::kProtRead | memory::kProtExec);
  expect_fault(0x5000, MmuAccess::kStore, MmuFault::kPage);
}

TEST_F(RiscvMmu, UserPagesAndSum) {
  map(0x7000, leaf(0x80200000, kLeafS | kPteU));
  map(0x8000, leaf(0x80201000, kLeafS));
  // U mode: only U pages.
  TrResult r = tr(0x7000, MmuAccess::kFetch, kMmuIdxU);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.prot, kRWX);
  for (auto a : {MmuAccess::kLoad, MmuAccess::kStore, MmuAccess::kFetch}) {
    expect_fault(0x8000, a, MmuFault::kPage, kMmuIdxU);
    // S mode without SUM: no U page at all.
    expect_fault(0x7000, a, MmuFault::kPage, kMmuIdxS);
  }
  // S with SUM: loads and stores, never fetches.
  r = tr(0x7000, MmuAccess::kStore, kMmuIdxSSum);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.prot, memory::kProtRead | memory::kProtWrite);
  expect_fault(0x7000, MmuAccess::kFetch, MmuFault::kPage, kMmuIdxSSum);
  r = tr(0x8000, MmuAccess::kFetch, kMmuIdxSSum);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.prot, kRWX);
}

TEST_F(RiscvMmu, AccessedAndDirtyUpdates) {
  const uint64_t base = leaf(0x80200000, kPteV | kPteR | kPteW | kPteX);
  uint64_t slot = map(0x9000, base);
  // A load sets A only and grants no write permission while D is clear.
  TrResult r = tr(0x9000, MmuAccess::kLoad);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(pte_at(slot), base | kPteA);
  EXPECT_EQ(r.prot, memory::kProtRead | memory::kProtExec);
  // The store that follows sets D and gets write permission.
  r = tr(0x9008, MmuAccess::kStore);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(pte_at(slot), base | kPteA | kPteD);
  EXPECT_EQ(r.prot, kRWX);
  // A fetch sets A only; a store straight away sets both.
  *host(slot) = base;
  ASSERT_TRUE(tr(0x9000, MmuAccess::kFetch).ok);
  EXPECT_EQ(pte_at(slot), base | kPteA);
  *host(slot) = base;
  ASSERT_TRUE(tr(0x9000, MmuAccess::kStore).ok);
  EXPECT_EQ(pte_at(slot), base | kPteA | kPteD);
  // A faulting access leaves the PTE alone.
  const uint64_t ro = leaf(0x80200000, kPteV | kPteR);
  *host(slot) = ro;
  expect_fault(0x9000, MmuAccess::kStore, MmuFault::kPage);
  expect_fault(0x9000, MmuAccess::kLoad, MmuFault::kPage, kMmuIdxU);
  EXPECT_EQ(pte_at(slot), ro);
  // Non-leaf PTEs are never updated.
  EXPECT_EQ(pte_at(kRoot) & (kPteA | kPteD), 0u);
}

TEST_F(RiscvMmu, PageTableOutsideRam) {
  // Root table in MMIO, unmapped, and in ROM.
  cpu_.satp = (kSatpModeSv39 << kSatpModeShift) | (kMmioBase >> 12);
  expect_fault(0x1000, MmuAccess::kLoad, MmuFault::kAccess);
  cpu_.satp = (kSatpModeSv39 << kSatpModeShift) | (0x40000000 >> 12);
  expect_fault(0x1000, MmuAccess::kFetch, MmuFault::kAccess);
  // A level-0 table in ROM: readable; A/D already set works, an update
  // (a store to ROM) is an access fault.
  set_mode(kSatpModeSv39, kRoot);
  map(0x0, 0);  // creates the level-1 table
  uint64_t l1 = ((pte_at(kRoot) >> kPtePpnShift) & kPtePpnMask) << 12;
  *host(l1) = leaf(kRomBase, kPteV);
  uint64_t rom_pte = leaf(0x80200000, kLeafS);
  ASSERT_TRUE(as_.write_rom_or_ram(kRomBase + 8 * 3, &rom_pte, 8));
  TrResult r = tr(0x3010, MmuAccess::kStore);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.pa, 0x80200010u);
  rom_pte = leaf(0x80200000, kPteV | kPteR | kPteW);
  ASSERT_TRUE(as_.write_rom_or_ram(kRomBase + 8 * 3, &rom_pte, 8));
  expect_fault(0x3010, MmuAccess::kLoad, MmuFault::kAccess);
}

TEST_F(RiscvMmu, DebugTranslate) {
  const uint64_t base = leaf(0x80200000, kPteV | kPteR);
  uint64_t slot = map(0xb000, base);
  map(0x200000, leaf(0x80400000, kLeafS | kPteU), 1);
  uint64_t pa = 0;
  ASSERT_TRUE(debug_translate(cpu_, 0xb123, &pa));
  EXPECT_EQ(pa, 0x80200123u);
  EXPECT_EQ(pte_at(slot), base);  // no A update
  ASSERT_TRUE(debug_translate(cpu_, 0x212345, &pa));  // U page from S: still shown
  EXPECT_EQ(pa, 0x80412345u);
  EXPECT_FALSE(debug_translate(cpu_, 0xc000, &pa));
  EXPECT_FALSE(debug_translate(cpu_, 0x0000004000000000, &pa));
  cpu_.priv = 3;
  ASSERT_TRUE(debug_translate(cpu_, 0xc000, &pa));
  EXPECT_EQ(pa, 0xc000u);
}

// Through the softMMU's slow paths (memory/softmmu.cpp): the first store to a
// page filled for a load comes back to set D; faults arrive as guest traps.
TEST_F(RiscvMmu, ThroughSoftMmu) {
  const uint64_t clean = leaf(0x80200000, kPteV | kPteR | kPteW | kPteA);
  const volatile uint64_t slot = map(0xd000, clean);
  map(0xe000, leaf(0x80201000, kPteV | kPteR | kPteA | kPteD));
  const uint32_t dw = static_cast<uint32_t>(ir::memop(3).encode());
  sigjmp_buf env;
  cpu_.common.jmp = &env;
  if (sigsetjmp(env, 0) != 0) {
    cpu_.common.jmp = nullptr;
    FAIL() << "unexpected trap " << cpu_.trap_cause;
  }
  *host(0x80200010) = 0x1122334455667788;
  EXPECT_EQ(memory::softmmu_load(&cpu_.common, 0xd010, dw, kMmuIdxS), 0x1122334455667788u);
  EXPECT_EQ(pte_at(slot), clean);  // A already set, D still clear
  memory::softmmu_store(&cpu_.common, 0xd018, 42, dw, kMmuIdxS);
  EXPECT_EQ(pte_at(slot), clean | kPteD);
  EXPECT_EQ(*host(0x80200018), 42u);
  memory::softmmu_store(&cpu_.common, 0xd020, 43, dw, kMmuIdxS);  // now a TLB hit
  EXPECT_EQ(*host(0x80200020), 43u);
  // A store to a read-only page: store page fault, tval = the address.
  volatile int traps = 0;
  if (sigsetjmp(env, 0) == 0) {
    memory::softmmu_store(&cpu_.common, 0xe008, 1, dw, kMmuIdxS);
    ADD_FAILURE() << "store to a read-only page succeeded";
  } else {
    traps = traps + 1;
    EXPECT_EQ(cpu_.trap_cause, 15u);
    EXPECT_EQ(cpu_.trap_tval, 0xe008u);
  }
  // A load from an S page in U mode: load page fault.
  if (sigsetjmp(env, 0) == 0) {
    memory::softmmu_load(&cpu_.common, 0xe000, dw, kMmuIdxU);
    ADD_FAILURE() << "U load from an S page succeeded";
  } else {
    traps = traps + 1;
    EXPECT_EQ(cpu_.trap_cause, 13u);
    EXPECT_EQ(cpu_.trap_tval, 0xe000u);
  }
  cpu_.common.jmp = nullptr;
  EXPECT_EQ(traps, 2);
  EXPECT_EQ(*host(0x80201008), 0u);
}

}  // namespace
