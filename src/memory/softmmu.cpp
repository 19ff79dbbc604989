// The softMMU (memory/softmmu.h): TLB fill, flushes, code-page tracking,
// instruction fetch and debugger reads. The data slow paths are in
// softmmu_access.cpp.
//
// Code-page tracking. The TB cache reports through the physical code-page
// hooks (exec/cpu_loop.h) when a physical page gets its first system-mode
// translation and when it loses its last. On the first, the page's bit is set
// in the AddressSpace of every attached softMMU and every TLB entry mapping
// the page for writing gets kTlbNotDirty, so stores to it take the slow path,
// which invalidates the translations they overwrite. A fill tests the bit
// after writing its entry, and the marker sets the bit before scanning
// entries (all sequentially consistent), so a fill racing with the marker
// cannot leave an unmarked writable entry.
#include "memory/softmmu.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "exec/cpu_loop.h"
#include "memory/address_space.h"
#include "memory/softmmu_internal.h"

namespace mimic::memory {

namespace {

std::mutex g_mmus_lock;  // taken inside exec's translation lock (hooks), never around it
auto& g_mmus = *new std::vector<SoftMmu*>;  // attached softMMUs; never destroyed

// Physical code-page hooks (called under exec's translation lock).
void on_first_code(uint64_t page) {
  std::lock_guard<std::mutex> g(g_mmus_lock);
  for (SoftMmu* mmu : g_mmus) mmu->as->set_code_page(page, true);
  for (SoftMmu* mmu : g_mmus) {
    for (unsigned idx = 0; idx < kMaxMmuIdx; idx++) {
      for (unsigned i = 0; i < kTlbEntries; i++) {
        if (__atomic_load_n(&mmu->phys[idx][i], __ATOMIC_SEQ_CST) != page) continue;
        // An invalid tag stays invalid (all ones); an MMIO one stays MMIO.
        __atomic_fetch_or(&mmu->tlb[idx][i].addr_write, kTlbNotDirty, __ATOMIC_SEQ_CST);
      }
    }
  }
}

void on_last_code(uint64_t page) {
  // Entries keep kTlbNotDirty; the slow path drops it on the next store.
  std::lock_guard<std::mutex> g(g_mmus_lock);
  for (SoftMmu* mmu : g_mmus) mmu->as->set_code_page(page, false);
}

void invalidate_entry(SoftMmu* mmu, unsigned idx, unsigned i) {
  TlbEntry& e = mmu->tlb[idx][i];
  e.addr_read = kTlbInvalid;
  e.addr_code = kTlbInvalid;
  e.addend = 0;
  __atomic_store_n(&e.addr_write, kTlbInvalid, __ATOMIC_RELAXED);
  __atomic_store_n(&mmu->phys[idx][i], ~uint64_t{0}, __ATOMIC_RELAXED);
}

void flush_all(SoftMmu* mmu) {
  for (unsigned idx = 0; idx < kMaxMmuIdx; idx++)
    for (unsigned i = 0; i < kTlbEntries; i++) invalidate_entry(mmu, idx, i);
  mmu->large_lo = ~uint64_t{0};
  mmu->large_hi = 0;
}

}  // namespace

namespace detail {

bool tlb_fill(exec::CpuCommon* cpu, SoftMmu* mmu, uint64_t vaddr, MmuAccess access,
              unsigned mmu_idx, Fill* out, MmuFault* fault) {
  uint64_t paddr = 0;
  unsigned prot = 0, page_bits = 0;
  if (!mmu->hooks->translate(cpu, vaddr, access, mmu_idx, &paddr, &prot, &page_bits, fault))
    return false;
  const Section* s = mmu->as->find(paddr);
  if (s == nullptr || (access == MmuAccess::kFetch && s->is_mmio())) {
    *fault = MmuFault::kAccess;
    return false;
  }
  out->paddr = paddr;
  out->cached = page_bits >= kTlbPageBits;
  if (!out->cached) return true;  // e.g. a PMP region smaller than a page

  const uint64_t vpage = vaddr & kTlbPageMask, ppage = paddr & kTlbPageMask;
  const unsigned i = tlb_index(vaddr);
  TlbEntry& e = mmu->tlb[mmu_idx][i];
  __atomic_store_n(&e.addr_write, kTlbInvalid, __ATOMIC_SEQ_CST);
  __atomic_store_n(&mmu->phys[mmu_idx][i], ppage, __ATOMIC_SEQ_CST);
  uint64_t rd = kTlbInvalid, wr = kTlbInvalid, cd = kTlbInvalid;
  if (s->is_mmio()) {
    // Devices: every access through the slow path; never executable.
    e.addend = 0;
    if (prot & kProtRead) rd = vpage | kTlbMmio;
    if (prot & kProtWrite) wr = vpage | kTlbMmio;
  } else {
    // RAM/ROM. A page only partly covered by the section goes through the
    // address space per access (the rest of the page may be unmapped).
    const bool whole = ppage >= s->base && ppage - s->base <= s->size - kTlbPageSize &&
                       s->size >= kTlbPageSize;
    e.addend = reinterpret_cast<uintptr_t>(s->host(paddr)) - vaddr;
    const uint64_t partial = whole ? 0 : kTlbMmio;
    if (prot & kProtRead) rd = vpage | partial;
    if (prot & kProtExec) cd = vpage;
    if (prot & kProtWrite) wr = vpage | (s->is_rom() ? kTlbMmio : partial);
  }
  e.addr_read = rd;
  e.addr_code = cd;
  if (wr != kTlbInvalid && !(wr & kTlbMmio)) {
    if (mmu->as->is_code_page(ppage)) wr |= kTlbNotDirty;
    __atomic_store_n(&e.addr_write, wr, __ATOMIC_SEQ_CST);
    // A translation of this page may have been inserted meanwhile (see top).
    if (!(wr & kTlbNotDirty) && mmu->as->is_code_page(ppage))
      __atomic_fetch_or(&e.addr_write, kTlbNotDirty, __ATOMIC_SEQ_CST);
  } else {
    __atomic_store_n(&e.addr_write, wr, __ATOMIC_SEQ_CST);
  }
  if (page_bits > kTlbPageBits) {
    const uint64_t size_m1 = page_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << page_bits) - 1;
    const uint64_t base = vaddr & ~size_m1;
    mmu->large_lo = std::min(mmu->large_lo, base);
    mmu->large_hi = std::max(mmu->large_hi, base + size_m1);
  }
  return true;
}

}  // namespace detail

void softmmu_attach(exec::CpuCommon* cpu, SoftMmu* mmu, AddressSpace* as, const SoftMmuHooks* hooks) {
  static std::once_flag once;
  std::call_once(once, [] { exec::set_phys_code_page_hooks(on_first_code, on_last_code); });
  bool first;
  {
    std::lock_guard<std::mutex> g(g_mmus_lock);
    first = g_mmus.empty();
  }
  // Translations keyed by physical address left by an earlier machine of
  // this process (tests) would not be tracked in `as`: drop them.
  if (first) exec::invalidate_all();
  mmu->as = as;
  mmu->hooks = hooks;
  flush_all(mmu);
  cpu->softmmu = mmu;
  std::lock_guard<std::mutex> g(g_mmus_lock);
  if (std::find(g_mmus.begin(), g_mmus.end(), mmu) == g_mmus.end()) g_mmus.push_back(mmu);
}

void softmmu_detach(exec::CpuCommon* cpu) {
  SoftMmu* mmu = cpu->softmmu;
  if (mmu == nullptr) return;
  {
    std::lock_guard<std::mutex> g(g_mmus_lock);
    g_mmus.erase(std::remove(g_mmus.begin(), g_mmus.end(), mmu), g_mmus.end());
  }
  cpu->softmmu = nullptr;
}

void tlb_flush(exec::CpuCommon* cpu) {
  if (cpu->softmmu) flush_all(cpu->softmmu);
  exec::flush_jump_cache(cpu);
}

void tlb_flush_page(exec::CpuCommon* cpu, uint64_t vaddr) {
  SoftMmu* mmu = cpu->softmmu;
  if (mmu == nullptr) return;
  const uint64_t vpage = vaddr & kTlbPageMask;
  if (mmu->large_lo <= mmu->large_hi && vpage <= mmu->large_hi && vpage + (kTlbPageSize - 1) >= mmu->large_lo) {
    tlb_flush(cpu);  // entries filled from a superpage may cover it anywhere
    return;
  }
  const unsigned i = tlb_index(vaddr);
  for (unsigned idx = 0; idx < kMaxMmuIdx; idx++) {
    const TlbEntry& e = mmu->tlb[idx][i];
    if (detail::tag_hits_page(e.addr_read, vpage) ||
        detail::tag_hits_page(__atomic_load_n(&e.addr_write, __ATOMIC_RELAXED), vpage) ||
        detail::tag_hits_page(e.addr_code, vpage))
      invalidate_entry(mmu, idx, i);
  }
  // Blocks with code on the page; the rest of the jump cache (the kernel's
  // code, when a user page changes) stays.
  exec::flush_jump_cache_page(cpu, vpage);
}

namespace {

const uint8_t* code_lookup(exec::CpuCommon* cpu, uint64_t vaddr, uint32_t mmu_idx, uint64_t* paddr,
                           bool raise) {
  SoftMmu* mmu = cpu->softmmu;
  const uint64_t vpage = vaddr & kTlbPageMask;
  const unsigned i = tlb_index(vaddr);
  const TlbEntry& e = mmu->tlb[mmu_idx][i];
  if (e.addr_code != vpage) {
    detail::Fill f;
    MmuFault fault = MmuFault::kAccess;
    if (!detail::tlb_fill(cpu, mmu, vaddr, MmuAccess::kFetch, mmu_idx, &f, &fault)) {
      if (raise) mmu->hooks->raise(cpu, vaddr, MmuAccess::kFetch, fault);
      return nullptr;
    }
    if (!f.cached || e.addr_code != vpage) {
      // Not cacheable (or the hook granted no execute: trust its success).
      const uint8_t* h = mmu->as->ram_ptr(f.paddr, 1, false);
      if (h == nullptr && raise) mmu->hooks->raise(cpu, vaddr, MmuAccess::kFetch, MmuFault::kAccess);
      *paddr = f.paddr;
      return h;
    }
  }
  *paddr = __atomic_load_n(&mmu->phys[mmu_idx][i], __ATOMIC_RELAXED) | (vaddr & ~kTlbPageMask);
  return reinterpret_cast<const uint8_t*>(vaddr + e.addend);
}

}  // namespace

const uint8_t* softmmu_code_ptr(exec::CpuCommon* cpu, uint64_t vaddr, uint32_t mmu_idx, uint64_t* paddr) {
  return code_lookup(cpu, vaddr, mmu_idx, paddr, true);
}

const uint8_t* softmmu_probe_code(exec::CpuCommon* cpu, uint64_t vaddr, uint32_t mmu_idx,
                                  uint64_t* paddr) {
  return code_lookup(cpu, vaddr, mmu_idx, paddr, false);
}

bool softmmu_read_virtual(exec::CpuCommon* cpu, uint64_t vaddr, void* dst, uint64_t len,
                          uint32_t mmu_idx) {
  SoftMmu* mmu = cpu->softmmu;
  if (mmu == nullptr) return false;
  auto* out = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const uint64_t chunk = std::min(len, kTlbPageSize - (vaddr & ~kTlbPageMask));
    uint64_t paddr = 0;
    unsigned prot = 0, page_bits = 0;
    MmuFault fault = MmuFault::kAccess;
    if (!mmu->hooks->translate(cpu, vaddr, MmuAccess::kLoad, mmu_idx, &paddr, &prot, &page_bits, &fault))
      return false;
    if (!mmu->as->read(paddr, out, chunk)) return false;  // RAM/ROM only
    out += chunk;
    vaddr += chunk;
    len -= chunk;
  }
  return true;
}

}  // namespace mimic::memory
