#pragma once
// Test scaffolding for the softMMU tests: a physical address space with RAM,
// ROM and a recording MMIO device, and a fake guest MMU (SoftMmuHooks): a
// table of virtual ranges mapped to physical ones with permissions and an
// emulated dirty bit; raise() records the fault and leaves through
// exec::raise_exit with kFaultExit.
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <map>
#include <tuple>
#include <vector>

#include "exec/cpu.h"
#include "ir/ir.h"
#include "memory/address_space.h"
#include "memory/softmmu.h"

namespace mimic::test {

using memory::MmuAccess;
using memory::MmuFault;

constexpr uint64_t kRamBase = 0x80000000, kRamSize = 0x40000;
constexpr uint64_t kRomBase = 0x1000, kRomSize = 0x2000;
constexpr uint64_t kMmioBase = 0x10000000, kMmioSize = 0x1000;
constexpr uint64_t kFaultExit = ir::kExitGuest + 5;

struct RecordingDevice final : memory::MmioOps {
  std::vector<std::tuple<bool, uint64_t, uint64_t, unsigned>> log;  // write?, offset, value, size
  uint64_t read(uint64_t off, unsigned size) override {
    uint64_t v = 0xa0a1a2a3a4a5a6a7ull + off;
    log.emplace_back(false, off, v, size);
    return v;
  }
  void write(uint64_t off, uint64_t v, unsigned size) override { log.emplace_back(true, off, v, size); }
};

struct Mapping {
  uint64_t paddr;
  unsigned prot;
  unsigned page_bits = 12;
  bool dirty = true;  // false: store permission only after a store translation
};

struct FakeGuest {
  exec::CpuCommon cpu;  // first

  memory::SoftMmu mmu;
  std::unique_ptr<memory::MemoryRegion> ram = memory::MemoryRegion::make_ram("ram", kRamSize);
  std::unique_ptr<memory::MemoryRegion> rom = memory::MemoryRegion::make_rom("rom", kRomSize);
  RecordingDevice dev;
  std::unique_ptr<memory::MemoryRegion> mmio = memory::MemoryRegion::make_mmio("dev", kMmioSize, &dev);
  memory::AddressSpace as;
  std::map<uint64_t, Mapping> table;  // by virtual base
  // Observations.
  int translations = 0;
  MmuAccess last_access = MmuAccess::kLoad;
  bool raised = false;
  uint64_t fault_vaddr = 0;
  MmuAccess fault_access = MmuAccess::kLoad;
  MmuFault fault = MmuFault::kPage;

  // cpu is the first member (as a guest's CpuCommon is).
  static FakeGuest* self(exec::CpuCommon* cpu) { return reinterpret_cast<FakeGuest*>(cpu); }
  static bool translate(exec::CpuCommon* cpu, uint64_t vaddr, MmuAccess access, unsigned mmu_idx,
                        uint64_t* paddr, unsigned* prot, unsigned* page_bits, MmuFault* fault) {
    FakeGuest* g = self(cpu);
    g->translations++;
    g->last_access = access;
    for (auto& [vbase, m] : g->table) {
      const uint64_t size = uint64_t{1} << m.page_bits;
      if (vaddr - vbase >= size) continue;
      const unsigned need = access == MmuAccess::kLoad ? memory::kProtRead
                            : access == MmuAccess::kStore ? memory::kProtWrite
                                                          : memory::kProtExec;
      if (!(m.prot & need)) break;
      if (access == MmuAccess::kStore) m.dirty = true;
      *paddr = m.paddr + (vaddr - vbase);
      *prot = m.dirty ? m.prot : (m.prot & ~memory::kProtWrite);
      *page_bits = m.page_bits;
      return true;
    }
    *fault = MmuFault::kPage;
    return false;
  }
  [[noreturn]] static void raise(exec::CpuCommon* cpu, uint64_t vaddr, MmuAccess access, MmuFault fault) {
    FakeGuest* g = self(cpu);
    g->raised = true;
    g->fault_vaddr = vaddr;
    g->fault_access = access;
    g->fault = fault;
    exec::raise_exit(cpu, kFaultExit);
  }
  // Uncached translations (page_bits < 12) are valid for [paddr, paddr +
  // 2^page_bits) of the mapping only (like a PMP region).
  static bool check_physical(exec::CpuCommon* cpu, uint64_t paddr, unsigned size, MmuAccess, unsigned) {
    FakeGuest* g = self(cpu);
    g->physical_checks++;
    for (auto& [vbase, m] : g->table) {
      const uint64_t bytes = uint64_t{1} << m.page_bits;
      if (m.page_bits < 12 && paddr - m.paddr < bytes) return paddr - m.paddr + size <= bytes;
    }
    return true;
  }
  int physical_checks = 0;
  static constexpr memory::SoftMmuHooks kHooks = {translate, raise, check_physical};

  FakeGuest() {
    EXPECT_TRUE(as.map(kRamBase, ram.get()).ok());
    EXPECT_TRUE(as.map(kRomBase, rom.get()).ok());
    EXPECT_TRUE(as.map(kMmioBase, mmio.get()).ok());
    memory::softmmu_attach(&cpu, &mmu, &as, &kHooks);
  }
  ~FakeGuest() { memory::softmmu_detach(&cpu); }
  FakeGuest(const FakeGuest&) = delete;
  FakeGuest& operator=(const FakeGuest&) = delete;

  void map(uint64_t vbase, uint64_t pbase, unsigned prot, unsigned page_bits = 12, bool dirty = true) {
    table[vbase] = Mapping{pbase, prot, page_bits, dirty};
  }
  uint8_t* ram_at(uint64_t pa) { return ram->host() + (pa - kRamBase); }
  const memory::TlbEntry& entry(unsigned idx, uint64_t vaddr) { return mmu.tlb[idx][memory::tlb_index(vaddr)]; }
};

// Runs fn with cpu->jmp set; true if it left through raise_exit. fn must hold
// no objects with destructors across the raise.
template <typename F>
__attribute__((noinline)) bool raises(exec::CpuCommon* cpu, F&& fn) {
  sigjmp_buf jb;
  if (sigsetjmp(jb, 0) != 0) {
    cpu->jmp = nullptr;
    return true;
  }
  cpu->jmp = &jb;
  fn();
  cpu->jmp = nullptr;
  return false;
}

constexpr unsigned kRWX = memory::kProtRead | memory::kProtWrite | memory::kProtExec;
constexpr unsigned kRW = memory::kProtRead | memory::kProtWrite;
constexpr unsigned kRX = memory::kProtRead | memory::kProtExec;

}  // namespace mimic::test
