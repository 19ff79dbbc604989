#pragma once
// The softMMU (DESIGN.md "Memory"): in system mode every guest data access
// goes through a per-vCPU TLB indexed by MMU index. Generated code and the
// interpreter check the TLB inline; a hit adds the entry's addend to the
// guest virtual address to get the host address of guest RAM. Everything
// else (a miss, MMIO, a store to a page holding translated code, a
// misaligned access, an access crossing a page) goes to the slow paths below,
// which walk the guest's page tables through SoftMmuHooks, fill the TLB,
// dispatch MMIO to the address space and raise guest exceptions.
//
// Contract shared by memory/softmmu.cpp, the interpreter (interp_mem.h), the
// x86-64 JIT (emit_mem.cpp) and the guest MMU (guest/<arch>/mmu.cpp).
#include <cstddef>
#include <cstdint>

#include "exec/cpu.h"

namespace mimic::memory {

class AddressSpace;

constexpr unsigned kTlbPageBits = 12;
constexpr uint64_t kTlbPageSize = uint64_t{1} << kTlbPageBits;
constexpr uint64_t kTlbPageMask = ~(kTlbPageSize - 1);
// 1024 entries per MMU index: the Linux boot runs 4% faster than with 256
// (docs/PERF.md); a full flush clears 4 x 32 KiB.
constexpr unsigned kTlbIndexBits = 10;
constexpr unsigned kTlbEntries = 1u << kTlbIndexBits;
// MMU indexes are small integers chosen by the guest (RISC-V: guest/riscv/cpu.h).
constexpr unsigned kMaxMmuIdx = 4;

// Flag bits kept in the low bits of a tag, above the alignment bits (an
// access is at most 8 bytes, bits 0..2) and below the page bits. A tag with
// any of them set never equals a masked address, so the inline check fails
// and the slow path looks at the flags.
constexpr uint64_t kTlbNotDirty = uint64_t{1} << 9;   // page holds translated code
constexpr uint64_t kTlbMmio = uint64_t{1} << 10;      // device (or ROM for writes)
constexpr uint64_t kTlbInvalid = ~uint64_t{0};        // empty entry / access not allowed

// One entry: tags are the page-aligned guest virtual address for which the
// access kind is allowed at this MMU index (plus flag bits), or kTlbInvalid.
struct TlbEntry {
  uint64_t addr_read;
  uint64_t addr_write;
  uint64_t addr_code;
  // host address = guest virtual address + addend (RAM/ROM pages).
  uint64_t addend;
};
static_assert(sizeof(TlbEntry) == 32);

// Index of the entry for guest virtual address `addr`.
constexpr unsigned tlb_index(uint64_t addr) {
  return static_cast<unsigned>(addr >> kTlbPageBits) & (kTlbEntries - 1);
}

// The inline check, for a data access of 2^size_log2 bytes: the access hits
// iff (addr & (kTlbPageMask | (size - 1))) == tag. Misaligned accesses thus
// always take the slow path (which performs them, page-crossing included).
constexpr uint64_t tlb_compare_mask(unsigned size_log2) {
  return kTlbPageMask | ((uint64_t{1} << size_log2) - 1);
}

enum class MmuAccess : uint8_t { kLoad = 0, kStore = 1, kFetch = 2 };
enum class MmuFault : uint8_t { kPage = 0, kAccess = 1, kMisaligned = 2 };

constexpr unsigned kProtRead = 1, kProtWrite = 2, kProtExec = 4;

// The permission an access needs.
constexpr unsigned prot_for(MmuAccess access) {
  switch (access) {
    case MmuAccess::kLoad: return kProtRead;
    case MmuAccess::kStore: return kProtWrite;
    case MmuAccess::kFetch: return kProtExec;
  }
  return kProtRead | kProtWrite | kProtExec;
}

// What the guest architecture provides (implemented by guest/<arch>/mmu.cpp).
struct SoftMmuHooks {
  // Translates `vaddr` for `access` at `mmu_idx`, checking permissions
  // (page tables and physical memory protection). On success returns true
  // with *paddr = the physical address of vaddr, *prot = the permissions the
  // same translation grants at this MMU index (a store permission only once
  // the page is dirty: a later store to a page filled for a load must come
  // back here to set D), and *page_bits = log2 of the size of the region
  // around vaddr the result is valid for (>= kTlbPageBits to be cached in
  // the TLB, smaller: this access only). May update the guest's page tables
  // (accessed/dirty bits). On failure returns false with *fault set; the
  // caller then calls raise().
  // A superpage is reported with its real size (RISC-V: 21, 30, 39) for
  // tlb_flush_page's large-page range; *paddr and *prot then hold for at
  // least the 4 KiB page of vaddr (fill one TLB entry per 4 KiB page).
  bool (*translate)(exec::CpuCommon* cpu, uint64_t vaddr, MmuAccess access, unsigned mmu_idx,
                    uint64_t* paddr, unsigned* prot, unsigned* page_bits, MmuFault* fault);
  // Raises the guest exception for a failed access at vaddr (page fault,
  // access fault, misaligned atomic). Leaves through exec::raise_exit; the
  // faulting instruction is cpu->insn_pc.
  [[noreturn]] void (*raise)(exec::CpuCommon* cpu, uint64_t vaddr, MmuAccess access, MmuFault fault);
  // Optional (nullptr: not needed). When translate returned page_bits <
  // kTlbPageBits, translate checked only the byte at vaddr; the softMMU then
  // calls this with the physical address and size of the whole access before
  // performing it: false means raise(cpu, vaddr, access, kAccess). (RISC-V:
  // a PMP entry boundary inside the page; an access only partly inside an
  // entry fails, privileged spec §3.7.1.)
  bool (*check_physical)(exec::CpuCommon* cpu, uint64_t paddr, unsigned size, MmuAccess access,
                         unsigned mmu_idx) = nullptr;
};

// A vCPU's softMMU state; exec::CpuCommon::softmmu points here (nullptr in
// user mode). The TLB is the first member: generated code addresses entry
// [mmu_idx][i] at offset (mmu_idx * kTlbEntries + i) * sizeof(TlbEntry).
struct SoftMmu {
  TlbEntry tlb[kMaxMmuIdx][kTlbEntries];
  AddressSpace* as = nullptr;
  const SoftMmuHooks* hooks = nullptr;
  // Range of guest virtual addresses covered by entries filled from pages
  // larger than 4 KiB (for flush_page); empty when lo > hi.
  uint64_t large_lo = ~uint64_t{0}, large_hi = 0;
  // Physical page (4 KiB aligned) of each valid entry of tlb: the slow path
  // uses it for MMIO/ROM dispatch and code invalidation, code-page tracking
  // to find the entries to mark kTlbNotDirty (written by the owner, read by
  // other threads: accessed with __atomic builtins).
  uint64_t phys[kMaxMmuIdx][kTlbEntries];
};

// Sets up `mmu` (all entries invalid) and attaches it to `cpu`; `as` and
// `hooks` must outlive it. Registers it for code-page tracking.
void softmmu_attach(exec::CpuCommon* cpu, SoftMmu* mmu, AddressSpace* as, const SoftMmuHooks* hooks);
// Unregisters (vCPU destroyed).
void softmmu_detach(exec::CpuCommon* cpu);

// --- flushes (guest: sfence.vma, satp writes, mstatus.MXR/SUM changes) ---
// Every entry of every MMU index, and the vCPU's jump cache (which is keyed
// by virtual pc and trusted only while the mappings it was filled under hold).
void tlb_flush(exec::CpuCommon* cpu);
// Every entry that could translate the page of vaddr (at any MMU index), and
// the jump cache.
void tlb_flush_page(exec::CpuCommon* cpu, uint64_t vaddr);

// --- slow paths: called by the interpreter and by generated code ---
// `memop` is an ir::MemOp encoding, `mmu_idx` < kMaxMmuIdx. cpu->insn_pc is
// the pc of the accessing instruction (guest exceptions use it); generated
// code must have written back every guest register a guest exception could
// expose before calling. Loads return the value extended per the MemOp.
uint64_t softmmu_load(exec::CpuCommon* cpu, uint64_t addr, uint32_t memop, uint32_t mmu_idx);
void softmmu_store(exec::CpuCommon* cpu, uint64_t addr, uint64_t value, uint32_t memop,
                   uint32_t mmu_idx);
// For atomics (read-modify-write, cmpxchg, LR/SC): the host address of the
// naturally aligned access at addr, with store permission (the page made
// dirty, code on it invalidated). Raises the guest's misaligned or access
// fault (MMIO) as the guest requires. The caller does the host atomic.
uint8_t* softmmu_atomic_host(exec::CpuCommon* cpu, uint64_t addr, uint32_t memop, uint32_t mmu_idx);

// --- instruction fetch (the translator and the execution loop) ---
// Host address of the code at vaddr (at least up to the end of its page),
// and its physical address in *paddr. Raises the guest's fetch fault when the
// page is not executable at mmu_idx or not RAM/ROM.
const uint8_t* softmmu_code_ptr(exec::CpuCommon* cpu, uint64_t vaddr, uint32_t mmu_idx,
                                uint64_t* paddr);
// The same without raising: nullptr if the fetch would fault.
const uint8_t* softmmu_probe_code(exec::CpuCommon* cpu, uint64_t vaddr, uint32_t mmu_idx,
                                  uint64_t* paddr);

// --- debugger / monitor access (no exceptions, no A/D updates beyond the walk) ---
// Copies guest virtual memory at mmu_idx; false if any byte does not translate.
bool softmmu_read_virtual(exec::CpuCommon* cpu, uint64_t vaddr, void* dst, uint64_t len,
                          uint32_t mmu_idx);

}  // namespace mimic::memory
