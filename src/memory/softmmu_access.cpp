// The softMMU's data slow paths (memory/softmmu.h): loads, stores and the
// host address of atomics, called by the interpreter and by generated code
// after a failed inline TLB check.
//
// An access is split at the page boundary into page-local parts; every part
// is translated (and may fault) before any part is performed, so a faulting
// store changes nothing and the fault reports the address of the part that
// failed (RISC-V privileged spec 20211203 §3.1.16: "the virtual address of
// the portion of the access that caused the fault").
#include <cstring>

#include "exec/cpu_loop.h"
#include "ir/eval.h"
#include "ir/ir.h"
#include "memory/address_space.h"
#include "memory/softmmu.h"
#include "memory/softmmu_internal.h"

namespace mimic::memory {

namespace {

// Where one page-local part of an access goes.
struct Target {
  uint8_t* host = nullptr;  // RAM (ROM for loads): direct
  uint64_t paddr = 0;       // otherwise: through AddressSpace::load/store
};

uint64_t tag_for(const TlbEntry& e, MmuAccess access) {
  switch (access) {
    case MmuAccess::kLoad: return e.addr_read;
    case MmuAccess::kStore: return __atomic_load_n(&e.addr_write, __ATOMIC_RELAXED);
    case MmuAccess::kFetch: break;
  }
  return e.addr_code;
}

// Resolves the part [addr, addr + len) (within one page) for `access`,
// filling the TLB on a miss; raises the guest's fault. A store to a page
// holding translated code first invalidates the translations it overlaps.
Target resolve(exec::CpuCommon* cpu, SoftMmu* mmu, uint64_t addr, unsigned len, MmuAccess access,
               unsigned mmu_idx) {
  const uint64_t vpage = addr & kTlbPageMask, off = addr & ~kTlbPageMask;
  const unsigned i = tlb_index(addr);
  TlbEntry& e = mmu->tlb[mmu_idx][i];
  uint64_t tag = tag_for(e, access);
  if (!detail::tag_hits_page(tag, vpage)) {
    detail::Fill f;
    MmuFault fault = MmuFault::kAccess;
    if (!detail::tlb_fill(cpu, mmu, addr, access, mmu_idx, &f, &fault))
      mmu->hooks->raise(cpu, addr, access, fault);
    // Not cacheable: translate checked the byte at addr only; the guest
    // checks the whole part (SoftMmuHooks::check_physical).
    if (!f.cached) {
      if (mmu->hooks->check_physical && !mmu->hooks->check_physical(cpu, f.paddr, len, access, mmu_idx))
        mmu->hooks->raise(cpu, addr, access, MmuFault::kAccess);
      return Target{nullptr, f.paddr};
    }
    tag = tag_for(e, access);
    // The hook succeeded without granting the access in prot (trust the
    // success): this access only, by physical address.
    if (!detail::tag_hits_page(tag, vpage)) return Target{nullptr, f.paddr};
  }
  const uint64_t paddr = __atomic_load_n(&mmu->phys[mmu_idx][i], __ATOMIC_RELAXED) | off;
  if (tag & kTlbMmio) return Target{nullptr, paddr};
  if (tag & kTlbNotDirty) {
    exec::invalidate_range(paddr, len);
    if (!mmu->as->is_code_page(paddr)) {
      // No code left on the page: later stores hit inline. Re-test after
      // clearing, as a fill does (softmmu.cpp).
      __atomic_fetch_and(&e.addr_write, ~kTlbNotDirty, __ATOMIC_SEQ_CST);
      if (mmu->as->is_code_page(paddr)) __atomic_fetch_or(&e.addr_write, kTlbNotDirty, __ATOMIC_SEQ_CST);
    }
  }
  return Target{reinterpret_cast<uint8_t*>(addr + e.addend), 0};
}

bool is_pow2(unsigned n) { return (n & (n - 1)) == 0; }

uint64_t read_part(exec::CpuCommon* cpu, SoftMmu* mmu, const Target& t, uint64_t vaddr, unsigned len) {
  uint64_t v = 0;
  if (t.host) {
    std::memcpy(&v, t.host, len);  // little-endian host and guest
    return v;
  }
  if (is_pow2(len)) {
    if (!mmu->as->load(t.paddr, len, &v)) mmu->hooks->raise(cpu, vaddr, MmuAccess::kLoad, MmuFault::kAccess);
    return v;
  }
  for (unsigned k = 0; k < len; k++) {  // odd-sized part of a page-crossing access
    uint64_t b = 0;
    if (!mmu->as->load(t.paddr + k, 1, &b)) mmu->hooks->raise(cpu, vaddr, MmuAccess::kLoad, MmuFault::kAccess);
    v |= (b & 0xff) << (8 * k);
  }
  return v;
}

// Physical parts are checked before anything is written (a store that
// would fault must not half-happen).
void check_phys(exec::CpuCommon* cpu, SoftMmu* mmu, const Target& t, uint64_t vaddr, unsigned len) {
  if (t.host) return;
  const Section* s = mmu->as->find(t.paddr);
  if (s == nullptr || len > s->size - (t.paddr - s->base))
    mmu->hooks->raise(cpu, vaddr, MmuAccess::kStore, MmuFault::kAccess);
}

void write_part(const SoftMmu* mmu, const Target& t, uint64_t value, unsigned len) {
  if (t.host) {
    std::memcpy(t.host, &value, len);
    return;
  }
  // MMIO, ROM (ignored) or RAM by physical address (which invalidates code).
  if (is_pow2(len)) {
    mmu->as->store(t.paddr, len, value);
    return;
  }
  for (unsigned k = 0; k < len; k++) mmu->as->store(t.paddr + k, 1, (value >> (8 * k)) & 0xff);
}

}  // namespace

uint64_t softmmu_load(exec::CpuCommon* cpu, uint64_t addr, uint32_t memop, uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  const unsigned size = m.size();
  SoftMmu* mmu = cpu->softmmu;
  uint64_t raw;
  if ((addr & (size - 1)) != 0 && m.aligned)
    mmu->hooks->raise(cpu, addr, MmuAccess::kLoad, MmuFault::kMisaligned);
  const uint64_t off = addr & ~kTlbPageMask;
  if (off + size > kTlbPageSize) {
    const unsigned n1 = static_cast<unsigned>(kTlbPageSize - off), n2 = size - n1;
    const Target t1 = resolve(cpu, mmu, addr, n1, MmuAccess::kLoad, mmu_idx);
    const Target t2 = resolve(cpu, mmu, addr + n1, n2, MmuAccess::kLoad, mmu_idx);
    raw = read_part(cpu, mmu, t1, addr, n1);
    raw |= read_part(cpu, mmu, t2, addr + n1, n2) << (8 * n1);
  } else {
    raw = read_part(cpu, mmu, resolve(cpu, mmu, addr, size, MmuAccess::kLoad, mmu_idx), addr, size);
  }
  return ir::eval::extend_load(raw, m.size_log2, m.is_signed);
}

void softmmu_store(exec::CpuCommon* cpu, uint64_t addr, uint64_t value, uint32_t memop, uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  const unsigned size = m.size();
  SoftMmu* mmu = cpu->softmmu;
  if ((addr & (size - 1)) != 0 && m.aligned)
    mmu->hooks->raise(cpu, addr, MmuAccess::kStore, MmuFault::kMisaligned);
  const uint64_t off = addr & ~kTlbPageMask;
  if (off + size > kTlbPageSize) {
    const unsigned n1 = static_cast<unsigned>(kTlbPageSize - off), n2 = size - n1;
    const Target t1 = resolve(cpu, mmu, addr, n1, MmuAccess::kStore, mmu_idx);
    const Target t2 = resolve(cpu, mmu, addr + n1, n2, MmuAccess::kStore, mmu_idx);
    check_phys(cpu, mmu, t1, addr, n1);
    check_phys(cpu, mmu, t2, addr + n1, n2);
    write_part(mmu, t1, value, n1);
    write_part(mmu, t2, value >> (8 * n1), n2);
    return;
  }
  const Target t = resolve(cpu, mmu, addr, size, MmuAccess::kStore, mmu_idx);
  check_phys(cpu, mmu, t, addr, size);
  write_part(mmu, t, value, size);
}

uint8_t* softmmu_atomic_host(exec::CpuCommon* cpu, uint64_t addr, uint32_t memop, uint32_t mmu_idx) {
  const unsigned size = ir::MemOp::decode(memop).size();
  SoftMmu* mmu = cpu->softmmu;
  // The host atomic needs natural alignment whatever the MemOp says.
  if ((addr & (size - 1)) != 0) mmu->hooks->raise(cpu, addr, MmuAccess::kStore, MmuFault::kMisaligned);
  const Target t = resolve(cpu, mmu, addr, size, MmuAccess::kStore, mmu_idx);
  if (t.host) return t.host;
  // Not through the TLB: RAM by physical address works, devices and ROM
  // do not support atomics (access fault, as for a PMA without AMO support).
  const Section* s = mmu->as->find(t.paddr);
  if (s == nullptr || !s->is_ram() || size > s->size - (t.paddr - s->base))
    mmu->hooks->raise(cpu, addr, MmuAccess::kStore, MmuFault::kAccess);
  if (mmu->as->is_code_page(t.paddr)) exec::invalidate_range(t.paddr, size);
  return s->host(t.paddr);
}

}  // namespace mimic::memory
