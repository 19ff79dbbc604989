#pragma once
// Guest memory accesses of the interpreter (user mode: host = guest_base +
// addr). Each returns false after recording a fault in the CPU (exception,
// fault_addr, fault_write, pc = insn_pc); the caller leaves the block with
// cpu->exception. A guest page that is in range but not mapped on the host
// faults in hardware and leaves through exec::handle_host_fault.
#include <cstring>

#include "exec/cpu.h"
#include "ir/eval.h"
#include "ir/ir.h"

namespace mimic::backend {

MIMIC_ALWAYS_INLINE bool interp_fault(exec::CpuCommon* cpu, uint64_t code, uint64_t addr, bool write) {
  cpu->exception = code;
  cpu->fault_addr = addr;
  cpu->fault_write = write;
  cpu->pc = cpu->insn_pc;
  return false;
}

// Checks range and (if the MemOp asks) alignment; returns the host pointer
// or nullptr after recording the fault.
MIMIC_ALWAYS_INLINE uint8_t* interp_host_addr(exec::CpuCommon* cpu, uint64_t addr, ir::MemOp m,
                                              bool write) {
  const uint64_t size = m.size();
  if (addr >= cpu->guest_limit || cpu->guest_limit - addr < size) {
    interp_fault(cpu, ir::kExitFault, addr, write);
    return nullptr;
  }
  if (m.aligned && (addr & (size - 1)) != 0) {
    interp_fault(cpu, ir::kExitMisaligned, addr, write);
    return nullptr;
  }
  return cpu->guest_base + addr;
}

// Accesses of 2^size_log2 bytes at host address p (little-endian host);
// loads return the value extended per the MemOp. Shared by the user-mode
// path here and the system-mode path (interp_softmmu.h).
MIMIC_ALWAYS_INLINE uint64_t host_load(const uint8_t* p, ir::MemOp m) {
  uint64_t raw = 0;
  switch (m.size_log2) {
    case 0: raw = *p; break;
    case 1: { uint16_t v; std::memcpy(&v, p, 2); raw = v; break; }
    case 2: { uint32_t v; std::memcpy(&v, p, 4); raw = v; break; }
    default: std::memcpy(&raw, p, 8); break;
  }
  return ir::eval::extend_load(raw, m.size_log2, m.is_signed);
}

MIMIC_ALWAYS_INLINE void host_store(uint8_t* p, ir::MemOp m, uint64_t v) {
  switch (m.size_log2) {
    case 0: *p = static_cast<uint8_t>(v); break;
    case 1: { uint16_t x = static_cast<uint16_t>(v); std::memcpy(p, &x, 2); break; }
    case 2: { uint32_t x = static_cast<uint32_t>(v); std::memcpy(p, &x, 4); break; }
    default: std::memcpy(p, &v, 8); break;
  }
}

MIMIC_ALWAYS_INLINE bool interp_load(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint64_t* out) {
  ir::MemOp m = ir::MemOp::decode(memop);
  uint8_t* p = interp_host_addr(cpu, addr, m, false);
  if (!p) return false;
  *out = host_load(p, m);
  return true;
}

MIMIC_ALWAYS_INLINE bool interp_store(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint64_t v) {
  ir::MemOp m = ir::MemOp::decode(memop);
  uint8_t* p = interp_host_addr(cpu, addr, m, true);
  if (!p) return false;
  host_store(p, m, v);
  return true;
}

// Real host atomics: other guest threads run concurrently on other host
// threads. Sequentially consistent, which satisfies every aq/rl combination.
template <typename T>
inline T host_atomic_rmw(T* p, uint8_t aop, T v) {
  using S = std::make_signed_t<T>;
  switch (static_cast<ir::AtomicOp>(aop)) {
    case ir::AtomicOp::Xchg: return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
    case ir::AtomicOp::Add: return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
    case ir::AtomicOp::And: return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);
    case ir::AtomicOp::Or: return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
    case ir::AtomicOp::Xor: return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);
    default: break;
  }
  T old = __atomic_load_n(p, __ATOMIC_RELAXED);
  for (;;) {
    T nv = old;
    switch (static_cast<ir::AtomicOp>(aop)) {
      case ir::AtomicOp::Smin: nv = static_cast<S>(v) < static_cast<S>(old) ? v : old; break;
      case ir::AtomicOp::Smax: nv = static_cast<S>(v) > static_cast<S>(old) ? v : old; break;
      case ir::AtomicOp::Umin: nv = v < old ? v : old; break;
      case ir::AtomicOp::Umax: nv = v > old ? v : old; break;
      default: break;
    }
    if (__atomic_compare_exchange_n(p, &old, nv, true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) return old;
  }
}

// Host atomics of the MemOp's size at p (naturally aligned); return the old
// value extended per the MemOp.
inline uint64_t host_rmw(uint8_t* p, ir::MemOp m, uint8_t aop, uint64_t v) {
  uint64_t old;
  switch (m.size_log2) {
    case 0: old = host_atomic_rmw<uint8_t>(p, aop, static_cast<uint8_t>(v)); break;
    case 1: old = host_atomic_rmw<uint16_t>(reinterpret_cast<uint16_t*>(p), aop, static_cast<uint16_t>(v)); break;
    case 2: old = host_atomic_rmw<uint32_t>(reinterpret_cast<uint32_t*>(p), aop, static_cast<uint32_t>(v)); break;
    default: old = host_atomic_rmw<uint64_t>(reinterpret_cast<uint64_t*>(p), aop, v); break;
  }
  return ir::eval::extend_load(old, m.size_log2, m.is_signed);
}

inline bool interp_atomic_rmw(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint8_t aop,
                              uint64_t v, uint64_t* out) {
  ir::MemOp m = ir::MemOp::decode(memop);
  uint8_t* p = interp_host_addr(cpu, addr, m, true);
  if (!p) return false;
  *out = host_rmw(p, m, aop, v);
  return true;
}

// Compares the low size bytes of cmp with memory; stores the low size bytes of
// newv iff equal. out = old value extended per MemOp.
template <typename T>
inline T host_cmpxchg(T* p, T cmp, T nv) {
  __atomic_compare_exchange_n(p, &cmp, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return cmp;  // on failure cmp holds the value found, on success it equals it
}

inline uint64_t host_cas(uint8_t* p, ir::MemOp m, uint64_t cmp, uint64_t nv) {
  uint64_t old;
  switch (m.size_log2) {
    case 0: old = host_cmpxchg<uint8_t>(p, static_cast<uint8_t>(cmp), static_cast<uint8_t>(nv)); break;
    case 1: old = host_cmpxchg<uint16_t>(reinterpret_cast<uint16_t*>(p), static_cast<uint16_t>(cmp), static_cast<uint16_t>(nv)); break;
    case 2: old = host_cmpxchg<uint32_t>(reinterpret_cast<uint32_t*>(p), static_cast<uint32_t>(cmp), static_cast<uint32_t>(nv)); break;
    default: old = host_cmpxchg<uint64_t>(reinterpret_cast<uint64_t*>(p), cmp, nv); break;
  }
  return ir::eval::extend_load(old, m.size_log2, m.is_signed);
}

inline bool interp_cmpxchg(exec::CpuCommon* cpu, uint64_t addr, uint8_t memop, uint64_t cmp,
                           uint64_t nv, uint64_t* out) {
  ir::MemOp m = ir::MemOp::decode(memop);
  uint8_t* p = interp_host_addr(cpu, addr, m, true);
  if (!p) return false;
  *out = host_cas(p, m, cmp, nv);
  return true;
}

}  // namespace mimic::backend
