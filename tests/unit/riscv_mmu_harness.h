#pragma once
// Shared fixture of the RISC-V MMU/PMP unit tests (riscv_mmu_test.cpp,
// riscv_pmp_test.cpp): a RiscvCpu with a softMMU over RAM at 0x80000000,
// a ROM page at 0x1000 and a device at 0x10000000, satp = Sv39 with the
// root table at kRoot, and helpers that write page tables and PMP entries.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "guest/riscv/mmu.h"
#include "guest/riscv/system.h"
#include "memory/address_space.h"
#include "memory/softmmu.h"

namespace mimic::riscv::test {

using memory::MmuAccess;
using memory::MmuFault;

constexpr uint64_t kRamBase = 0x80000000, kRamSize = 32 << 20;
constexpr uint64_t kRomBase = 0x1000, kMmioBase = 0x10000000;
constexpr uint64_t kRoot = 0x80100000;
constexpr unsigned kRWX = memory::kProtRead | memory::kProtWrite | memory::kProtExec;
constexpr uint64_t kLeafS = kPteV | kPteR | kPteW | kPteX | kPteA | kPteD;

struct NullMmio final : memory::MmioOps {
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, uint64_t, unsigned) override {}
};

struct TrResult {
  bool ok = false;
  uint64_t pa = 0;
  unsigned prot = 0, bits = 0;
  MmuFault fault = MmuFault::kMisaligned;
};

class RiscvMmu : public ::testing::Test {
 protected:
  void SetUp() override {
    ram_ = memory::MemoryRegion::make_ram("ram", kRamSize);
    rom_ = memory::MemoryRegion::make_rom("rom", 0x1000);
    mmio_ = memory::MemoryRegion::make_mmio("dev", 0x1000, &dev_);
    ASSERT_TRUE(as_.map(kRamBase, ram_.get()).ok());
    ASSERT_TRUE(as_.map(kRomBase, rom_.get()).ok());
    ASSERT_TRUE(as_.map(kMmioBase, mmio_.get()).ok());
    mmu_ = std::make_unique<memory::SoftMmu>();
    memory::softmmu_attach(&cpu_.common, mmu_.get(), &as_, &riscv_mmu_hooks());
    cpu_.system_mode = true;
    cpu_.priv = 1;
    set_mode(kSatpModeSv39, kRoot);
  }
  void TearDown() override { memory::softmmu_detach(&cpu_.common); }

  void set_mode(uint64_t mode, uint64_t root) {
    levels_ = mode == kSatpModeSv48 ? 4 : 3;
    cpu_.satp = (mode << kSatpModeShift) | (root >> 12);
    next_table_ = root + 0x1000;
  }
  uint64_t* host(uint64_t pa) { return reinterpret_cast<uint64_t*>(ram_->host() + (pa - kRamBase)); }
  uint64_t pte_at(uint64_t pa) { return *host(pa); }
  static uint64_t leaf(uint64_t pa, uint64_t flags) { return ((pa >> 12) << kPtePpnShift) | flags; }

  // Maps vaddr with a leaf PTE at `level` (0: 4 KiB), creating tables;
  // returns the leaf PTE's physical address.
  uint64_t map(uint64_t vaddr, uint64_t pte, int level = 0) {
    uint64_t table = (cpu_.satp & kSatpPpnMask) << 12;
    for (int i = levels_ - 1;; --i) {
      uint64_t slot = table + ((vaddr >> (12 + 9 * i)) & 511) * 8;
      if (i == level) {
        *host(slot) = pte;
        return slot;
      }
      if (!(*host(slot) & kPteV)) {
        *host(slot) = leaf(next_table_, kPteV);
        next_table_ += 0x1000;
      }
      table = ((*host(slot) >> kPtePpnShift) & kPtePpnMask) << 12;
    }
  }

  TrResult tr(uint64_t vaddr, MmuAccess access, unsigned idx = kMmuIdxS) {
    TrResult r;
    r.ok = riscv_mmu_hooks().translate(&cpu_.common, vaddr, access, idx, &r.pa, &r.prot, &r.bits,
                                       &r.fault);
    return r;
  }
  // Expects a fault of `kind` for the access.
  void expect_fault(uint64_t vaddr, MmuAccess access, MmuFault kind, unsigned idx = kMmuIdxS) {
    TrResult r = tr(vaddr, access, idx);
    EXPECT_FALSE(r.ok) << std::hex << vaddr << " access " << int(access) << " idx " << idx;
    if (!r.ok) {
      EXPECT_EQ(r.fault, kind) << std::hex << vaddr;
    }
  }
  // Address first: a locked configuration would ignore it.
  void set_pmp(int i, uint8_t cfg, uint64_t addr) {
    pmpaddr_write(cpu_, i, addr);
    uint64_t v = cpu_.pmpcfg[i >> 3];
    v &= ~(uint64_t{0xff} << (8 * (i & 7)));
    v |= uint64_t{cfg} << (8 * (i & 7));
    pmpcfg_write(cpu_, (i >> 3) * 2, v);
  }
  static uint64_t napot(uint64_t base, uint64_t size) { return (base >> 2) | ((size >> 3) - 1); }
  static uint8_t cfg(PmpMode mode, uint8_t perms) {
    return static_cast<uint8_t>(perms | (mode << kPmpAShift));
  }

  NullMmio dev_;
  std::unique_ptr<memory::MemoryRegion> ram_, rom_, mmio_;
  memory::AddressSpace as_;
  std::unique_ptr<memory::SoftMmu> mmu_;
  RiscvCpu cpu_;
  int levels_ = 3;
  uint64_t next_table_ = 0;
};

}  // namespace mimic::riscv::test
