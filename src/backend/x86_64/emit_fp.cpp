// IEEE floating-point ops (opcodes.inc; exact semantics in ir/eval_fp.h,
// which the interpreter runs): the same SSE instruction, so results and the
// MXCSR flags agree bit for bit.
//
// Operands travel through xmm0-xmm3, used as scratch inside one op only (no
// xmm value lives across ops or helper calls). The rare cases are out of
// line (emit_fp_stubs, after the block):
//   - a NaN result (`ucomisd x, x` sets PF) becomes the canonical NaN; for
//     fma, inf*0 raises invalid there too (kFpNanCanonical, ir/fp.h);
//   - a float -> int conversion returning the "integer indefinite" (the
//     minimum, `cmp r, 1` overflows) saturates NaN and positive operands to
//     the maximum. SSE already raised invalid for them, and flags are sticky
//     ORs, so computing a comparison again there is harmless.
#include "backend/x86_64/compiler.h"
#include "ir/eval_fp.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;
using ir::Opcode;

namespace {

bool is_f32_op(Opcode o) {
  switch (o) {
    case Opcode::fadd_f32: case Opcode::fsub_f32: case Opcode::fmul_f32: case Opcode::fdiv_f32:
    case Opcode::fsqrt_f32: case Opcode::fma_f32:
    case Opcode::fcvt_f64_f32:  // operand is f32
    case Opcode::fcvt_i32_f32: case Opcode::fcvt_i64_f32:
    case Opcode::feq_f32: case Opcode::flt_f32: case Opcode::fle_f32:
      return true;
    default:
      return false;
  }
}

// f32 results: fma/arith of f32, int -> f32, f64 -> f32.
bool result_f32(Opcode o) {
  switch (o) {
    case Opcode::fadd_f32: case Opcode::fsub_f32: case Opcode::fmul_f32: case Opcode::fdiv_f32:
    case Opcode::fsqrt_f32: case Opcode::fma_f32: case Opcode::fcvt_f32_f64:
    case Opcode::fcvt_f32_i32: case Opcode::fcvt_f32_u32: case Opcode::fcvt_f32_i64:
      return true;
    default:
      return false;
  }
}

}  // namespace

// Loads temp t (f32: its low 32 bits) into x without taking a register.
void Compiler::fp_load(const Xbyak::Xmm& x, uint32_t t, bool f32) {
  const Temp& s = tmp_[t];
  if (s.reg >= 0) {
    if (f32) movd(x, Xbyak::Reg32(s.reg));
    else movq(x, Xbyak::Reg64(s.reg));
  } else if (is_const(t)) {
    const uint64_t v = const_val(t);
    if (v == 0) {
      xorps(x, x);
    } else {
      mov(r11, v);
      movq(x, r11);
    }
  } else if (f32) {
    movss(x, dword[mem_of(t).getRegExp()]);
  } else {
    movsd(x, mem_of(t));
  }
}

void Compiler::emit_fp(const ir::Op& op) {
  const Opcode o = op.opc;
  const bool f32 = is_f32_op(o);
  const uint32_t out = op.out(0);
  uint32_t lock = 0;
  const Xbyak::Xmm& x0 = xmm0;
  switch (o) {
    case Opcode::fcvt_f64_i32: case Opcode::fcvt_f64_u32: case Opcode::fcvt_f64_i64:
    case Opcode::fcvt_f32_i32: case Opcode::fcvt_f32_u32: case Opcode::fcvt_f32_i64: {
      const int ra = use(op.in(0), &lock);
      Xbyak::Operand src = Xbyak::Reg64(ra);
      if (o == Opcode::fcvt_f64_i32 || o == Opcode::fcvt_f32_i32) {
        src = Xbyak::Reg32(ra);
      } else if (o == Opcode::fcvt_f64_u32 || o == Opcode::fcvt_f32_u32) {
        mov(r11d, Xbyak::Reg32(ra));  // zero-extended: exact as an i64
        src = r11;
      }
      xorps(x0, x0);  // no false dependency on the old xmm0
      if (result_f32(o)) cvtsi2ss(x0, src);
      else cvtsi2sd(x0, src);
      break;
    }
    case Opcode::fcvt_i32_f64: case Opcode::fcvt_i64_f64:
    case Opcode::fcvt_i32_f32: case Opcode::fcvt_i64_f32: {
      const bool to32 = o == Opcode::fcvt_i32_f64 || o == Opcode::fcvt_i32_f32;
      fp_load(x0, op.in(0), f32);
      const int rd = alloc(lock);
      const Xbyak::Reg r = to32 ? Xbyak::Reg(Xbyak::Reg32(rd)) : Xbyak::Reg(Xbyak::Reg64(rd));
      const bool trunc = op.cst(0) == ir::kFpToIntTrunc;
      if (f32) {
        if (trunc) cvttss2si(r, x0);
        else cvtss2si(r, x0);
      } else {
        if (trunc) cvttsd2si(r, x0);
        else cvtsd2si(r, x0);
      }
      FpStub& st = fp_stubs_.emplace_back();
      st.opc = o;
      st.rd = rd;
      cmp(r, 1);  // overflows only for the minimum
      jo(st.label, T_NEAR);
      L(st.back);
      if (to32) movsxd(Xbyak::Reg64(rd), Xbyak::Reg32(rd));
      bind(out, rd);
      return;
    }
    case Opcode::feq_f64: case Opcode::flt_f64: case Opcode::fle_f64:
    case Opcode::feq_f32: case Opcode::flt_f32: case Opcode::fle_f32: {
      const uint8_t pred = (o == Opcode::feq_f64 || o == Opcode::feq_f32)   ? 0   // EQ_OQ
                           : (o == Opcode::flt_f64 || o == Opcode::flt_f32) ? 1   // LT_OS
                                                                            : 2;  // LE_OS
      fp_load(x0, op.in(0), f32);
      fp_load(xmm1, op.in(1), f32);
      if (f32) cmpss(x0, xmm1, pred);
      else cmpsd(x0, xmm1, pred);
      const int rd = alloc(lock);
      movd(Xbyak::Reg32(rd), x0);
      and_(Xbyak::Reg32(rd), 1);
      bind(out, rd);
      return;
    }
    default: {
      // Float results that may be NaN.
      switch (o) {
        case Opcode::fma_f64: case Opcode::fma_f32:
          fp_load(xmm1, op.in(0), f32);
          fp_load(xmm2, op.in(1), f32);
          fp_load(x0, op.in(2), f32);
          if (f32) vfmadd231ss(x0, xmm1, xmm2);
          else vfmadd231sd(x0, xmm1, xmm2);
          break;
        case Opcode::fsqrt_f64: fp_load(x0, op.in(0), false); sqrtsd(x0, x0); break;
        case Opcode::fsqrt_f32: fp_load(x0, op.in(0), true); sqrtss(x0, x0); break;
        case Opcode::fcvt_f32_f64: fp_load(x0, op.in(0), false); cvtsd2ss(x0, x0); break;
        case Opcode::fcvt_f64_f32: fp_load(x0, op.in(0), true); cvtss2sd(x0, x0); break;
        default:
          fp_load(x0, op.in(0), f32);
          fp_load(xmm1, op.in(1), f32);
          switch (o) {
            case Opcode::fadd_f64: addsd(x0, xmm1); break;
            case Opcode::fsub_f64: subsd(x0, xmm1); break;
            case Opcode::fmul_f64: mulsd(x0, xmm1); break;
            case Opcode::fdiv_f64: divsd(x0, xmm1); break;
            case Opcode::fadd_f32: addss(x0, xmm1); break;
            case Opcode::fsub_f32: subss(x0, xmm1); break;
            case Opcode::fmul_f32: mulss(x0, xmm1); break;
            case Opcode::fdiv_f32: divss(x0, xmm1); break;
            default: throw FrameFull{};  // not an FP op: let the interpreter run the block
          }
          break;
      }
      // A result is never a signaling NaN: this compare raises nothing.
      FpStub& st = fp_stubs_.emplace_back();
      st.opc = o;
      if (result_f32(o)) ucomiss(x0, x0);
      else ucomisd(x0, x0);
      jp(st.label, T_NEAR);
      L(st.back);
      break;
    }
  }
  const int rd = alloc(lock);
  if (result_f32(o)) movd(Xbyak::Reg32(rd), x0);  // zero-extends
  else movq(Xbyak::Reg64(rd), x0);
  bind(out, rd);
}

void Compiler::emit_fp_stubs() {
  for (FpStub& st : fp_stubs_) {
    L(st.label);
    switch (st.opc) {
      case Opcode::fcvt_i32_f64: case Opcode::fcvt_i64_f64:
      case Opcode::fcvt_i32_f32: case Opcode::fcvt_i64_f32: {
        // Indefinite: NaN (PF) or positive (above zero) saturate to the maximum.
        const bool to32 = st.opc == Opcode::fcvt_i32_f64 || st.opc == Opcode::fcvt_i32_f32;
        Xbyak::Label to_max;
        xorps(xmm1, xmm1);
        if (is_f32_op(st.opc)) ucomiss(xmm0, xmm1);
        else ucomisd(xmm0, xmm1);
        jp(to_max);
        jb(st.back, T_NEAR);  // negative: the minimum is right
        L(to_max);
        if (to32) not_(Xbyak::Reg32(st.rd));  // 0x80000000 -> 0x7fffffff
        else not_(Xbyak::Reg64(st.rd));
        jmp(st.back, T_NEAR);
        break;
      }
      default: {
        const bool r32 = result_f32(st.opc);
        if (st.opc == Opcode::fma_f64 || st.opc == Opcode::fma_f32) {
          // inf*0 (either order) raises invalid even if the addend is a quiet
          // NaN. The operands are still in xmm1 and xmm2. Shifted left by one
          // (sign dropped) and rotated so the exponent is in the low bits, a
          // value is zero iff 0 and infinite iff all exponent ones.
          const uint32_t inf = r32 ? 0xff : 0x7ff;
          const int rot = r32 ? 24 : 53;
          const Xbyak::Reg x = r32 ? Xbyak::Reg(r11d) : Xbyak::Reg(r11);
          auto classify = [&](const Xbyak::Xmm& v) {
            if (r32) movd(r11d, v);
            else movq(r11, v);
            shl(x, 1);
            ror(x, rot);
          };
          Xbyak::Label a_zero, invalid, done;
          classify(xmm1);
          test(x, x);
          jz(a_zero);
          cmp(x, inf);
          jne(done);
          classify(xmm2);  // a infinite: b zero?
          test(x, x);
          jz(invalid);
          jmp(done);
          L(a_zero);
          classify(xmm2);
          cmp(x, inf);
          jne(done);
          L(invalid);
          xorps(xmm3, xmm3);
          divsd(xmm3, xmm3);  // 0/0: invalid only
          L(done);
        }
        mov(r11, r32 ? ir::eval::fp::kNaN32 : ir::eval::fp::kNaN64);
        movq(xmm0, r11);
        jmp(st.back, T_NEAR);
        break;
      }
    }
  }
}

}  // namespace mimic::backend::x64
