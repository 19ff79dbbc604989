// Value ops: exactly the semantics of ir/eval.h. An i32 value in a register
// (or spill slot) is its low 32 bits; the upper half is undefined, so a
// truncation is a plain copy. Every consumer of an i32 uses 32-bit forms or
// extends explicitly (extu, muluh_i32, st_i32 of 8 bytes, popcount call).
#include <cstdlib>

#include "backend/x86_64/compiler.h"
#include "ir/helper.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;
using ir::Opcode;

namespace {

// The register at the op's width.
Xbyak::Reg W(int r, bool i32) {
  if (i32) return Xbyak::Reg32(r);
  return Xbyak::Reg64(r);
}

bool op_is_i32(const ir::Op& op) { return ir::arg_type(op.opc, 0) == ir::Type::I32; }

}  // namespace

void Compiler::emit_mov(const ir::Op& op) {
  uint32_t out = op.out(0), a = op.in(0);
  uint32_t lock = 0;
  const bool narrow = op.opc == Opcode::ext32u_i64 || op.opc == Opcode::extu_i32_i64;
  if (is_const(a)) {
    int rd = fresh_out(out, lock);
    uint64_t v = const_val(a);
    if (narrow) v = static_cast<uint32_t>(v);
    if (v == 0) xor_(Xbyak::Reg32(rd), Xbyak::Reg32(rd));
    else mov(R(rd), v);
    bind(out, rd);
    return;
  }
  int ra = use(a, &lock);
  if (out == a && !narrow) return;
  if (!narrow) {
    // A copy costs nothing: out shares a's register (a leaves it if dead).
    if (!is_global(a) && tmp_[a].last_use <= idx_) unlink(a);
    bind(out, ra);
    return;
  }
  int rd = can_clobber(ra, out, a) ? ra : fresh_out(out, lock);  // zero-extend while copying
  if (rd == ra) take(ra, out);
  mov(Xbyak::Reg32(rd), Xbyak::Reg32(ra));
  bind(out, rd);
}

// `and t, x, imm` whose only reader is the next op, `brcond t, 0` (EQ or
// NE) of the same width: emits nothing and leaves emit_brcond to test x
// against imm (the misaligned-address checks of atomics). x stays live up
// to the brcond. MIMIC_JIT_NO_FUSE_TEST=1 disables it.
namespace {
bool fusion_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("MIMIC_JIT_NO_FUSE_TEST");
    return !(e && *e && *e != '0');
  }();
  return on;
}
}  // namespace

// `ld_env t, off; brcond t, imm` with t read only there: the brcond
// compares env memory directly (emit_brcond). The load's sync of
// overlapping globals is done here, at the load's place.
bool Compiler::fuse_env_cmp(const ir::Op& op) {
  if (!fusion_enabled() || idx_ + 1 >= b_.ops.size()) return false;
  const bool i32 = op.opc == Opcode::ld_env_i32;
  const ir::Op& next = b_.ops[idx_ + 1];
  const uint32_t t = op.out(0);
  int32_t imm = 0;
  if (next.opc != (i32 ? Opcode::brcond_i32 : Opcode::brcond_i64) || next.in(0) != t ||
      next.in(1) == t || !imm32_of(next.in(1), i32, &imm))
    return false;
  if (b_.temps[t].kind != ir::TempKind::Local || tmp_[t].last_use != idx_ + 1) return false;
  env_cmp_off_ = static_cast<int32_t>(op.cst(0));
  sync_overlapping(env_cmp_off_, i32 ? 4 : 8, false);
  env_cmp_out_ = t;
  return true;
}

bool Compiler::fuse_test(const ir::Op& op) {
  if (!fusion_enabled() || (op.opc != Opcode::and_i64 && op.opc != Opcode::and_i32) ||
      idx_ + 1 >= b_.ops.size())
    return false;
  const bool i32 = op.opc == Opcode::and_i32;
  const ir::Op& next = b_.ops[idx_ + 1];
  const uint32_t t = op.out(0), x = op.in(0);
  int32_t imm = 0, zero = 0;
  if (next.opc != (i32 ? Opcode::brcond_i32 : Opcode::brcond_i64) || next.in(0) != t) return false;
  const auto c = static_cast<ir::Cond>(next.cst(0));
  if ((c != ir::Cond::EQ && c != ir::Cond::NE) || !imm32_of(next.in(1), i32, &zero) || zero != 0)
    return false;
  if (b_.temps[t].kind != ir::TempKind::Local || tmp_[t].last_use != idx_ + 1 || is_const(x) ||
      x == t || !imm32_of(op.in(1), i32, &imm))
    return false;
  test_out_ = t;
  test_in_ = x;
  test_imm_ = imm;
  if (!is_global(x) && tmp_[x].last_use < idx_ + 1) tmp_[x].last_use = idx_ + 1;
  return true;
}

void Compiler::emit_binary(const ir::Op& op) {
  if (fuse_test(op)) return;
  const bool i32 = op_is_i32(op);
  uint32_t out = op.out(0), a = op.in(0), b = op.in(1);
  uint32_t lock = 0;
  int32_t imm = 0;
  bool use_imm = imm32_of(b, i32, &imm);
  int ra = use(a, &lock);
  int rb = use_imm ? -1 : use(b, &lock);
  if ((op.opc == Opcode::add_i64 || op.opc == Opcode::add_i32) && !can_clobber(ra, out, a)) {
    // a stays live: copy-and-add in one instruction.
    int rd = fresh_out(out, lock);
    const Xbyak::Address src = use_imm ? ptr[R(ra) + imm] : ptr[R(ra) + R(rb)];
    if (i32) lea(Xbyak::Reg32(rd), src);
    else lea(R(rd), src);
    bind(out, rd);
    return;
  }
  int rd = dest_for(out, a, ra, &lock);
  const Xbyak::Reg d = W(rd, i32);
  // When rb aliases rd (out == a == b), the in-place op still reads the
  // right value: the register holds a.
  switch (op.opc) {
    case Opcode::add_i32: case Opcode::add_i64:
      if (use_imm) add(d, imm); else add(d, W(rb, i32));
      break;
    case Opcode::sub_i32: case Opcode::sub_i64:
      if (use_imm) sub(d, imm); else sub(d, W(rb, i32));
      break;
    case Opcode::mul_i32: case Opcode::mul_i64:
      if (use_imm) imul(d, d, imm); else imul(d, W(rb, i32));
      break;
    case Opcode::and_i32: case Opcode::and_i64:
      if (use_imm) and_(d, imm); else and_(d, W(rb, i32));
      break;
    case Opcode::or_i32: case Opcode::or_i64:
      if (use_imm) or_(d, imm); else or_(d, W(rb, i32));
      break;
    case Opcode::xor_i32: case Opcode::xor_i64:
      if (use_imm) xor_(d, imm); else xor_(d, W(rb, i32));
      break;
    case Opcode::andc_i32: case Opcode::andc_i64:
      if (use_imm) and_(d, ~imm);
      else {
        mov(r11, R(rb));
        not_(r11);
        and_(d, W(11, i32));
      }
      break;
    case Opcode::orc_i32: case Opcode::orc_i64:
      if (use_imm) or_(d, ~imm);
      else {
        mov(r11, R(rb));
        not_(r11);
        or_(d, W(11, i32));
      }
      break;
    case Opcode::eqv_i32: case Opcode::eqv_i64:
      if (use_imm) xor_(d, imm); else xor_(d, W(rb, i32));
      not_(d);
      break;
    default:
      break;
  }
  bind(out, rd);
}

void Compiler::emit_unary(const ir::Op& op) {
  uint32_t out = op.out(0), a = op.in(0);
  uint32_t lock = 0;
  int ra = use(a, &lock);
  if (!can_clobber(ra, out, a)) {
    // Extensions read the source directly: no copy first.
    const Xbyak::Reg32 s32(ra);
    int rd = -1;
    auto d32 = [&] { return Xbyak::Reg32(rd = fresh_out(out, lock)); };
    auto d64 = [&] { return Xbyak::Reg64(rd = fresh_out(out, lock)); };
    const Xbyak::Reg8 s8(ra, true);
    const Xbyak::Reg16 s16(ra);
    switch (op.opc) {
      case Opcode::ext8s_i32: movsx(d32(), s8); break;
      case Opcode::ext8u_i32: case Opcode::ext8u_i64: movzx(d32(), s8); break;
      case Opcode::ext16s_i32: movsx(d32(), s16); break;
      case Opcode::ext16u_i32: case Opcode::ext16u_i64: movzx(d32(), s16); break;
      case Opcode::ext8s_i64: movsx(d64(), s8); break;
      case Opcode::ext16s_i64: movsx(d64(), s16); break;
      case Opcode::ext32s_i64: case Opcode::exts_i32_i64: movsxd(d64(), s32); break;
      default: break;
    }
    if (rd >= 0) {
      bind(out, rd);
      return;
    }
  }
  int rd = dest_for(out, a, ra, &lock);
  const Xbyak::Reg32 d32(rd);
  const Xbyak::Reg64 d64(rd);
  switch (op.opc) {
    case Opcode::neg_i32: neg(d32); break;
    case Opcode::not_i32: not_(d32); break;
    case Opcode::bswap_i32: bswap(d32); break;
    case Opcode::neg_i64: neg(d64); break;
    case Opcode::not_i64: not_(d64); break;
    case Opcode::bswap_i64: bswap(d64); break;
    case Opcode::ext8s_i32: movsx(d32, Xbyak::Reg8(rd, true)); break;
    case Opcode::ext8u_i32: case Opcode::ext8u_i64: movzx(d32, Xbyak::Reg8(rd, true)); break;
    case Opcode::ext16s_i32: movsx(d32, Xbyak::Reg16(rd)); break;
    case Opcode::ext16u_i32: case Opcode::ext16u_i64: movzx(d32, Xbyak::Reg16(rd)); break;
    case Opcode::ext8s_i64: movsx(d64, Xbyak::Reg8(rd, true)); break;
    case Opcode::ext16s_i64: movsx(d64, Xbyak::Reg16(rd)); break;
    case Opcode::ext32s_i64: case Opcode::exts_i32_i64: movsxd(d64, d32); break;
    default: break;
  }
  bind(out, rd);
}

void Compiler::emit_shift(const ir::Op& op) {
  const bool i32 = op_is_i32(op);
  const unsigned mask = i32 ? 31 : 63;
  uint32_t out = op.out(0), a = op.in(0), b = op.in(1);
  uint32_t lock = 0;
  const bool rotate = op.opc == Opcode::rotl_i32 || op.opc == Opcode::rotr_i32 ||
                      op.opc == Opcode::rotl_i64 || op.opc == Opcode::rotr_i64;
  if (is_const(b)) {
    const uint8_t n = static_cast<uint8_t>(const_val(b) & mask);
    int ra = use(a, &lock);
    int rd = dest_for(out, a, ra, &lock);
    const Xbyak::Reg d = W(rd, i32);
    if (n != 0) {
      switch (op.opc) {
        case Opcode::shl_i32: case Opcode::shl_i64: shl(d, n); break;
        case Opcode::shr_i32: case Opcode::shr_i64: shr(d, n); break;
        case Opcode::sar_i32: case Opcode::sar_i64: sar(d, n); break;
        case Opcode::rotl_i32: case Opcode::rotl_i64: rol(d, n); break;
        default: ror(d, n); break;
      }
    }
    bind(out, rd);
    return;
  }
  if (!rotate && HostFeatures::get().bmi2) {
    int ra = use(a, &lock);
    int rb = use(b, &lock);
    int rd = can_clobber(ra, out, a) ? ra : fresh_out(out, lock);
    if (rd == ra) take(ra, out);
    auto shift = [&](const Xbyak::Reg32e& d, const Xbyak::Reg32e& s, const Xbyak::Reg32e& c) {
      switch (op.opc) {
        case Opcode::shl_i32: case Opcode::shl_i64: shlx(d, s, c); break;
        case Opcode::shr_i32: case Opcode::shr_i64: shrx(d, s, c); break;
        default: sarx(d, s, c); break;
      }
    };
    if (i32) shift(Xbyak::Reg32(rd), Xbyak::Reg32(ra), Xbyak::Reg32(rb));
    else shift(Xbyak::Reg64(rd), Xbyak::Reg64(ra), Xbyak::Reg64(rb));
    bind(out, rd);
    return;
  }
  // Count in cl; x86 masks it to 5/6 bits like the IR.
  reserve(kRcx, &lock);
  int rb = use(b, &lock);
  mov(ecx, Xbyak::Reg32(rb));
  int ra = use(a, &lock);
  int rd = dest_for(out, a, ra, &lock);
  const Xbyak::Reg d = W(rd, i32);
  switch (op.opc) {
    case Opcode::shl_i32: case Opcode::shl_i64: shl(d, cl); break;
    case Opcode::shr_i32: case Opcode::shr_i64: shr(d, cl); break;
    case Opcode::sar_i32: case Opcode::sar_i64: sar(d, cl); break;
    case Opcode::rotl_i32: case Opcode::rotl_i64: rol(d, cl); break;
    default: ror(d, cl); break;
  }
  bind(out, rd);
}

namespace {
uint64_t popcount_fallback(void*, uint64_t a, uint64_t, uint64_t, uint64_t) {
  return static_cast<uint64_t>(__builtin_popcountll(a));
}
uint64_t popcount32_fallback(void*, uint64_t a, uint64_t, uint64_t, uint64_t) {
  return static_cast<uint64_t>(__builtin_popcount(static_cast<uint32_t>(a)));
}
}  // namespace

void Compiler::emit_bitcount(const ir::Op& op) {
  const bool i32 = op_is_i32(op);
  const HostFeatures& hf = HostFeatures::get();
  uint32_t out = op.out(0), a = op.in(0);
  if ((op.opc == Opcode::ctpop_i32 || op.opc == Opcode::ctpop_i64) && !hf.popcnt) {
    uint32_t args[1] = {a};
    emit_call_fn(reinterpret_cast<const void*>(i32 ? &popcount32_fallback : &popcount_fallback),
                 ir::kHelperPure, args, 1, out);
    return;
  }
  uint32_t lock = 0;
  int ra = use(a, &lock);
  int rd = fresh_out(out, lock);
  const Xbyak::Reg d = W(rd, i32), s = W(ra, i32);
  const unsigned width = i32 ? 32 : 64;
  switch (op.opc) {
    case Opcode::clz_i32: case Opcode::clz_i64:
      if (hf.lzcnt) lzcnt(d, s);
      else {  // bsr gives the index of the top bit; 2*width-1 ^ (width-1) = width
        mov(r11d, 2 * width - 1);
        bsr(d, s);
        cmovz(d, W(11, i32));
        xor_(d, width - 1);
      }
      break;
    case Opcode::ctz_i32: case Opcode::ctz_i64:
      if (hf.bmi1) tzcnt(d, s);
      else {
        mov(r11d, width);
        bsf(d, s);
        cmovz(d, W(11, i32));
      }
      break;
    default:
      popcnt(d, s);
      break;
  }
  bind(out, rd);
}

void Compiler::emit_mulh(const ir::Op& op) {
  uint32_t out = op.out(0), a = op.in(0), b = op.in(1);
  uint32_t lock = 0;
  if (op.opc == Opcode::mulsh_i32 || op.opc == Opcode::muluh_i32) {
    int ra = use(a, &lock);
    int rb = use(b, &lock);
    int rd = fresh_out(out, lock);
    if (op.opc == Opcode::mulsh_i32) {
      movsxd(r11, Xbyak::Reg32(ra));
      movsxd(R(rd), Xbyak::Reg32(rb));
      imul(R(rd), r11);
      sar(R(rd), 32);
      mov(Xbyak::Reg32(rd), Xbyak::Reg32(rd));
    } else {  // zero-extended, the 64-bit product is exact
      mov(r11d, Xbyak::Reg32(ra));
      mov(Xbyak::Reg32(rd), Xbyak::Reg32(rb));
      imul(R(rd), r11);
      shr(R(rd), 32);
    }
    bind(out, rd);
    return;
  }
  reserve(kRax, &lock);
  reserve(kRdx, &lock);
  int rb = use(b, &lock);
  mov(r11, R(rb));
  int ra = use(a, &lock);
  mov(rax, R(ra));
  if (op.opc == Opcode::mulsh_i64) imul(r11);
  else mul(r11);
  bind(out, kRdx);
}

// RISC-V division (ir/eval.h): x/0 = all ones, x%0 = x, MIN/-1 = MIN,
// MIN%-1 = 0. x86 div/idiv trap on the first and idiv on the second, so both
// are checked first.
void Compiler::emit_div(const ir::Op& op) {
  const bool i32 = op_is_i32(op);
  const bool is_signed = op.opc == Opcode::div_i32 || op.opc == Opcode::rem_i32 ||
                         op.opc == Opcode::div_i64 || op.opc == Opcode::rem_i64;
  const bool is_rem = op.opc == Opcode::rem_i32 || op.opc == Opcode::remu_i32 ||
                      op.opc == Opcode::rem_i64 || op.opc == Opcode::remu_i64;
  uint32_t out = op.out(0), a = op.in(0), b = op.in(1);
  uint32_t lock = 0;
  reserve(kRax, &lock);
  reserve(kRdx, &lock);
  int rb = use(b, &lock);
  mov(r11, R(rb));
  int ra = use(a, &lock);
  mov(rax, R(ra));
  const Xbyak::Reg ax = W(kRax, i32), dx = W(kRdx, i32), dv = W(11, i32);
  Xbyak::Label zero, done, minus1;
  test(dv, dv);
  jz(zero);
  if (is_signed) {
    cmp(dv, -1);
    je(minus1);
    if (i32) cdq();
    else cqo();
    idiv(dv);
  } else {
    xor_(edx, edx);
    div(dv);
  }
  jmp(done);
  L(zero);  // quotient all ones, remainder the dividend
  if (is_rem) mov(dx, ax);
  else mov(rax, i32 ? 0xffffffffu : ~uint64_t{0});
  if (is_signed) {
    jmp(done);
    L(minus1);  // a / -1 = -a (wraps: MIN / -1 = MIN), a % -1 = 0
    if (is_rem) xor_(edx, edx);
    else neg(ax);
  }
  L(done);
  bind(out, is_rem ? kRdx : kRax);
}

void Compiler::emit_cmp(uint32_t a, uint32_t b, bool i32, uint32_t* lock) {
  int32_t imm = 0;
  int ra = use(a, lock);
  if (imm32_of(b, i32, &imm)) cmp(W(ra, i32), imm);
  else cmp(W(ra, i32), W(use(b, lock), i32));
}

namespace {
// Condition codes for ir::Cond (Intel SDM Vol. 1 Appendix B).
enum Cc { kE, kNE, kL, kGE, kLE, kG, kB, kAE, kBE, kA };
}  // namespace

void Compiler::emit_setcond(const ir::Op& op) {
  const bool i32 = ir::arg_type(op.opc, 1) == ir::Type::I32;
  uint32_t lock = 0;
  emit_cmp(op.in(0), op.in(1), i32, &lock);
  int rd = fresh_out(op.out(0), lock);  // alloc/mov emit no flag-changing instructions
  switch (op.cst(0)) {
    case kE: sete(r11b); break;
    case kNE: setne(r11b); break;
    case kL: setl(r11b); break;
    case kGE: setge(r11b); break;
    case kLE: setle(r11b); break;
    case kG: setg(r11b); break;
    case kB: setb(r11b); break;
    case kAE: setae(r11b); break;
    case kBE: setbe(r11b); break;
    default: seta(r11b); break;
  }
  movzx(Xbyak::Reg32(rd), r11b);
  bind(op.out(0), rd);
}

void Compiler::emit_movcond(const ir::Op& op) {
  const bool i32 = op_is_i32(op);
  uint32_t lock = 0;
  int rc = use(op.in(2), &lock);
  int rdd = use(op.in(3), &lock);
  int rd = alloc(lock);
  lock |= 1u << rd;
  mov(R(rd), R(rdd));
  emit_cmp(op.in(0), op.in(1), i32, &lock);
  const Xbyak::Reg d = R(rd), c = R(rc);
  switch (op.cst(0)) {
    case kE: cmove(d, c); break;
    case kNE: cmovne(d, c); break;
    case kL: cmovl(d, c); break;
    case kGE: cmovge(d, c); break;
    case kLE: cmovle(d, c); break;
    case kG: cmovg(d, c); break;
    case kB: cmovb(d, c); break;
    case kAE: cmovae(d, c); break;
    case kBE: cmovbe(d, c); break;
    default: cmova(d, c); break;
  }
  bind(op.out(0), rd);
}

}  // namespace mimic::backend::x64
