// Loads and stores (RISC-V unprivileged ISA 20191213, §2.6, §5.3) and the A
// extension (ch. 8). Plain accesses may be misaligned (Linux user mode makes
// them work); LR/SC/AMO must be naturally aligned, else the instruction
// raises kExitMisalignedAtomic (SIGBUS).
//
// 32-bit atomics use MemOp size 2 with is_signed: atomic_rmw_i64 and
// atomic_cmpxchg_i64 then operate on the 4 bytes in memory (min/max compare
// them as 32-bit values, signed or unsigned per the AtomicOp) and return the
// old 32-bit value sign-extended, which is what rd receives (§8.4).
#include <cstddef>

#include "guest/riscv/system.h"
#include "guest/riscv/translate.h"

namespace mimic::riscv {

using ir::AtomicOp;
using ir::Cond;
using ir::I64;

namespace {

I64 address(Ctx& c, const Args& a) {
  const I64 base = c.gpr(a.rs1);
  if (a.imm == 0) return base;
  return c.b.add(base, c.b.const_i64(static_cast<uint64_t>(a.imm)));
}

bool load(Ctx& c, const Args& a, unsigned size_log2, bool is_signed) {
  // The load happens even for rd = x0: it may fault.
  const I64 v = c.b.ld(address(c, a), ir::memop(size_log2, is_signed));
  c.set_gpr(a.rd, v);
  return true;
}

bool store(Ctx& c, const Args& a, unsigned size_log2) {
  c.b.st(c.gpr(a.rs2), address(c, a), ir::memop(size_log2));
  return true;
}

// System mode: LR raises load address misaligned (4), SC and AMOs
// store/AMO address misaligned (6), with tval = the address (privileged spec
// §3.1.15; unprivileged §8.2, §8.4).
I64 aligned_address(Ctx& c, const Args& a, unsigned size_log2, bool is_lr = false) {
  ir::Builder& b = c.b;
  const I64 addr = c.gpr(a.rs1);
  const I64 low = b.and_(addr, b.const_i64((1u << size_log2) - 1));
  if (c.system()) {
    const uint64_t cause = is_lr ? kCauseLoadMisaligned : kCauseStoreMisaligned;
    c.raise_trap_if(Cond::NE, low, b.const_i64(0), cause, addr);
  } else {
    c.raise_if(Cond::NE, low, b.const_i64(0), kExitMisalignedAtomic, addr);
  }
  return addr;
}

I64 reservation(Ctx& c) {
  return c.global(static_cast<int32_t>(offsetof(RiscvCpu, load_res)), "load_res");
}
I64 reserved_value(Ctx& c) {
  return c.global(static_cast<int32_t>(offsetof(RiscvCpu, load_val)), "load_val");
}

// lr: load, and remember address and value (§8.2). aq orders later accesses
// after the load; rl orders earlier ones before it.
bool load_reserved(Ctx& c, const Args& a, unsigned size_log2) {
  ir::Builder& b = c.b;
  const I64 addr = aligned_address(c, a, size_log2, true);
  if (a.rl) b.mb();
  const I64 v = b.ld(addr, ir::memop(size_log2, true));
  b.mov(reservation(c), addr);
  b.mov(reserved_value(c), v);
  if (a.aq) b.mb();
  c.set_gpr(a.rd, v);
  return true;
}

// sc: succeeds (rd = 0) iff the reservation is for this address and memory
// still holds the value lr loaded, checked and stored by one compare-and-swap;
// otherwise rd = 1. Either way the reservation is gone (§8.2).
bool store_conditional(Ctx& c, const Args& a, unsigned size_log2) {
  ir::Builder& b = c.b;
  const I64 addr = aligned_address(c, a, size_log2);
  const I64 src = c.gpr(a.rs2);
  const I64 res = reservation(c);
  const I64 expected = reserved_value(c);
  const ir::Label fail = b.new_label();
  const ir::Label done = b.new_label();
  b.brcond(Cond::NE, addr, res, fail);
  const I64 old = b.atomic_cmpxchg(addr, expected, src, ir::memop(size_log2, true));
  c.set_gpr(a.rd, b.setcond(Cond::NE, old, expected));
  b.br(done);
  b.set_label(fail);
  c.set_gpr(a.rd, b.const_i64(1));
  b.set_label(done);
  b.mov(res, b.const_i64(~uint64_t{0}));
  return true;
}

// The host atomic is sequentially consistent, which covers aq and rl.
bool amo(Ctx& c, const Args& a, unsigned size_log2, AtomicOp op) {
  ir::Builder& b = c.b;
  const I64 addr = aligned_address(c, a, size_log2);
  const I64 old = b.atomic_rmw(op, addr, c.gpr(a.rs2), ir::memop(size_log2, true));
  c.set_gpr(a.rd, old);
  return true;
}

}  // namespace

bool trans_lb(Ctx& c, const Args& a) { return load(c, a, 0, true); }
bool trans_lh(Ctx& c, const Args& a) { return load(c, a, 1, true); }
bool trans_lw(Ctx& c, const Args& a) { return load(c, a, 2, true); }
bool trans_ld(Ctx& c, const Args& a) { return load(c, a, 3, true); }
bool trans_lbu(Ctx& c, const Args& a) { return load(c, a, 0, false); }
bool trans_lhu(Ctx& c, const Args& a) { return load(c, a, 1, false); }
bool trans_lwu(Ctx& c, const Args& a) { return load(c, a, 2, false); }
bool trans_sb(Ctx& c, const Args& a) { return store(c, a, 0); }
bool trans_sh(Ctx& c, const Args& a) { return store(c, a, 1); }
bool trans_sw(Ctx& c, const Args& a) { return store(c, a, 2); }
bool trans_sd(Ctx& c, const Args& a) { return store(c, a, 3); }

bool trans_lr_w(Ctx& c, const Args& a) { return load_reserved(c, a, 2); }
bool trans_lr_d(Ctx& c, const Args& a) { return load_reserved(c, a, 3); }
bool trans_sc_w(Ctx& c, const Args& a) { return store_conditional(c, a, 2); }
bool trans_sc_d(Ctx& c, const Args& a) { return store_conditional(c, a, 3); }

#define RV_AMO(name, op)                                                              \
  bool trans_##name##_w(Ctx& c, const Args& a) { return amo(c, a, 2, AtomicOp::op); } \
  bool trans_##name##_d(Ctx& c, const Args& a) { return amo(c, a, 3, AtomicOp::op); }
RV_AMO(amoswap, Xchg)
RV_AMO(amoadd, Add)
RV_AMO(amoxor, Xor)
RV_AMO(amoand, And)
RV_AMO(amoor, Or)
RV_AMO(amomin, Smin)
RV_AMO(amomax, Smax)
RV_AMO(amominu, Umin)
RV_AMO(amomaxu, Umax)
#undef RV_AMO

}  // namespace mimic::riscv
