// The softMMU slow paths driven directly (memory/softmmu.h): TLB fill and
// hits, dirty-bit refills, misaligned and page-crossing accesses, RAM/ROM/
// MMIO dispatch, faults, uncached translations, flushes (superpages
// included), atomics, instruction fetch and debugger reads.
#include <gtest/gtest.h>

#include "softmmu_harness.h"

namespace mimic {
namespace {

using namespace test;
using memory::kTlbMmio;
using memory::kTlbInvalid;
using memory::softmmu_load;
using memory::softmmu_store;

constexpr uint32_t kLd8 = 3, kLd4s = 2 | 4, kLd1 = 0;

TEST(SoftMmuAccess, RamFillThenHit) {
  FakeGuest g;
  g.map(0x4000, kRamBase + 0x3000, kRW);
  softmmu_store(&g.cpu, 0x4010, 0x1122334455667788ull, 3, 1);
  EXPECT_EQ(g.translations, 1);
  uint64_t v;
  std::memcpy(&v, g.ram_at(kRamBase + 0x3010), 8);
  EXPECT_EQ(v, 0x1122334455667788ull);
  // The entry now hits inline for loads and stores at index 1 only.
  const auto& e = g.entry(1, 0x4010);
  EXPECT_EQ(0x4010 & memory::tlb_compare_mask(3), e.addr_read);
  EXPECT_EQ(0x4010 & memory::tlb_compare_mask(3), e.addr_write);
  EXPECT_EQ(e.addr_code, kTlbInvalid);  // no execute permission
  EXPECT_EQ(reinterpret_cast<uint8_t*>(0x4010 + e.addend), g.ram_at(kRamBase + 0x3010));
  EXPECT_EQ(g.entry(0, 0x4010).addr_read, kTlbInvalid);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4014, kLd4s, 1), 0x11223344u);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4017, kLd4s, 1), 0x11u);
  EXPECT_EQ(g.translations, 1);
  // Misaligned loads inside the page miss inline and are done by the slow path.
  EXPECT_NE(0x4013 & memory::tlb_compare_mask(3), e.addr_read);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4013, kLd8, 1), 0x0000001122334455ull);
}

TEST(SoftMmuAccess, StoreToCleanPageRefillsForDirty) {
  FakeGuest g;
  g.map(0x4000, kRamBase, kRW, 12, /*dirty=*/false);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4000, kLd8, 1), 0u);
  EXPECT_EQ(g.entry(1, 0x4000).addr_write, kTlbInvalid);  // no W until dirty
  softmmu_store(&g.cpu, 0x4008, 7, 3, 1);
  EXPECT_EQ(g.translations, 2);
  EXPECT_EQ(g.last_access, MmuAccess::kStore);
  EXPECT_EQ(g.entry(1, 0x4000).addr_write, 0x4000u);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4008, kLd8, 1), 7u);
}

TEST(SoftMmuAccess, AlignedMemOpRaisesMisaligned) {
  FakeGuest g;
  g.map(0x4000, kRamBase, kRW);
  const uint32_t aligned8 = ir::memop(3, false, true).encode();
  EXPECT_TRUE(raises(&g.cpu, [&] { softmmu_load(&g.cpu, 0x4004, aligned8, 1); }));
  EXPECT_EQ(g.fault, MmuFault::kMisaligned);
  EXPECT_EQ(g.fault_vaddr, 0x4004u);
  EXPECT_EQ(g.cpu.exception, kFaultExit);
  EXPECT_FALSE(raises(&g.cpu, [&] { softmmu_load(&g.cpu, 0x4008, aligned8, 1); }));
}

TEST(SoftMmuAccess, PageCrossingLoadAndStoreUseBothTranslations) {
  FakeGuest g;
  // Virtually adjacent, physically apart and in reverse order.
  g.map(0x4000, kRamBase + 0x9000, kRW);
  g.map(0x5000, kRamBase + 0x2000, kRW);
  softmmu_store(&g.cpu, 0x4ffd, 0x8877665544332211ull, 3, 0);
  EXPECT_EQ(g.ram_at(kRamBase + 0x9ffd)[0], 0x11);
  EXPECT_EQ(g.ram_at(kRamBase + 0x9fff)[0], 0x33);
  EXPECT_EQ(g.ram_at(kRamBase + 0x2000)[0], 0x44);
  EXPECT_EQ(g.ram_at(kRamBase + 0x2004)[0], 0x88);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4ffd, kLd8, 0), 0x8877665544332211ull);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4fff, 1 | 4, 0), 0x4433u);  // 2-byte crossing
}

TEST(SoftMmuAccess, PageCrossingStoreFaultOnSecondPageWritesNothing) {
  FakeGuest g;
  g.map(0x4000, kRamBase, kRW);
  g.map(0x5000, kRamBase + 0x1000, memory::kProtRead);  // read-only
  EXPECT_TRUE(raises(&g.cpu, [&] { softmmu_store(&g.cpu, 0x4ffe, 0xffffffff, 2, 0); }));
  EXPECT_EQ(g.fault, MmuFault::kPage);
  EXPECT_EQ(g.fault_access, MmuAccess::kStore);
  EXPECT_EQ(g.fault_vaddr, 0x5000u);  // the part that faulted
  EXPECT_EQ(g.ram_at(kRamBase + 0xffe)[0], 0);
  EXPECT_EQ(g.ram_at(kRamBase + 0xfff)[0], 0);
  // An unmapped second page faults for loads too.
  EXPECT_TRUE(raises(&g.cpu, [&] { softmmu_load(&g.cpu, 0x5ffc, kLd8, 0); }));
  EXPECT_EQ(g.fault_vaddr, 0x6000u);
  EXPECT_EQ(g.fault_access, MmuAccess::kLoad);
}

TEST(SoftMmuAccess, MmioIsDispatchedNeverCachedDirect) {
  FakeGuest g;
  g.map(0x7000, kMmioBase, kRWX);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x7010, 2, 1), (0xa0a1a2a3a4a5a6a7ull + 0x10) & 0xffffffff);
  softmmu_store(&g.cpu, 0x7020, 0xdead, 1, 1);
  ASSERT_EQ(g.dev.log.size(), 2u);
  EXPECT_EQ(g.dev.log[0], std::make_tuple(false, uint64_t{0x10}, 0xa0a1a2a3a4a5a6a7ull + 0x10, 4u));
  EXPECT_EQ(g.dev.log[1], std::make_tuple(true, uint64_t{0x20}, uint64_t{0xdead}, 2u));
  const auto& e = g.entry(1, 0x7000);
  EXPECT_EQ(e.addr_read, 0x7000 | kTlbMmio);
  EXPECT_EQ(e.addr_write, 0x7000 | kTlbMmio);
  EXPECT_EQ(e.addr_code, kTlbInvalid);
  EXPECT_EQ(g.translations, 1);  // the second access used the entry
  // Fetch from a device: access fault (raising and probing).
  uint64_t pa = 0;
  EXPECT_EQ(memory::softmmu_probe_code(&g.cpu, 0x7000, 1, &pa), nullptr);
  EXPECT_TRUE(raises(&g.cpu, [&] { memory::softmmu_code_ptr(&g.cpu, 0x7000, 1, &pa); }));
  EXPECT_EQ(g.fault, MmuFault::kAccess);
  EXPECT_EQ(g.fault_access, MmuAccess::kFetch);
  // Atomics on devices: access fault.
  EXPECT_TRUE(raises(&g.cpu, [&] { memory::softmmu_atomic_host(&g.cpu, 0x7008, 3, 1); }));
  EXPECT_EQ(g.fault, MmuFault::kAccess);
  EXPECT_EQ(g.fault_access, MmuAccess::kStore);
}

TEST(SoftMmuAccess, CrossingFromRamIntoMmioSplitsBytewise) {
  FakeGuest g;
  g.map(0x6000, kRamBase, kRW);
  g.map(0x7000, kMmioBase, kRW);
  std::memset(g.ram_at(kRamBase + 0xffd), 0x5a, 3);
  const uint64_t v = softmmu_load(&g.cpu, 0x6ffd, kLd8, 0);
  ASSERT_EQ(g.dev.log.size(), 5u);  // 5 one-byte device reads
  for (unsigned k = 0; k < 5; k++) {
    EXPECT_EQ(std::get<1>(g.dev.log[k]), k);
    EXPECT_EQ(std::get<3>(g.dev.log[k]), 1u);
  }
  uint64_t want = 0x5a5a5a;
  for (unsigned k = 0; k < 5; k++) want |= ((0xa0a1a2a3a4a5a6a7ull + k) & 0xff) << (8 * (3 + k));
  EXPECT_EQ(v, want);
}

TEST(SoftMmuAccess, RomReadsInlineWritesIgnored) {
  FakeGuest g;
  g.map(0x1000, kRomBase, kRWX);
  g.rom->host()[0x10] = 0x42;
  EXPECT_EQ(softmmu_load(&g.cpu, 0x1010, kLd1, 3), 0x42u);
  const auto& e = g.entry(3, 0x1000);
  EXPECT_EQ(e.addr_read, 0x1000u);
  EXPECT_EQ(e.addr_code, 0x1000u);
  EXPECT_EQ(e.addr_write, 0x1000 | kTlbMmio);
  softmmu_store(&g.cpu, 0x1010, 0x99, 0, 3);
  EXPECT_EQ(g.rom->host()[0x10], 0x42);
  uint64_t pa = 0;
  const uint8_t* p = memory::softmmu_code_ptr(&g.cpu, 0x1010, 3, &pa);
  EXPECT_EQ(p, g.rom->host() + 0x10);
  EXPECT_EQ(pa, kRomBase + 0x10);
  EXPECT_TRUE(raises(&g.cpu, [&] { memory::softmmu_atomic_host(&g.cpu, 0x1010, 2, 3); }));
  EXPECT_EQ(g.fault, MmuFault::kAccess);
}

TEST(SoftMmuAccess, UnmappedPhysicalIsAccessFault) {
  FakeGuest g;
  g.map(0x3000, 0x40000000, kRWX);  // nothing there
  EXPECT_TRUE(raises(&g.cpu, [&] { softmmu_load(&g.cpu, 0x3008, kLd8, 2); }));
  EXPECT_EQ(g.fault, MmuFault::kAccess);
  EXPECT_EQ(g.fault_vaddr, 0x3008u);
  EXPECT_TRUE(raises(&g.cpu, [&] { softmmu_store(&g.cpu, 0x3008, 1, 3, 2); }));
  EXPECT_EQ(g.fault_access, MmuAccess::kStore);
  EXPECT_EQ(g.fault, MmuFault::kAccess);
  // Unmapped virtual: the hook's page fault.
  EXPECT_TRUE(raises(&g.cpu, [&] { softmmu_load(&g.cpu, 0x9000, kLd8, 2); }));
  EXPECT_EQ(g.fault, MmuFault::kPage);
}

TEST(SoftMmuAccess, SmallTranslationsAreNotCached) {
  FakeGuest g;
  g.map(0x4000, kRamBase, kRW, /*page_bits=*/2);  // e.g. a 4-byte PMP region
  softmmu_store(&g.cpu, 0x4000, 0xabcd, 2, 0);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4000, 2, 0), 0xabcdu);
  EXPECT_EQ(g.translations, 2);
  EXPECT_EQ(g.physical_checks, 2);
  EXPECT_EQ(g.entry(0, 0x4000).addr_read, kTlbInvalid);
  // An access only partly inside the small region: the guest's
  // check_physical refuses it, an access fault at the access's address.
  EXPECT_TRUE(raises(&g.cpu, [&] { softmmu_store(&g.cpu, 0x4002, 0xffff, 2, 0); }));
  EXPECT_EQ(g.fault, MmuFault::kAccess);
  EXPECT_EQ(g.fault_access, MmuAccess::kStore);
  EXPECT_EQ(g.fault_vaddr, 0x4002u);
  EXPECT_EQ(softmmu_load(&g.cpu, 0x4000, 2, 0), 0xabcdu);  // unchanged
}

TEST(SoftMmuAccess, FlushPageAndFlushAll) {
  FakeGuest g;
  g.map(0x4000, kRamBase, kRW);
  g.map(0x5000, kRamBase + 0x1000, kRW);
  softmmu_load(&g.cpu, 0x4000, kLd8, 0);
  softmmu_load(&g.cpu, 0x4000, kLd8, 2);
  softmmu_load(&g.cpu, 0x5000, kLd8, 0);
  memory::tlb_flush_page(&g.cpu, 0x4abc);
  EXPECT_EQ(g.entry(0, 0x4000).addr_read, kTlbInvalid);
  EXPECT_EQ(g.entry(2, 0x4000).addr_read, kTlbInvalid);  // every MMU index
  EXPECT_EQ(g.entry(0, 0x5000).addr_read, 0x5000u);      // other pages stay
  // An entry at the same index for another page is not flushed either.
  g.map(0x104000, kRamBase + 0x2000, kRW);
  softmmu_load(&g.cpu, 0x104000, kLd8, 0);
  memory::tlb_flush_page(&g.cpu, 0x4000);
  EXPECT_EQ(g.entry(0, 0x104000).addr_read, 0x104000u);
  memory::tlb_flush(&g.cpu);
  EXPECT_EQ(g.entry(0, 0x5000).addr_read, kTlbInvalid);
  EXPECT_EQ(g.entry(0, 0x104000).addr_read, kTlbInvalid);
}

TEST(SoftMmuAccess, FlushPageInsideSuperpageFlushesEverything) {
  FakeGuest g;
  g.map(0x200000, kRamBase, kRW, /*page_bits=*/21);  // 2 MiB, within 256 KiB of RAM only at the start
  g.map(0x9000, kRamBase + 0x1000, kRW);
  softmmu_load(&g.cpu, 0x200008, kLd8, 1);
  softmmu_load(&g.cpu, 0x9000, kLd8, 1);
  EXPECT_EQ(g.mmu.large_lo, 0x200000u);
  EXPECT_EQ(g.mmu.large_hi, 0x3fffffu);
  // A page of the superpage other than the one filled: everything goes.
  memory::tlb_flush_page(&g.cpu, 0x3ff000);
  EXPECT_EQ(g.entry(1, 0x200000).addr_read, kTlbInvalid);
  EXPECT_EQ(g.entry(1, 0x9000).addr_read, kTlbInvalid);
  EXPECT_GT(g.mmu.large_lo, g.mmu.large_hi);  // range reset
  // Outside the range: only that page.
  softmmu_load(&g.cpu, 0x200008, kLd8, 1);
  softmmu_load(&g.cpu, 0x9000, kLd8, 1);
  memory::tlb_flush_page(&g.cpu, 0x5000);
  EXPECT_EQ(g.entry(1, 0x200000).addr_read, 0x200000u);
  EXPECT_EQ(g.entry(1, 0x9000).addr_read, 0x9000u);
}

TEST(SoftMmuAccess, AtomicHost) {
  FakeGuest g;
  g.map(0x4000, kRamBase + 0x5000, kRW, 12, /*dirty=*/false);
  softmmu_load(&g.cpu, 0x4000, kLd8, 1);  // filled clean: no W yet
  uint8_t* p = memory::softmmu_atomic_host(&g.cpu, 0x4010, 3, 1);
  EXPECT_EQ(p, g.ram_at(kRamBase + 0x5010));
  EXPECT_EQ(g.last_access, MmuAccess::kStore);  // made dirty
  EXPECT_TRUE(raises(&g.cpu, [&] { memory::softmmu_atomic_host(&g.cpu, 0x4014, 3, 1); }));
  EXPECT_EQ(g.fault, MmuFault::kMisaligned);
  EXPECT_EQ(g.fault_access, MmuAccess::kStore);
  g.map(0x8000, kRamBase, memory::kProtRead);
  EXPECT_TRUE(raises(&g.cpu, [&] { memory::softmmu_atomic_host(&g.cpu, 0x8000, 2, 1); }));
  EXPECT_EQ(g.fault, MmuFault::kPage);
}

TEST(SoftMmuAccess, CodePtrAndReadVirtual) {
  FakeGuest g;
  g.map(0x10000, kRamBase + 0x7000, kRX);
  g.map(0x11000, kRamBase + 0x3000, kRW);  // not executable
  uint64_t pa = 0;
  const uint8_t* p = memory::softmmu_code_ptr(&g.cpu, 0x10ffc, 0, &pa);
  EXPECT_EQ(p, g.ram_at(kRamBase + 0x7ffc));
  EXPECT_EQ(pa, kRamBase + 0x7ffc);
  EXPECT_EQ(memory::softmmu_probe_code(&g.cpu, 0x11000, 0, &pa), nullptr);
  EXPECT_FALSE(g.raised);
  EXPECT_TRUE(raises(&g.cpu, [&] { memory::softmmu_code_ptr(&g.cpu, 0x11000, 0, &pa); }));
  EXPECT_EQ(g.fault, MmuFault::kPage);
  EXPECT_EQ(g.fault_access, MmuAccess::kFetch);
  std::memcpy(g.ram_at(kRamBase + 0x7ffe), "ab", 2);
  std::memcpy(g.ram_at(kRamBase + 0x3000), "cd", 2);
  char buf[4] = {};
  EXPECT_TRUE(memory::softmmu_read_virtual(&g.cpu, 0x10ffe, buf, 4, 0));
  EXPECT_EQ(std::string(buf, 4), "abcd");
  EXPECT_FALSE(memory::softmmu_read_virtual(&g.cpu, 0x11ffe, buf, 4, 0));
}

TEST(SoftMmuAccess, AddressSpaceCodeBits) {
  FakeGuest g;
  EXPECT_FALSE(g.as.is_code_page(kRamBase + 0x5000));
  g.as.set_code_page(kRamBase + 0x5123, true);
  EXPECT_TRUE(g.as.is_code_page(kRamBase + 0x5fff));
  EXPECT_FALSE(g.as.is_code_page(kRamBase + 0x6000));
  EXPECT_TRUE(g.as.range_has_code(kRamBase, 0x5001));
  EXPECT_FALSE(g.as.range_has_code(kRamBase, 0x5000));
  EXPECT_FALSE(g.as.range_has_code(kRamBase + 0x6000, kRamSize - 0x6000));
  g.as.set_code_page(kRamBase + 0x5000, false);
  EXPECT_FALSE(g.as.range_has_code(kRamBase, kRamSize));
  g.as.set_code_page(kMmioBase, true);  // no effect on devices
  EXPECT_FALSE(g.as.is_code_page(kMmioBase));
}

}  // namespace
}  // namespace mimic
