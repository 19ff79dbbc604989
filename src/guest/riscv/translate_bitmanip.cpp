// Zba, Zbb and Zbs, RV64 forms (RISC-V Bitmanip 1.0.0, ch. 2 and the
// instruction pages of ch. 4).
#include "guest/riscv/translate.h"

namespace mimic::riscv {

using ir::Cond;
using ir::I32;
using ir::I64;

namespace {

I64 zext32(Ctx& c, I64 v) { return c.b.ext32u(v); }
I64 k(Ctx& c, uint64_t v) { return c.b.const_i64(v); }

}  // namespace

#define RV_BIT_R(name, expr)                 \
  bool trans_##name(Ctx& c, const Args& a) { \
    ir::Builder& b = c.b;                    \
    const I64 x = c.gpr(a.rs1);              \
    const I64 y = c.gpr(a.rs2);              \
    c.set_gpr(a.rd, expr);                   \
    return true;                             \
  }
#define RV_BIT_I(name, expr)                 \
  bool trans_##name(Ctx& c, const Args& a) { \
    ir::Builder& b = c.b;                    \
    const I64 x = c.gpr(a.rs1);              \
    const I64 y = k(c, a.shamt);             \
    c.set_gpr(a.rd, expr);                   \
    return true;                             \
  }
#define RV_BIT_U(name, expr)                 \
  bool trans_##name(Ctx& c, const Args& a) { \
    ir::Builder& b = c.b;                    \
    const I64 x = c.gpr(a.rs1);              \
    c.set_gpr(a.rd, expr);                   \
    return true;                             \
  }
// Unary on the low 32 bits; the count (0..32) is zero-extended.
#define RV_BIT_U32(name, op)                              \
  bool trans_##name(Ctx& c, const Args& a) {              \
    ir::Builder& b = c.b;                                 \
    c.set_gpr(a.rd, b.extu(b.op(b.trunc(c.gpr(a.rs1))))); \
    return true;                                          \
  }

// --- Zba: rd = rs2 + (rs1 << n), .uw forms zero-extend rs1's low word ---
RV_BIT_R(add_uw, b.add(y, zext32(c, x)))
RV_BIT_R(sh1add, b.add(y, b.shl(x, k(c, 1))))
RV_BIT_R(sh2add, b.add(y, b.shl(x, k(c, 2))))
RV_BIT_R(sh3add, b.add(y, b.shl(x, k(c, 3))))
RV_BIT_R(sh1add_uw, b.add(y, b.shl(zext32(c, x), k(c, 1))))
RV_BIT_R(sh2add_uw, b.add(y, b.shl(zext32(c, x), k(c, 2))))
RV_BIT_R(sh3add_uw, b.add(y, b.shl(zext32(c, x), k(c, 3))))
RV_BIT_I(slli_uw, b.shl(zext32(c, x), y))

// --- Zbb ---
RV_BIT_R(andn, b.andc(x, y))
RV_BIT_R(orn, b.orc(x, y))
RV_BIT_R(xnor, b.eqv(x, y))
RV_BIT_U(clz, b.clz(x))
RV_BIT_U(ctz, b.ctz(x))
RV_BIT_U(cpop, b.ctpop(x))
RV_BIT_U32(clzw, clz)
RV_BIT_U32(ctzw, ctz)
RV_BIT_U32(cpopw, ctpop)
RV_BIT_R(max, b.movcond(Cond::GT, x, y, x, y))
RV_BIT_R(maxu, b.movcond(Cond::GTU, x, y, x, y))
RV_BIT_R(min, b.movcond(Cond::LT, x, y, x, y))
RV_BIT_R(minu, b.movcond(Cond::LTU, x, y, x, y))
RV_BIT_U(sext_b, b.ext8s(x))
RV_BIT_U(sext_h, b.ext16s(x))
RV_BIT_U(zext_h, b.ext16u(x))
RV_BIT_R(rol, b.rotl(x, y))
RV_BIT_R(ror, b.rotr(x, y))
RV_BIT_I(rori, b.rotr(x, y))
RV_BIT_U(rev8, b.bswap(x))

// 32-bit rotates rotate the low word and sign-extend the result.
bool trans_rolw(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  c.set_gpr(a.rd, b.exts(b.rotl(b.trunc(c.gpr(a.rs1)), b.trunc(c.gpr(a.rs2)))));
  return true;
}
bool trans_rorw(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  c.set_gpr(a.rd, b.exts(b.rotr(b.trunc(c.gpr(a.rs1)), b.trunc(c.gpr(a.rs2)))));
  return true;
}
bool trans_roriw(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  c.set_gpr(a.rd, b.exts(b.rotr(b.trunc(c.gpr(a.rs1)), b.const_i32(a.shamt & 31))));
  return true;
}

// orc.b: each byte becomes 0xff if non-zero, else 0x00. Adding 0x7f to the
// low 7 bits of a byte sets its top bit iff those bits are non-zero; or-ing
// the byte itself adds its own top bit. The top bits, moved to bit 0 of each
// byte and multiplied by 0xff, fill the bytes without carries.
bool trans_orc_b(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  const I64 x = c.gpr(a.rs1);
  const I64 low7 = k(c, 0x7f7f7f7f7f7f7f7full);
  const I64 t = b.or_(b.add(b.and_(x, low7), low7), x);
  const I64 tops = b.shr(b.and_(t, k(c, 0x8080808080808080ull)), k(c, 7));
  c.set_gpr(a.rd, b.mul(tops, k(c, 0xff)));
  return true;
}

// --- Zbs: the bit index is rs2 (or shamt) modulo 64, as the IR's shl. ---
RV_BIT_R(bclr, b.andc(x, b.shl(k(c, 1), y)))
RV_BIT_R(bext, b.and_(b.shr(x, y), k(c, 1)))
RV_BIT_R(binv, b.xor_(x, b.shl(k(c, 1), y)))
RV_BIT_R(bset, b.or_(x, b.shl(k(c, 1), y)))
RV_BIT_I(bclri, b.andc(x, b.shl(k(c, 1), y)))
RV_BIT_I(bexti, b.and_(b.shr(x, y), k(c, 1)))
RV_BIT_I(binvi, b.xor_(x, b.shl(k(c, 1), y)))
RV_BIT_I(bseti, b.or_(x, b.shl(k(c, 1), y)))

}  // namespace mimic::riscv
