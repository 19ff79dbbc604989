// RISC-V Sv39/Sv48 page-table walk and the softMMU hooks (privileged spec
// 20211203 §4.3.2 "Virtual Address Translation Process", §4.4, §4.5).
#include "guest/riscv/mmu.h"

#include <atomic>
#include <cstdint>

#include "exec/cpu.h"
#include "guest/riscv/system.h"
#include "memory/address_space.h"

namespace mimic::riscv {

namespace {

using memory::MmuAccess;
using memory::MmuFault;

constexpr unsigned kProtAll = memory::kProtRead | memory::kProtWrite | memory::kProtExec;

RiscvCpu* riscv(exec::CpuCommon* cpu) { return reinterpret_cast<RiscvCpu*>(cpu); }

// Paging levels of satp's mode, 0 for Bare (and for modes the CSR code
// never lets in: treated as Bare).
unsigned levels_of(uint64_t satp) {
  switch (satp >> kSatpModeShift) {
    case kSatpModeSv39:
      return 3;
    case kSatpModeSv48:
      return 4;
    default:
      return 0;
  }
}

// What the walk produced: the physical address, the permissions of the leaf
// PTE at the MMU index (before PMP) and the page size.
struct Walk {
  uint64_t paddr = 0;
  unsigned prot = 0;
  unsigned page_bits = 12;
};

enum class WalkStatus { kOk, kPageFault, kAccessFault, kRetry };

// Host pointer to the 8-byte PTE at pa if it is in RAM (or ROM when
// !for_write) and naturally aligned on the host (always, for RAM sections
// at 8-byte aligned bases), else nullptr.
uint64_t* pte_host(const memory::AddressSpace* as, uint64_t pa, bool for_write) {
  uint8_t* p = as ? as->ram_ptr(pa, 8, for_write) : nullptr;
  if (!p || (reinterpret_cast<uintptr_t>(p) & 7) != 0) return nullptr;
  return reinterpret_cast<uint64_t*>(p);
}

// The permissions a leaf PTE grants at mmu_idx (§4.3.1, §3.1.6.3): U pages
// only to U mode, and to S mode for loads/stores with SUM (never fetches);
// MXR makes executable pages readable; write only once D is set.
unsigned leaf_prot(uint64_t pte, unsigned mmu_idx, bool mxr) {
  bool user_page = pte & kPteU;
  unsigned prot = 0;
  if (pte & kPteR) prot |= memory::kProtRead;
  if (pte & kPteX) prot |= memory::kProtExec | (mxr ? memory::kProtRead : 0);
  if ((pte & kPteW) && (pte & kPteD)) prot |= memory::kProtWrite;
  if (mmu_idx == kMmuIdxU) return user_page ? prot : 0;
  if (!user_page) return prot;
  return mmu_idx == kMmuIdxSSum ? prot & ~memory::kProtExec : 0;
}

// Whether the leaf allows the access itself (W without D is fine: the walk
// sets D).
bool leaf_allows(uint64_t pte, MmuAccess access, unsigned mmu_idx, bool mxr) {
  unsigned prot = leaf_prot(pte | kPteD, mmu_idx, mxr);
  switch (access) {
    case MmuAccess::kLoad:
      return prot & memory::kProtRead;
    case MmuAccess::kStore:
      return prot & memory::kProtWrite;
    case MmuAccess::kFetch:
      return prot & memory::kProtExec;
  }
  return false;
}

// The walk of §4.3.2 for satp's mode (levels = 3 or 4). `debug`: no
// permission or PMP checks and no A/D updates. The PTE reads are S-mode
// accesses for PMP (§3.7.1: implicit page-table accesses are checked at S)
// and must hit RAM/ROM; failures there are access faults of the original
// access type (step 2).
WalkStatus walk_once(const RiscvCpu& cpu, uint64_t vaddr, MmuAccess access, unsigned mmu_idx,
                     unsigned levels, bool debug, Walk* out) {
  const memory::AddressSpace* as = cpu.common.softmmu ? cpu.common.softmmu->as : nullptr;
  const bool mxr = cpu.mstatus & kMstatusMxr;
  uint64_t table = (cpu.satp & kSatpPpnMask) << 12;  // step 1
  for (int i = static_cast<int>(levels) - 1; i >= 0; --i) {
    // Step 2: read the PTE (PMP-checked as an S-mode load; RAM or ROM).
    const uint64_t pte_pa = table + ((vaddr >> (12 + 9 * i)) & 511) * 8;
    if (!debug && !pmp_check(cpu, pte_pa, 8, MmuAccess::kLoad, false)) {
      return WalkStatus::kAccessFault;
    }
    uint64_t* host = pte_host(as, pte_pa, false);
    if (!host) return WalkStatus::kAccessFault;
    uint64_t pte = std::atomic_ref<uint64_t>(*host).load(std::memory_order_acquire);
    // Step 3: invalid, reserved W-without-R, reserved bits 60:54, PBMT
    // (Svpbmt not implemented) and N (Svnapot not implemented).
    if (!(pte & kPteV) || (pte & (kPteR | kPteW)) == kPteW || (pte >> kPteReservedShift) != 0) {
      return WalkStatus::kPageFault;
    }
    const uint64_t ppn = (pte >> kPtePpnShift) & kPtePpnMask;
    if (!(pte & (kPteR | kPteX))) {
      // Step 4: a pointer to the next level. D, A and U are reserved in
      // non-leaf PTEs (§4.4.1).
      if (i == 0 || (pte & (kPteD | kPteA | kPteU))) return WalkStatus::kPageFault;
      table = ppn << 12;
      continue;
    }
    // Step 5: the leaf's permissions.
    if (!debug && !leaf_allows(pte, access, mmu_idx, mxr)) return WalkStatus::kPageFault;
    // Step 6: a superpage's low PPN fields must be zero.
    if (i > 0 && (ppn & ((uint64_t{1} << (9 * i)) - 1)) != 0) return WalkStatus::kPageFault;
    // Step 7: A, and D for a store, set atomically in the PTE (the caller
    // walks again if the PTE changed meanwhile); the store to the PTE must
    // pass PMP and hit RAM.
    const uint64_t need = kPteA | (access == MmuAccess::kStore ? kPteD : 0);
    if (!debug && (pte & need) != need) {
      if (!pmp_check(cpu, pte_pa, 8, MmuAccess::kStore, false)) return WalkStatus::kAccessFault;
      uint64_t* whost = pte_host(as, pte_pa, true);
      if (!whost) return WalkStatus::kAccessFault;
      uint64_t expected = pte;
      if (!std::atomic_ref<uint64_t>(*whost).compare_exchange_strong(expected, pte | need,
                                                                     std::memory_order_acq_rel)) {
        return WalkStatus::kRetry;
      }
      pte |= need;
    }
    // Step 8: the translation (a superpage keeps vaddr's low VPN fields).
    const unsigned page_bits = 12 + 9 * static_cast<unsigned>(i);
    const uint64_t offset_mask = (uint64_t{1} << page_bits) - 1;
    out->paddr = ((ppn << 12) & ~offset_mask) | (vaddr & offset_mask);
    out->prot = leaf_prot(pte, mmu_idx, mxr);
    out->page_bits = page_bits;
    return WalkStatus::kOk;
  }
  return WalkStatus::kPageFault;  // not reached: level 0 never points further
}

WalkStatus walk(const RiscvCpu& cpu, uint64_t vaddr, MmuAccess access, unsigned mmu_idx,
                unsigned levels, bool debug, Walk* out) {
  // §4.4/§4.5: bits 63:VA_BITS must all equal bit VA_BITS-1.
  const unsigned shift = 64 - (12 + 9 * levels);
  if (static_cast<uint64_t>(static_cast<int64_t>(vaddr << shift) >> shift) != vaddr) {
    return WalkStatus::kPageFault;
  }
  WalkStatus st;
  do {
    st = walk_once(cpu, vaddr, access, mmu_idx, levels, debug, out);
  } while (st == WalkStatus::kRetry);
  return st;
}

bool translate(exec::CpuCommon* common, uint64_t vaddr, MmuAccess access, unsigned mmu_idx,
               uint64_t* paddr, unsigned* prot, unsigned* page_bits, MmuFault* fault) {
  const RiscvCpu& cpu = *riscv(common);
  bool machine = mmu_idx == kMmuIdxM;
  unsigned levels = machine ? 0 : levels_of(cpu.satp);
  Walk w;
  if (levels == 0) {
    w.paddr = vaddr;
    w.prot = kProtAll;
  } else {
    const WalkStatus st = walk(cpu, vaddr, access, mmu_idx, levels, false, &w);
    if (st != WalkStatus::kOk) {
      *fault = st == WalkStatus::kAccessFault ? MmuFault::kAccess : MmuFault::kPage;
      return false;
    }
  }
  // PMP on the physical address (§3.7.1). The TLB caches 4 KiB pages: if
  // PMP is uniform over the page, its permissions go into prot; otherwise
  // only this access is allowed (page_bits 0, check_physical checks the
  // whole access).
  unsigned pmp_prot;
  if (pmp_block_prot(cpu, w.paddr, 12, machine, &pmp_prot)) {
    *page_bits = w.page_bits;
  } else {
    pmp_block_prot(cpu, w.paddr, 0, machine, &pmp_prot);  // one byte: always uniform
    *page_bits = 0;
  }
  if (!(pmp_prot & memory::prot_for(access))) {
    *fault = MmuFault::kAccess;
    return false;
  }
  *paddr = w.paddr;
  *prot = w.prot & pmp_prot;
  return true;
}

bool check_physical(exec::CpuCommon* common, uint64_t paddr, unsigned size, MmuAccess access,
                    unsigned mmu_idx) {
  return pmp_check(*riscv(common), paddr, size, access, mmu_idx == kMmuIdxM);
}

// Exception codes (§3.1.15, Table 3.6) per access kind.
uint64_t cause_of(MmuAccess access, MmuFault fault) {
  constexpr uint64_t kCauses[3][3] = {
      // load, store/AMO, fetch
      {13, 15, 12},  // page fault
      {5, 7, 1},     // access fault
      {4, 6, 0},     // address misaligned
  };
  return kCauses[static_cast<unsigned>(fault)][static_cast<unsigned>(access)];
}

[[noreturn]] void raise_fault(exec::CpuCommon* common, uint64_t vaddr, MmuAccess access,
                        MmuFault fault) {
  RiscvCpu* cpu = riscv(common);
  cpu->trap_cause = cause_of(access, fault);
  cpu->trap_tval = vaddr;
  exec::raise_exit(common, kExitTrap);
}

constexpr memory::SoftMmuHooks kHooks = {&translate, &raise_fault, &check_physical};

}  // namespace

const memory::SoftMmuHooks& riscv_mmu_hooks() { return kHooks; }

bool debug_translate(const RiscvCpu& cpu, uint64_t vaddr, uint64_t* paddr) {
  unsigned levels = cpu.priv == 3 ? 0 : levels_of(cpu.satp);
  if (levels == 0) {
    *paddr = vaddr;
    return true;
  }
  Walk w;
  unsigned mmu_idx = cpu.priv == 0 ? kMmuIdxU : kMmuIdxSSum;
  if (walk(cpu, vaddr, MmuAccess::kLoad, mmu_idx, levels, true, &w) != WalkStatus::kOk) {
    return false;
  }
  *paddr = w.paddr;
  return true;
}

}  // namespace mimic::riscv
