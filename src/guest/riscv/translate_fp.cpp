// F and D extensions (RISC-V unprivileged ISA 20191213, ch. 11 and 12).
//
// Loads, stores, moves and sign injection are plain IR: they never round,
// never raise flags and never canonicalize NaNs (§11.5, §11.6, §11.10).
// Arithmetic, conversions and comparisons whose rounding mode is known at
// translation to be round-to-nearest-even (a static rm, or DYN with frm in
// the TB flags) or that cannot round are IR floating-point ops (ir/fp.h, run
// on the host FPU; their flags accrue in the host FP status, see riscv/cpu.h).
// Everything else that rounds, compares or may raise a flag (other modes,
// RMM, reserved frm values, fmin/fmax, fclass, unsigned 64-bit conversions)
// calls the helpers of fpu_helpers.h, which also resolve the dynamic mode.
//
// NaN-boxing (§12.2): a single written to an f register gets its upper 32
// bits set; a single read from one that is not boxed is the canonical NaN.
// Transfers (flw/fsw, fmv.x.w/fmv.w.x) move bits without that check.
#include <cstdlib>

#include "guest/riscv/fpu.h"
#include "guest/riscv/fpu_helpers.h"
#include "guest/riscv/translate.h"
#include "ir/eval_fp.h"
#include "ir/fp.h"

namespace mimic::riscv {

using ir::Cond;
using ir::I64;

namespace {

constexpr int kS = 0;  // format index of the helpers: single
constexpr int kD = 1;  // double
constexpr uint64_t kSign[2] = {0x80000000u, 0x8000000000000000u};

// Static modes 0..4 and DYN (7); 5 and 6 are reserved (§11.2).
bool rm_ok(const Args& a) { return a.rm <= fpu::kRmm || a.rm == fpu::kRmDyn; }

const FpHelperIds& ids() { return fp_helper_ids(); }

using ir::Opcode;

// MIMIC_HOST_FP=0 turns the IR floating-point ops off (helpers only).
bool host_fp_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("MIMIC_HOST_FP");
    return !(e && *e == '0');
  }();
  return on;
}

// The mode the instruction rounds in, when known at translation: its static
// rm, or frm (from the TB flags) for DYN. Values above kRmm are illegal at
// run time (the helpers raise it).
uint32_t effective_rm(const Ctx& c, const Args& a) {
  return a.rm == fpu::kRmDyn ? static_cast<uint32_t>(c.flags & kTbFlagsFrmMask) : a.rm;
}
bool valid_rm(const Ctx& c, const Args& a) { return effective_rm(c, a) <= fpu::kRmm; }
bool rne(const Ctx& c, const Args& a) { return host_fp_enabled() && effective_rm(c, a) == fpu::kRne; }

// An IR floating-point op with a fresh output.
I64 fp_op(Ctx& c, Opcode opc, std::initializer_list<uint32_t> in, std::initializer_list<uint64_t> k) {
  const I64 d = c.b.new_i64();
  switch (in.size()) {
    case 1: c.b.emit(opc, {d.idx, in.begin()[0]}, k); break;
    case 2: c.b.emit(opc, {d.idx, in.begin()[0], in.begin()[1]}, k); break;
    default: c.b.emit(opc, {d.idx, in.begin()[0], in.begin()[1], in.begin()[2]}, k); break;
  }
  return d;
}

// A result of format fmt as an f register value (singles NaN-boxed).
I64 fp_result(Ctx& c, int fmt, I64 v) {
  return fmt == kS ? c.b.or_(v, c.b.const_i64(fpu::kBoxMask)) : v;
}

constexpr uint64_t kNan = ir::kFpNanCanonical;

I64 address(Ctx& c, const Args& a) {
  const I64 base = c.gpr(a.rs1);
  if (a.imm == 0) return base;
  return c.b.add(base, c.b.const_i64(static_cast<uint64_t>(a.imm)));
}

// f[r] read as a single: unboxed values become the (boxed) canonical NaN.
I64 single_operand(Ctx& c, int r) {
  ir::Builder& b = c.b;
  const I64 v = c.fpr(r);
  return b.movcond(Cond::GEU, v, b.const_i64(fpu::kBoxMask), v,
                   b.const_i64(fpu::box32(fpu::kCanonicalNaN32)));
}

I64 operand(Ctx& c, int fmt, int r) { return fmt == kS ? single_operand(c, r) : c.fpr(r); }

I64 rm_arg(Ctx& c, const Args& a) { return c.b.const_i64(a.rm); }

// --- arithmetic ---

// fast[fmt]: the IR op used in round-to-nearest-even.
bool binary(Ctx& c, const Args& a, int fmt, uint32_t helper, const Opcode fast[2]) {
  if (!rm_ok(a)) return false;
  if (rne(c, a)) {
    const I64 x = operand(c, fmt, a.rs1);
    const I64 y = a.rs2 == a.rs1 ? x : operand(c, fmt, a.rs2);
    c.set_fpr(a.rd, fp_result(c, fmt, fp_op(c, fast[fmt], {x.idx, y.idx}, {kNan})));
    return true;
  }
  c.set_fpr(a.rd, c.b.call(helper, {c.fpr(a.rs1), c.fpr(a.rs2), rm_arg(c, a)}));
  return true;
}

constexpr Opcode kAdd[2] = {Opcode::fadd_f32, Opcode::fadd_f64};
constexpr Opcode kSub[2] = {Opcode::fsub_f32, Opcode::fsub_f64};
constexpr Opcode kMul[2] = {Opcode::fmul_f32, Opcode::fmul_f64};
constexpr Opcode kDiv[2] = {Opcode::fdiv_f32, Opcode::fdiv_f64};

bool square_root(Ctx& c, const Args& a, int fmt) {
  if (!rm_ok(a)) return false;
  if (rne(c, a)) {
    const Opcode o = fmt == kS ? Opcode::fsqrt_f32 : Opcode::fsqrt_f64;
    c.set_fpr(a.rd, fp_result(c, fmt, fp_op(c, o, {operand(c, fmt, a.rs1).idx}, {kNan})));
    return true;
  }
  c.set_fpr(a.rd, c.b.call(ids().sqrt[fmt], {c.fpr(a.rs1), rm_arg(c, a)}));
  return true;
}

// fmadd: a*b + c; fmsub: a*b - c; fnmsub: -(a*b) + c; fnmadd: -(a*b) - c,
// each with a single rounding (§11.6). Negating an operand is exact, so the
// variants are fma on sign-flipped operands. Flipping bit 31 of an unboxed
// single leaves it unboxed, so the helper still sees the canonical NaN.
bool fused(Ctx& c, const Args& a, int fmt, bool neg_product, bool neg_addend) {
  if (!rm_ok(a)) return false;
  ir::Builder& b = c.b;
  if (rne(c, a) && ir::eval::host_has_fma()) {
    // Unboxed operands are read as the canonical NaN before the sign flips.
    I64 x = operand(c, fmt, a.rs1);
    I64 z = operand(c, fmt, a.rs3);
    if (neg_product) x = b.xor_(x, b.const_i64(kSign[fmt]));
    if (neg_addend) z = b.xor_(z, b.const_i64(kSign[fmt]));
    const I64 y = operand(c, fmt, a.rs2);
    const Opcode o = fmt == kS ? Opcode::fma_f32 : Opcode::fma_f64;
    c.set_fpr(a.rd, fp_result(c, fmt, fp_op(c, o, {x.idx, y.idx, z.idx}, {kNan})));
    return true;
  }
  I64 x = c.fpr(a.rs1);
  I64 z = c.fpr(a.rs3);
  if (neg_product) x = b.xor_(x, b.const_i64(kSign[fmt]));
  if (neg_addend) z = b.xor_(z, b.const_i64(kSign[fmt]));
  c.set_fpr(a.rd, b.call(ids().fma[fmt], {x, c.fpr(a.rs2), z, rm_arg(c, a)}));
  return true;
}

// --- sign injection (§11.6): result = magnitude of rs1, sign from rs2 ---

enum class Sgnj { Copy, Negate, Xor };

bool sign_inject(Ctx& c, const Args& a, int fmt, Sgnj kind) {
  ir::Builder& b = c.b;
  const I64 x = operand(c, fmt, a.rs1);
  const I64 y = a.rs2 == a.rs1 ? x : operand(c, fmt, a.rs2);
  const I64 sign = b.const_i64(kSign[fmt]);
  I64 r;
  switch (kind) {
    case Sgnj::Copy:
      r = b.or_(b.andc(x, sign), b.and_(y, sign));
      break;
    case Sgnj::Negate:
      r = b.or_(b.andc(x, sign), b.andc(sign, y));
      break;
    case Sgnj::Xor:
      r = b.xor_(x, b.and_(y, sign));
      break;
  }
  c.set_fpr(a.rd, r);  // singles: x's upper half (all ones) is kept
  return true;
}

// --- min/max, comparisons, classification ---

bool min_max(Ctx& c, const Args& a, uint32_t helper) {
  c.set_fpr(a.rd, c.b.call(helper, {c.fpr(a.rs1), c.fpr(a.rs2)}));
  return true;
}

// Emitted even for rd = x0: it may set NV.
bool compare(Ctx& c, const Args& a, int fmt, uint32_t helper, const Opcode fast[2]) {
  if (host_fp_enabled()) {
    const I64 x = operand(c, fmt, a.rs1);
    const I64 y = a.rs2 == a.rs1 ? x : operand(c, fmt, a.rs2);
    c.set_gpr(a.rd, fp_op(c, fast[fmt], {x.idx, y.idx}, {}));
    return true;
  }
  c.set_gpr(a.rd, c.b.call(helper, {c.fpr(a.rs1), c.fpr(a.rs2)}));
  return true;
}

constexpr Opcode kFeq[2] = {Opcode::feq_f32, Opcode::feq_f64};
constexpr Opcode kFlt[2] = {Opcode::flt_f32, Opcode::flt_f64};
constexpr Opcode kFle[2] = {Opcode::fle_f32, Opcode::fle_f64};

bool fclass(Ctx& c, const Args& a, int fmt) {
  c.set_gpr(a.rd, c.b.call(ids().fclass[fmt], {c.fpr(a.rs1)}));
  return true;
}

// --- conversions (§11.7, §12.5) ---

// Signed conversions in RTZ (C casts) or RNE: cvt(t)sd2si saturates like
// RISC-V once the out-of-range minimum is fixed up (ir/eval_fp.h).
bool to_int(Ctx& c, const Args& a, int fmt, fpu::IntKind kind) {
  if (!rm_ok(a)) return false;
  ir::Builder& b = c.b;
  const uint32_t rm = effective_rm(c, a);
  if (host_fp_enabled() && (kind == fpu::kW || kind == fpu::kL) && (rm == fpu::kRne || rm == fpu::kRtz)) {
    static constexpr Opcode kOps[2][2] = {{Opcode::fcvt_i32_f32, Opcode::fcvt_i64_f32},
                                          {Opcode::fcvt_i32_f64, Opcode::fcvt_i64_f64}};
    const uint64_t mode = rm == fpu::kRtz ? ir::kFpToIntTrunc : ir::kFpToIntNearest;
    c.set_gpr(a.rd, fp_op(c, kOps[fmt][kind == fpu::kL], {operand(c, fmt, a.rs1).idx}, {mode}));
    return true;
  }
  c.set_gpr(a.rd, b.call(ids().to_int[fmt], {c.fpr(a.rs1), rm_arg(c, a), b.const_i64(kind)}));
  return true;
}

// 32-bit integers convert exactly to doubles, in every (valid) mode.
bool from_int(Ctx& c, const Args& a, int fmt, fpu::IntKind kind) {
  if (!rm_ok(a)) return false;
  ir::Builder& b = c.b;
  const bool exact = fmt == kD && (kind == fpu::kW || kind == fpu::kWU);
  if (host_fp_enabled() && kind != fpu::kLU && valid_rm(c, a) && (exact || rne(c, a))) {
    static constexpr Opcode kOps[2][3] = {
        {Opcode::fcvt_f32_i32, Opcode::fcvt_f32_u32, Opcode::fcvt_f32_i64},
        {Opcode::fcvt_f64_i32, Opcode::fcvt_f64_u32, Opcode::fcvt_f64_i64}};
    c.set_fpr(a.rd, fp_result(c, fmt, fp_op(c, kOps[fmt][kind], {c.gpr(a.rs1).idx}, {})));
    return true;
  }
  c.set_fpr(a.rd, b.call(ids().from_int[fmt], {c.gpr(a.rs1), rm_arg(c, a), b.const_i64(kind)}));
  return true;
}

}  // namespace

// --- loads and stores (§11.5, §12.3); misaligned accesses are allowed ---

bool trans_flw(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  const I64 v = b.ld(address(c, a), ir::memop(2));
  c.set_fpr(a.rd, b.or_(v, b.const_i64(fpu::kBoxMask)));
  return true;
}

bool trans_fld(Ctx& c, const Args& a) {
  c.set_fpr(a.rd, c.b.ld(address(c, a), ir::memop(3)));
  return true;
}

bool trans_fsw(Ctx& c, const Args& a) {
  c.b.st(c.fpr(a.rs2), address(c, a), ir::memop(2));  // low 32 bits, boxed or not
  return true;
}

bool trans_fsd(Ctx& c, const Args& a) {
  c.b.st(c.fpr(a.rs2), address(c, a), ir::memop(3));
  return true;
}

// --- fused multiply-add ---

bool trans_fmadd_s(Ctx& c, const Args& a) { return fused(c, a, kS, false, false); }
bool trans_fmsub_s(Ctx& c, const Args& a) { return fused(c, a, kS, false, true); }
bool trans_fnmsub_s(Ctx& c, const Args& a) { return fused(c, a, kS, true, false); }
bool trans_fnmadd_s(Ctx& c, const Args& a) { return fused(c, a, kS, true, true); }
bool trans_fmadd_d(Ctx& c, const Args& a) { return fused(c, a, kD, false, false); }
bool trans_fmsub_d(Ctx& c, const Args& a) { return fused(c, a, kD, false, true); }
bool trans_fnmsub_d(Ctx& c, const Args& a) { return fused(c, a, kD, true, false); }
bool trans_fnmadd_d(Ctx& c, const Args& a) { return fused(c, a, kD, true, true); }

// --- arithmetic ---

bool trans_fadd_s(Ctx& c, const Args& a) { return binary(c, a, kS, ids().add[kS], kAdd); }
bool trans_fsub_s(Ctx& c, const Args& a) { return binary(c, a, kS, ids().sub[kS], kSub); }
bool trans_fmul_s(Ctx& c, const Args& a) { return binary(c, a, kS, ids().mul[kS], kMul); }
bool trans_fdiv_s(Ctx& c, const Args& a) { return binary(c, a, kS, ids().div[kS], kDiv); }
bool trans_fsqrt_s(Ctx& c, const Args& a) { return square_root(c, a, kS); }
bool trans_fadd_d(Ctx& c, const Args& a) { return binary(c, a, kD, ids().add[kD], kAdd); }
bool trans_fsub_d(Ctx& c, const Args& a) { return binary(c, a, kD, ids().sub[kD], kSub); }
bool trans_fmul_d(Ctx& c, const Args& a) { return binary(c, a, kD, ids().mul[kD], kMul); }
bool trans_fdiv_d(Ctx& c, const Args& a) { return binary(c, a, kD, ids().div[kD], kDiv); }
bool trans_fsqrt_d(Ctx& c, const Args& a) { return square_root(c, a, kD); }

// --- sign injection ---

bool trans_fsgnj_s(Ctx& c, const Args& a) { return sign_inject(c, a, kS, Sgnj::Copy); }
bool trans_fsgnjn_s(Ctx& c, const Args& a) { return sign_inject(c, a, kS, Sgnj::Negate); }
bool trans_fsgnjx_s(Ctx& c, const Args& a) { return sign_inject(c, a, kS, Sgnj::Xor); }
bool trans_fsgnj_d(Ctx& c, const Args& a) { return sign_inject(c, a, kD, Sgnj::Copy); }
bool trans_fsgnjn_d(Ctx& c, const Args& a) { return sign_inject(c, a, kD, Sgnj::Negate); }
bool trans_fsgnjx_d(Ctx& c, const Args& a) { return sign_inject(c, a, kD, Sgnj::Xor); }

// --- min/max, comparisons, classification ---

bool trans_fmin_s(Ctx& c, const Args& a) { return min_max(c, a, ids().min[kS]); }
bool trans_fmax_s(Ctx& c, const Args& a) { return min_max(c, a, ids().max[kS]); }
bool trans_fmin_d(Ctx& c, const Args& a) { return min_max(c, a, ids().min[kD]); }
bool trans_fmax_d(Ctx& c, const Args& a) { return min_max(c, a, ids().max[kD]); }
bool trans_feq_s(Ctx& c, const Args& a) { return compare(c, a, kS, ids().feq[kS], kFeq); }
bool trans_flt_s(Ctx& c, const Args& a) { return compare(c, a, kS, ids().flt[kS], kFlt); }
bool trans_fle_s(Ctx& c, const Args& a) { return compare(c, a, kS, ids().fle[kS], kFle); }
bool trans_feq_d(Ctx& c, const Args& a) { return compare(c, a, kD, ids().feq[kD], kFeq); }
bool trans_flt_d(Ctx& c, const Args& a) { return compare(c, a, kD, ids().flt[kD], kFlt); }
bool trans_fle_d(Ctx& c, const Args& a) { return compare(c, a, kD, ids().fle[kD], kFle); }
bool trans_fclass_s(Ctx& c, const Args& a) { return fclass(c, a, kS); }
bool trans_fclass_d(Ctx& c, const Args& a) { return fclass(c, a, kD); }

// --- conversions ---

bool trans_fcvt_w_s(Ctx& c, const Args& a) { return to_int(c, a, kS, fpu::kW); }
bool trans_fcvt_wu_s(Ctx& c, const Args& a) { return to_int(c, a, kS, fpu::kWU); }
bool trans_fcvt_l_s(Ctx& c, const Args& a) { return to_int(c, a, kS, fpu::kL); }
bool trans_fcvt_lu_s(Ctx& c, const Args& a) { return to_int(c, a, kS, fpu::kLU); }
bool trans_fcvt_w_d(Ctx& c, const Args& a) { return to_int(c, a, kD, fpu::kW); }
bool trans_fcvt_wu_d(Ctx& c, const Args& a) { return to_int(c, a, kD, fpu::kWU); }
bool trans_fcvt_l_d(Ctx& c, const Args& a) { return to_int(c, a, kD, fpu::kL); }
bool trans_fcvt_lu_d(Ctx& c, const Args& a) { return to_int(c, a, kD, fpu::kLU); }
bool trans_fcvt_s_w(Ctx& c, const Args& a) { return from_int(c, a, kS, fpu::kW); }
bool trans_fcvt_s_wu(Ctx& c, const Args& a) { return from_int(c, a, kS, fpu::kWU); }
bool trans_fcvt_s_l(Ctx& c, const Args& a) { return from_int(c, a, kS, fpu::kL); }
bool trans_fcvt_s_lu(Ctx& c, const Args& a) { return from_int(c, a, kS, fpu::kLU); }
bool trans_fcvt_d_w(Ctx& c, const Args& a) { return from_int(c, a, kD, fpu::kW); }
bool trans_fcvt_d_wu(Ctx& c, const Args& a) { return from_int(c, a, kD, fpu::kWU); }
bool trans_fcvt_d_l(Ctx& c, const Args& a) { return from_int(c, a, kD, fpu::kL); }
bool trans_fcvt_d_lu(Ctx& c, const Args& a) { return from_int(c, a, kD, fpu::kLU); }

bool trans_fcvt_s_d(Ctx& c, const Args& a) {
  if (!rm_ok(a)) return false;
  if (rne(c, a)) {
    c.set_fpr(a.rd, fp_result(c, kS, fp_op(c, Opcode::fcvt_f32_f64, {c.fpr(a.rs1).idx}, {kNan})));
    return true;
  }
  c.set_fpr(a.rd, c.b.call(ids().f64_to_f32, {c.fpr(a.rs1), rm_arg(c, a)}));
  return true;
}

// Exact: any valid mode (a reserved one stays on the helper, which raises).
bool trans_fcvt_d_s(Ctx& c, const Args& a) {
  if (!rm_ok(a)) return false;
  if (host_fp_enabled() && valid_rm(c, a)) {
    c.set_fpr(a.rd, fp_op(c, Opcode::fcvt_f64_f32, {single_operand(c, a.rs1).idx}, {kNan}));
    return true;
  }
  c.set_fpr(a.rd, c.b.call(ids().f32_to_f64, {c.fpr(a.rs1), rm_arg(c, a)}));
  return true;
}

// --- moves between register files (§11.10, §12.6): bits unchanged ---

bool trans_fmv_x_w(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, c.b.ext32s(c.fpr(a.rs1)));
  return true;
}

bool trans_fmv_w_x(Ctx& c, const Args& a) {
  ir::Builder& b = c.b;
  c.set_fpr(a.rd, b.or_(c.gpr(a.rs1), b.const_i64(fpu::kBoxMask)));
  return true;
}

bool trans_fmv_x_d(Ctx& c, const Args& a) {
  c.set_gpr(a.rd, c.b.or_(c.fpr(a.rs1), c.b.const_i64(0)));
  return true;
}

bool trans_fmv_d_x(Ctx& c, const Args& a) {
  c.set_fpr(a.rd, c.b.or_(c.gpr(a.rs1), c.b.const_i64(0)));
  return true;
}

}  // namespace mimic::riscv
