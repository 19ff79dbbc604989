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
  const auto* p = reinterpret_cast<const uint8_t*>(addr + e.addend);
  uint64_t raw = 0;
  switch (m.size_log2) {
    case 0: raw = *p; break;
    case 1: { uint16_t v; std::memcpy(&v, p, 2); raw = v; break; }
    case 2: { uint32_t v; std::memcpy(&v, p, 4); raw = v; break; }
    default: std::memcpy(&raw, p, 8); break;
  }
  return ir::eval::extend_load(raw, m.size_log2, m.is_signed);
}

MIMIC_ALWAYS_INLINE void sys_store(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint64_t v,
                                   uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  const memory::TlbEntry& e = sys_entry(cpu, mmu_idx, addr);
  if ((addr & memory::tlb_compare_mask(m.size_log2)) != e.addr_write) {
    memory::softmmu_store(cpu, addr, v, memop, mmu_idx);
    return;
  }
  auto* p = reinterpret_cast<uint8_t*>(addr + e.addend);
  switch (m.size_log2) {
    case 0: *p = static_cast<uint8_t>(v); break;
    case 1: { uint16_t x = static_cast<uint16_t>(v); std::memcpy(p, &x, 2); break; }
    case 2: { uint32_t x = static_cast<uint32_t>(v); std::memcpy(p, &x, 4); break; }
    default: std::memcpy(p, &v, 8); break;
  }
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
  uint8_t* p = sys_atomic_host(cpu, addr, memop, mmu_idx);
  uint64_t old;
  switch (m.size_log2) {
    case 0: old = host_atomic_rmw<uint8_t>(p, aop, static_cast<uint8_t>(v)); break;
    case 1: old = host_atomic_rmw<uint16_t>(reinterpret_cast<uint16_t*>(p), aop, static_cast<uint16_t>(v)); break;
    case 2: old = host_atomic_rmw<uint32_t>(reinterpret_cast<uint32_t*>(p), aop, static_cast<uint32_t>(v)); break;
    default: old = host_atomic_rmw<uint64_t>(reinterpret_cast<uint64_t*>(p), aop, v); break;
  }
  return ir::eval::extend_load(old, m.size_log2, m.is_signed);
}

inline uint64_t sys_cmpxchg(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint64_t cmp, uint64_t nv,
                            uint32_t mmu_idx) {
  const ir::MemOp m = ir::MemOp::decode(memop);
  uint8_t* p = sys_atomic_host(cpu, addr, memop, mmu_idx);
  uint64_t old;
  switch (m.size_log2) {
    case 0: old = host_cmpxchg<uint8_t>(p, static_cast<uint8_t>(cmp), static_cast<uint8_t>(nv)); break;
    case 1: old = host_cmpxchg<uint16_t>(reinterpret_cast<uint16_t*>(p), static_cast<uint16_t>(cmp), static_cast<uint16_t>(nv)); break;
    case 2: old = host_cmpxchg<uint32_t>(reinterpret_cast<uint32_t*>(p), static_cast<uint32_t>(cmp), static_cast<uint32_t>(nv)); break;
    default: old = host_cmpxchg<uint64_t>(reinterpret_cast<uint64_t*>(p), cmp, nv); break;
  }
  return ir::eval::extend_load(old, m.size_log2, m.is_signed);
}

}  // namespace mimic::backend
