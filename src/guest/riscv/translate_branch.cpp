// Control transfer and environment calls (RISC-V unprivileged ISA 20191213,
// §2.5, §2.7, §2.8). With the C extension every target is 2-byte aligned by
// construction (jalr clears bit 0), so no instruction-misaligned exception
// can arise.
#include "guest/riscv/translate.h"

namespace mimic::riscv {

using ir::Cond;
using ir::I64;

bool trans_jal(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, c.b.const_i64(c.next_pc));
  c.jump_to(0, c.pc + static_cast<uint64_t>(a.imm));
  return true;
}

bool trans_jalr(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  // Target first: rd may be rs1.
  I64 target = c.gpr(a.rs1);
  if (a.imm != 0) target = b.add(target, b.const_i64(static_cast<uint64_t>(a.imm)));
  target = b.and_(target, b.const_i64(~uint64_t{1}));
  c.set_gpr(a.rd, b.const_i64(c.next_pc));
  c.jump_indirect(target);
  return true;
}

namespace {

// Taken: slot 0 to pc + imm; not taken: slot 1 to the next instruction.
bool branch(Ctx& c, const Args& a, Cond cond) {
  ir::Builder& b = c.b;
  const ir::Label taken = b.new_label();
  b.brcond(cond, c.gpr(a.rs1), c.gpr(a.rs2), taken);
  c.jump_to(1, c.next_pc);
  b.set_label(taken);
  c.jump_to(0, c.pc + static_cast<uint64_t>(a.imm));
  return true;
}

}  // namespace

bool trans_beq(Ctx& c, const Args& a) { return branch(c, a, Cond::EQ); }
bool trans_bne(Ctx& c, const Args& a) { return branch(c, a, Cond::NE); }
bool trans_blt(Ctx& c, const Args& a) { return branch(c, a, Cond::LT); }
bool trans_bge(Ctx& c, const Args& a) { return branch(c, a, Cond::GE); }
bool trans_bltu(Ctx& c, const Args& a) { return branch(c, a, Cond::LTU); }
bool trans_bgeu(Ctx& c, const Args& a) { return branch(c, a, Cond::GEU); }

// Every fence (any pred/succ, fence.tso, pause) is a full barrier: stronger
// than required, never weaker.
bool trans_fence(Ctx& c, const Args&) {
  c.b.mb();
  return true;
}

bool trans_ecall(Ctx& c, const Args&) {
  c.raise(kExitEcall);
  return true;
}

bool trans_ebreak(Ctx& c, const Args&) {
  c.raise(kExitEbreak);
  return true;
}

}  // namespace mimic::riscv
