// RV64I integer computation and the M extension (RISC-V unprivileged ISA
// 20191213, §2.4, §5.2, ch. 7). Each trans_<name> reads its sources before
// writing rd, since rd may equal a source.
#include "guest/riscv/translate.h"

namespace mimic::riscv {

using ir::Cond;
using ir::I32;
using ir::I64;

namespace {

I64 imm_of(Ctx& c, const Args& a) { return c.b.const_i64(static_cast<uint64_t>(a.imm)); }

// *W instructions: the 32-bit result is sign-extended to 64 bits (§5.2).
void set_gpr_w(Ctx& c, int rd, I64 v) { c.set_gpr(rd, c.b.ext32s(v)); }
void set_gpr_w32(Ctx& c, int rd, I32 v) { c.set_gpr(rd, c.b.exts(v)); }

}  // namespace

// Register-immediate: x[rd] = f(x[rs1], imm).
#define RV_ALU_I(name, expr)                 \
  bool trans_##name(Ctx& c, const Args& a) { \
    ir::Builder& b = c.b;                    \
    const I64 x = c.gpr(a.rs1);              \
    const I64 y = imm_of(c, a);              \
    c.set_gpr(a.rd, expr);                   \
    return true;                             \
  }
// Register-register: x[rd] = f(x[rs1], x[rs2]).
#define RV_ALU_R(name, expr)                 \
  bool trans_##name(Ctx& c, const Args& a) { \
    ir::Builder& b = c.b;                    \
    const I64 x = c.gpr(a.rs1);              \
    const I64 y = c.gpr(a.rs2);              \
    c.set_gpr(a.rd, expr);                   \
    return true;                             \
  }
// 32-bit register-register on the low halves, result sign-extended.
#define RV_ALU_R32(name, expr)               \
  bool trans_##name(Ctx& c, const Args& a) { \
    ir::Builder& b = c.b;                    \
    const I32 x = b.trunc(c.gpr(a.rs1));     \
    const I32 y = b.trunc(c.gpr(a.rs2));     \
    set_gpr_w32(c, a.rd, expr);              \
    return true;                             \
  }

bool trans_lui(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, imm_of(c, a));
  return true;
}

bool trans_auipc(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, c.b.const_i64(c.pc + static_cast<uint64_t>(a.imm)));
  return true;
}

RV_ALU_I(addi, b.add(x, y))
RV_ALU_I(slti, b.setcond(Cond::LT, x, y))
RV_ALU_I(sltiu, b.setcond(Cond::LTU, x, y))
RV_ALU_I(xori, b.xor_(x, y))
RV_ALU_I(ori, b.or_(x, y))
RV_ALU_I(andi, b.and_(x, y))

// RV64 shifts by immediate take a 6-bit shamt (§5.2).
bool trans_slli(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, c.b.shl(c.gpr(a.rs1), c.b.const_i64(a.shamt)));
  return true;
}
bool trans_srli(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, c.b.shr(c.gpr(a.rs1), c.b.const_i64(a.shamt)));
  return true;
}
bool trans_srai(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, c.b.sar(c.gpr(a.rs1), c.b.const_i64(a.shamt)));
  return true;
}

// Register shifts use the low 6 bits of rs2, as the IR's shifts do.
RV_ALU_R(add, b.add(x, y))
RV_ALU_R(sub, b.sub(x, y))
RV_ALU_R(sll, b.shl(x, y))
RV_ALU_R(slt, b.setcond(Cond::LT, x, y))
RV_ALU_R(sltu, b.setcond(Cond::LTU, x, y))
RV_ALU_R(xor, b.xor_(x, y))
RV_ALU_R(srl, b.shr(x, y))
RV_ALU_R(sra, b.sar(x, y))
RV_ALU_R(or, b.or_(x, y))
RV_ALU_R(and, b.and_(x, y))

bool trans_addiw(Ctx& c, const Args& a) {
  set_gpr_w(c, a.rd, c.b.add(c.gpr(a.rs1), imm_of(c, a)));
  return true;
}

// slliw & co.: shamt[5] is fixed to 0 by the patterns (else reserved).
bool trans_slliw(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  set_gpr_w32(c, a.rd, b.shl(b.trunc(c.gpr(a.rs1)), b.const_i32(a.shamt & 31)));
  return true;
}
bool trans_srliw(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  set_gpr_w32(c, a.rd, b.shr(b.trunc(c.gpr(a.rs1)), b.const_i32(a.shamt & 31)));
  return true;
}
bool trans_sraiw(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  set_gpr_w32(c, a.rd, b.sar(b.trunc(c.gpr(a.rs1)), b.const_i32(a.shamt & 31)));
  return true;
}

// The 32-bit IR shifts take the count modulo 32: rs2[4:0] as §5.2 requires.
RV_ALU_R32(addw, b.add(x, y))
RV_ALU_R32(subw, b.sub(x, y))
RV_ALU_R32(sllw, b.shl(x, y))
RV_ALU_R32(srlw, b.shr(x, y))
RV_ALU_R32(sraw, b.sar(x, y))

// --- M: the IR's div/rem already follow RISC-V's results for division by
// zero (quotient all ones, remainder the dividend) and overflow (MIN / -1 =
// MIN, remainder 0), table 7.1. ---
RV_ALU_R(mul, b.mul(x, y))
RV_ALU_R(mulh, b.mulsh(x, y))
RV_ALU_R(mulhu, b.muluh(x, y))
// signed x unsigned high half: mulhu(x, y) - (x < 0 ? y : 0).
RV_ALU_R(mulhsu, b.sub(b.muluh(x, y), b.and_(b.sar(x, b.const_i64(63)), y)))
RV_ALU_R(div, b.div(x, y))
RV_ALU_R(divu, b.divu(x, y))
RV_ALU_R(rem, b.rem(x, y))
RV_ALU_R(remu, b.remu(x, y))
RV_ALU_R32(mulw, b.mul(x, y))
RV_ALU_R32(divw, b.div(x, y))
RV_ALU_R32(divuw, b.divu(x, y))
RV_ALU_R32(remw, b.rem(x, y))
RV_ALU_R32(remuw, b.remu(x, y))

}  // namespace mimic::riscv
