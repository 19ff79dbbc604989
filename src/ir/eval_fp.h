#pragma once
// Semantics of the IEEE floating-point ops of opcodes.inc, written once.
// The interpreter runs them through eval_fp; the JIT emits the same SSE
// instructions (backend/x86_64/emit_fp.cpp) and the unit tests compare both
// with the soft-float reference.
//
// Each op executes the SSE instruction for it, so the IEEE exception flags
// it raises accrue into the host thread's MXCSR exactly as in JIT code (see
// exec/host_fp.h for who takes them from there). MXCSR is assumed to be in
// its default state while guest code runs: round to nearest even, all
// exceptions masked, DAZ and FTZ off. Flag mapping, SSE -> IEEE: IE invalid,
// ZE divide by zero, OE overflow, UE underflow (tiny after rounding and
// inexact, as masked underflow is), PE inexact; DE has no IEEE meaning and
// is ignored by the takers.
//
// Not in eval.h's eval_pure on purpose: these ops have a side effect (the
// flags), so the constant folder must never evaluate them at translation.
#include <bit>
#include <cstdint>

#include "ir/fp.h"
#include "ir/ir.h"

#if !defined(__x86_64__)
#error "ir/eval_fp.h: host floating-point evaluation is implemented for x86-64 only"
#endif

#define MIMIC_FP_INLINE inline __attribute__((always_inline))

namespace mimic::ir::eval {

// Whether the host can run fma_f64/fma_f32 (FMA3). Translators emit those
// ops only when it can.
inline bool host_has_fma() {
  static const bool has = __builtin_cpu_supports("fma");
  return has;
}

namespace fp {

constexpr uint64_t kNaN64 = 0x7ff8000000000000ull;
constexpr uint32_t kNaN32 = 0x7fc00000u;
constexpr uint64_t kInf64 = 0x7ff0000000000000ull;
constexpr uint32_t kInf32 = 0x7f800000u;

// Integer tests (no FP instruction, so no flag).
MIMIC_FP_INLINE bool is_nan(uint64_t v) { return (v & ~(uint64_t{1} << 63)) > kInf64; }
MIMIC_FP_INLINE bool is_nan(uint32_t v) { return (v & 0x7fffffffu) > kInf32; }
MIMIC_FP_INLINE bool is_inf(uint64_t v) { return (v & ~(uint64_t{1} << 63)) == kInf64; }
MIMIC_FP_INLINE bool is_inf(uint32_t v) { return (v & 0x7fffffffu) == kInf32; }
MIMIC_FP_INLINE bool is_zero(uint64_t v) { return (v << 1) == 0; }
MIMIC_FP_INLINE bool is_zero(uint32_t v) { return (v << 1) == 0; }

MIMIC_FP_INLINE uint64_t fix_nan(uint64_t r) { return is_nan(r) ? kNaN64 : r; }
MIMIC_FP_INLINE uint64_t fix_nan(uint32_t r) { return is_nan(r) ? kNaN32 : r; }

MIMIC_FP_INLINE double d(uint64_t v) { return std::bit_cast<double>(v); }
MIMIC_FP_INLINE float s(uint64_t v) { return std::bit_cast<float>(static_cast<uint32_t>(v)); }
MIMIC_FP_INLINE uint64_t bits(double v) { return std::bit_cast<uint64_t>(v); }
MIMIC_FP_INLINE uint32_t bits(float v) { return std::bit_cast<uint32_t>(v); }

// Raises invalid (0/0 raises nothing else).
MIMIC_FP_INLINE void raise_invalid() {
  double z = 0.0;
  asm volatile("divsd %0, %0" : "+x"(z));
}

// One SSE instruction; `asm volatile` keeps it even when the result is unused.
#define MIMIC_FP_BIN(fn, insn_s, insn_d)                                    \
  MIMIC_FP_INLINE uint64_t fn##_f64(uint64_t a, uint64_t b) {               \
    double x = d(a), y = d(b);                                              \
    asm volatile(insn_d " %1, %0" : "+x"(x) : "x"(y));                      \
    return fix_nan(bits(x));                                                \
  }                                                                         \
  MIMIC_FP_INLINE uint64_t fn##_f32(uint64_t a, uint64_t b) {               \
    float x = s(a), y = s(b);                                               \
    asm volatile(insn_s " %1, %0" : "+x"(x) : "x"(y));                      \
    return fix_nan(bits(x));                                                \
  }
MIMIC_FP_BIN(add, "addss", "addsd")
MIMIC_FP_BIN(sub, "subss", "subsd")
MIMIC_FP_BIN(mul, "mulss", "mulsd")
MIMIC_FP_BIN(div, "divss", "divsd")
#undef MIMIC_FP_BIN

MIMIC_FP_INLINE uint64_t sqrt_f64(uint64_t a) {
  double x = d(a);
  asm volatile("sqrtsd %0, %0" : "+x"(x));
  return fix_nan(bits(x));
}
MIMIC_FP_INLINE uint64_t sqrt_f32(uint64_t a) {
  float x = s(a);
  asm volatile("sqrtss %0, %0" : "+x"(x));
  return fix_nan(bits(x));
}

// c + a*b with one rounding. With a NaN result, inf*0 raises invalid even
// when c is a quiet NaN (kFpNanCanonical, see ir/fp.h); other invalid cases
// are raised by the instruction itself.
MIMIC_FP_INLINE uint64_t fma_f64(uint64_t a, uint64_t b, uint64_t c) {
  double x = d(a), y = d(b), z = d(c);
  asm volatile("vfmadd231sd %2, %1, %0" : "+x"(z) : "x"(x), "x"(y));
  const uint64_t r = bits(z);
  if (!is_nan(r)) return r;
  if ((is_inf(a) && is_zero(b)) || (is_zero(a) && is_inf(b))) raise_invalid();
  return kNaN64;
}
MIMIC_FP_INLINE uint64_t fma_f32(uint64_t a, uint64_t b, uint64_t c) {
  float x = s(a), y = s(b), z = s(c);
  asm volatile("vfmadd231ss %2, %1, %0" : "+x"(z) : "x"(x), "x"(y));
  const uint32_t r = bits(z);
  if (!is_nan(r)) return r;
  const auto a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b);
  if ((is_inf(a32) && is_zero(b32)) || (is_zero(a32) && is_inf(b32))) raise_invalid();
  return kNaN32;
}

MIMIC_FP_INLINE uint64_t cvt_f32_f64(uint64_t a) {
  float r;
  asm volatile("cvtsd2ss %1, %0" : "=x"(r) : "x"(d(a)));
  return fix_nan(bits(r));
}
MIMIC_FP_INLINE uint64_t cvt_f64_f32(uint64_t a) {
  double r;
  asm volatile("cvtss2sd %1, %0" : "=x"(r) : "x"(s(a)));
  return fix_nan(bits(r));
}

// Integer -> float. Only inexact can be raised (i64 -> f64, i32/i64 -> f32).
MIMIC_FP_INLINE uint64_t cvt_f64_i64(int64_t v) {
  double r;
  asm volatile("cvtsi2sdq %1, %0" : "=x"(r) : "r"(v));
  return bits(r);
}
MIMIC_FP_INLINE uint64_t cvt_f32_i64(int64_t v) {
  float r;
  asm volatile("cvtsi2ssq %1, %0" : "=x"(r) : "r"(v));
  return bits(r);
}

// Float -> signed integer. SSE returns the "integer indefinite" value (the
// minimum) with invalid for NaN and out-of-range operands; NaN and positive
// operands then saturate to the maximum instead.
MIMIC_FP_INLINE uint64_t cvt_i64_f64(uint64_t a, uint64_t mode) {
  int64_t r;
  if (mode == kFpToIntTrunc) asm volatile("cvttsd2si %1, %0" : "=r"(r) : "x"(d(a)));
  else asm volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(d(a)));
  if (r == INT64_MIN && (is_nan(a) || !(a >> 63))) r = INT64_MAX;
  return static_cast<uint64_t>(r);
}
MIMIC_FP_INLINE uint64_t cvt_i32_f64(uint64_t a, uint64_t mode) {
  int32_t r;
  if (mode == kFpToIntTrunc) asm volatile("cvttsd2si %1, %0" : "=r"(r) : "x"(d(a)));
  else asm volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(d(a)));
  if (r == INT32_MIN && (is_nan(a) || !(a >> 63))) r = INT32_MAX;
  return static_cast<uint64_t>(int64_t{r});
}
MIMIC_FP_INLINE uint64_t cvt_i64_f32(uint64_t a, uint64_t mode) {
  int64_t r;
  const auto a32 = static_cast<uint32_t>(a);
  if (mode == kFpToIntTrunc) asm volatile("cvttss2si %1, %0" : "=r"(r) : "x"(s(a)));
  else asm volatile("cvtss2si %1, %0" : "=r"(r) : "x"(s(a)));
  if (r == INT64_MIN && (is_nan(a32) || !(a32 >> 31))) r = INT64_MAX;
  return static_cast<uint64_t>(r);
}
MIMIC_FP_INLINE uint64_t cvt_i32_f32(uint64_t a, uint64_t mode) {
  int32_t r;
  const auto a32 = static_cast<uint32_t>(a);
  if (mode == kFpToIntTrunc) asm volatile("cvttss2si %1, %0" : "=r"(r) : "x"(s(a)));
  else asm volatile("cvtss2si %1, %0" : "=r"(r) : "x"(s(a)));
  if (r == INT32_MIN && (is_nan(a32) || !(a32 >> 31))) r = INT32_MAX;
  return static_cast<uint64_t>(int64_t{r});
}

// Comparisons with the SSE predicates EQ_OQ (0, quiet), LT_OS (1) and
// LE_OS (2) (signaling: invalid for quiet NaNs too). The mask is all ones
// when true.
template <int kPred>
MIMIC_FP_INLINE uint64_t cmp_f64(uint64_t a, uint64_t b) {
  double x = d(a), y = d(b);
  asm volatile("cmpsd %2, %1, %0" : "+x"(x) : "x"(y), "i"(kPred));
  return bits(x) & 1;
}
template <int kPred>
MIMIC_FP_INLINE uint64_t cmp_f32(uint64_t a, uint64_t b) {
  float x = s(a), y = s(b);
  asm volatile("cmpss %2, %1, %0" : "+x"(x) : "x"(y), "i"(kPred));
  return bits(x) & 1;
}

}  // namespace fp

// Evaluates FP op `opc` on inputs a..c and its constant k (FpNan or
// FpToInt). Returns 0 for other ops (callers test is_fp first).
MIMIC_FP_INLINE uint64_t eval_fp(Opcode opc, uint64_t a, uint64_t b, uint64_t c, uint64_t k) {
  using namespace fp;
  switch (opc) {
    case Opcode::fadd_f64: return add_f64(a, b);
    case Opcode::fsub_f64: return sub_f64(a, b);
    case Opcode::fmul_f64: return mul_f64(a, b);
    case Opcode::fdiv_f64: return div_f64(a, b);
    case Opcode::fsqrt_f64: return sqrt_f64(a);
    case Opcode::fma_f64: return fma_f64(a, b, c);
    case Opcode::fadd_f32: return add_f32(a, b);
    case Opcode::fsub_f32: return sub_f32(a, b);
    case Opcode::fmul_f32: return mul_f32(a, b);
    case Opcode::fdiv_f32: return div_f32(a, b);
    case Opcode::fsqrt_f32: return sqrt_f32(a);
    case Opcode::fma_f32: return fma_f32(a, b, c);
    case Opcode::fcvt_f32_f64: return cvt_f32_f64(a);
    case Opcode::fcvt_f64_f32: return cvt_f64_f32(a);
    case Opcode::fcvt_f64_i32: return cvt_f64_i64(static_cast<int32_t>(a));
    case Opcode::fcvt_f64_u32: return cvt_f64_i64(static_cast<uint32_t>(a));
    case Opcode::fcvt_f64_i64: return cvt_f64_i64(static_cast<int64_t>(a));
    case Opcode::fcvt_f32_i32: return cvt_f32_i64(static_cast<int32_t>(a));
    case Opcode::fcvt_f32_u32: return cvt_f32_i64(static_cast<uint32_t>(a));
    case Opcode::fcvt_f32_i64: return cvt_f32_i64(static_cast<int64_t>(a));
    case Opcode::fcvt_i32_f64: return cvt_i32_f64(a, k);
    case Opcode::fcvt_i64_f64: return cvt_i64_f64(a, k);
    case Opcode::fcvt_i32_f32: return cvt_i32_f32(a, k);
    case Opcode::fcvt_i64_f32: return cvt_i64_f32(a, k);
    case Opcode::feq_f64: return cmp_f64<0>(a, b);
    case Opcode::flt_f64: return cmp_f64<1>(a, b);
    case Opcode::fle_f64: return cmp_f64<2>(a, b);
    case Opcode::feq_f32: return cmp_f32<0>(a, b);
    case Opcode::flt_f32: return cmp_f32<1>(a, b);
    case Opcode::fle_f32: return cmp_f32<2>(a, b);
    default: return 0;
  }
}

}  // namespace mimic::ir::eval

#undef MIMIC_FP_INLINE
