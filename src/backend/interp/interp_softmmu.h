#pragma once
// Guest memory accesses of the interpreter in system mode (blocks with
// Block::mmu_idx >= 0): the inline TLB check of memory/softmmu.h, the same
// compare as generated code, then the softMMU slow paths on a miss. Guest
// exceptions leave through cpu->jmp (SoftMmuHooks::raise), so these always
// return.
#include <cstring>

#include "backend/interp/interp_mem.h"
#include "exec/cpu.h"
#include "ir/eval.h"
#include "ir/ir.h"
#include "memory/softmmu.h"

namespace mimic::backend {

MIMIC_ALWAYS_INLINE const memory::TlbEntry& sys_entry(exec::CpuCommon* cpu, uint32_t mmu_idx,
                                                      uint64_t addr) {
  return cpu->softmmu->tlb[mmu_idx][memory::tlb_index(addr)];
}

MIMIC_ALWAYS_INLINE uint64_t sys_load(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  const memory::TlbEntry& e = sys_entry(cpu, mmu_idx, addr);
  if ((addr & memory::tlb_compare_mask(m.size_log2)) != e.addr_read)
    return memory::softmmu_load(cpu, addr, memop, mmu_idx);
  return host_load(reinterpret_cast<const uint8_t*>(addr + e.addend), m);
}

MIMIC_ALWAYS_INLINE void sys_store(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint64_t v,
                                   uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  const memory::TlbEntry& e = sys_entry(cpu, mmu_idx, addr);
  if ((addr & memory::tlb_compare_mask(m.size_log2)) != e.addr_write) {
    memory::softmmu_store(cpu, addr, v, memop, mmu_idx);
    return;
  }
  host_store(reinterpret_cast<uint8_t*>(addr + e.addend), m, v);
}

// Host address for an atomic: a write-tag hit inline, else the slow path
// (alignment, permissions, dirtying, code invalidation).
MIMIC_ALWAYS_INLINE uint8_t* sys_atomic_host(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop,
                                             uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  const memory::TlbEntry& e = sys_entry(cpu, mmu_idx, addr);
  if ((addr & memory::tlb_compare_mask(m.size_log2)) == e.addr_write)
    return reinterpret_cast<uint8_t*>(addr + e.addend);
  return memory::softmmu_atomic_host(cpu, addr, memop, mmu_idx);
}

inline uint64_t sys_atomic_rmw(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint8_t aop, uint64_t v,
                               uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  return host_rmw(sys_atomic_host(cpu, addr, memop, mmu_idx), m, aop, v);
}

inline uint64_t sys_cmpxchg(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint64_t cmp, uint64_t nv,
                            uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  return host_cas(sys_atomic_host(cpu, addr, memop, mmu_idx), m, cmp, nv);
}

}  // namespace mimic::backend
