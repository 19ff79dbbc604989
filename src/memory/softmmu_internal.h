#pragma once
// Private to memory/softmmu*.cpp: the TLB fill and the tag helpers shared
// by the flush/fetch code (softmmu.cpp) and the data slow paths
// (softmmu_access.cpp).
#include <cstdint>

#include "memory/softmmu.h"

namespace mimic::memory::detail {

// True if `tag` (an addr_read/addr_write/addr_code value, flags included)
// is a valid entry for the 4 KiB page vpage.
inline bool tag_hits_page(uint64_t tag, uint64_t vpage) {
  return tag != kTlbInvalid && (tag & kTlbPageMask) == vpage;
}

// Result of a successful fill.
struct Fill {
  uint64_t paddr = 0;   // physical address of vaddr
  bool cached = false;  // the entry of vaddr at mmu_idx was (re)filled
};

// Translates vaddr for `access` through the guest's hooks and, when the
// translation covers at least a 4 KiB page, refills the entry of vaddr at
// mmu_idx (memory/softmmu.h: RAM direct, ROM writes and MMIO tagged
// kTlbMmio, pages holding code tagged kTlbNotDirty for writes). Returns
// false with *fault for a failed translation, an unmapped physical address
// or a fetch from a device (access fault); raises nothing.
bool tlb_fill(exec::CpuCommon* cpu, SoftMmu* mmu, uint64_t vaddr, MmuAccess access,
              unsigned mmu_idx, Fill* out, MmuFault* fault);

}  // namespace mimic::memory::detail
