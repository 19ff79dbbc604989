#pragma once
// RISC-V F and D arithmetic on raw IEEE 754 bits (RISC-V unprivileged ISA
// 20191213, ch. 11 "F" and ch. 12 "D"). uint32_t operands are binary32,
// uint64_t operands are binary64. Every function takes a *static* rounding
// mode (0..4; the dynamic mode is resolved by the caller) and ORs the
// exceptions it raises into `flags` (fflags layout: NV DZ OF UF NX).
//
// Results follow the RISC-V rules, not the host's: any NaN result is the
// canonical NaN, tininess is detected after rounding, conversions to integers
// saturate. Work is done on the host FPU (SSE, MXCSR set from the RISC-V mode)
// where it can be, and in software (fpu_soft.h) where it cannot: the RMM mode,
// integer conversions, comparisons.
#include <cstdint>

namespace mimic::riscv::fpu {

// Rounding modes, encoded as in the rm field and the frm CSR (§11.2).
enum Rm : uint32_t {
  kRne = 0,    // to nearest, ties to even
  kRtz = 1,    // toward zero
  kRdn = 2,    // down (toward -inf)
  kRup = 3,    // up (toward +inf)
  kRmm = 4,    // to nearest, ties to max magnitude
  kRmDyn = 7,  // rm field only: use frm
};

// Accrued exception flags (fflags, §11.2).
enum Flag : uint32_t {
  kFlagNX = 1u << 0,  // inexact
  kFlagUF = 1u << 1,  // underflow
  kFlagOF = 1u << 2,  // overflow
  kFlagDZ = 1u << 3,  // divide by zero
  kFlagNV = 1u << 4,  // invalid operation
};

constexpr uint32_t kCanonicalNaN32 = 0x7fc00000u;
constexpr uint64_t kCanonicalNaN64 = 0x7ff8000000000000ull;
constexpr uint64_t kBoxMask = 0xffffffff00000000ull;

// NaN-boxing (§12.2): a single in a 64-bit f register has its upper 32 bits
// all ones; a single operand that is not properly boxed reads as the
// canonical NaN.
constexpr uint64_t box32(uint32_t v) { return kBoxMask | v; }
constexpr uint32_t unbox32(uint64_t v) {
  return (v & kBoxMask) == kBoxMask ? static_cast<uint32_t>(v) : kCanonicalNaN32;
}

// Integer operand/result kinds of FCVT (the rs2 field of FCVT.int.fmt and
// FCVT.fmt.int): 32-bit signed/unsigned, 64-bit signed/unsigned.
enum IntKind : uint32_t { kW = 0, kWU = 1, kL = 2, kLU = 3 };

// --- arithmetic (§11.6) ---
template <class T>
T add(T a, T b, Rm rm, uint32_t& flags);
template <class T>
T sub(T a, T b, Rm rm, uint32_t& flags);
template <class T>
T mul(T a, T b, Rm rm, uint32_t& flags);
template <class T>
T div(T a, T b, Rm rm, uint32_t& flags);
template <class T>
T sqrt(T a, Rm rm, uint32_t& flags);
// a*b + c with a single rounding. FMSUB/FNMSUB/FNMADD are this with the sign
// bits of the operands flipped (exact). inf*0 + qNaN raises NV (§11.6).
template <class T>
T fma(T a, T b, T c, Rm rm, uint32_t& flags);

// --- min/max (§11.6, IEEE 754-2019 minimumNumber/maximumNumber) ---
template <class T>
T min(T a, T b, uint32_t& flags);
template <class T>
T max(T a, T b, uint32_t& flags);

// --- comparisons (§11.8): feq quiet, flt/fle signaling ---
template <class T>
bool feq(T a, T b, uint32_t& flags);
template <class T>
bool flt(T a, T b, uint32_t& flags);
template <class T>
bool fle(T a, T b, uint32_t& flags);

// --- classification (§11.9): one-hot 10-bit mask ---
template <class T>
uint32_t classify(T a);

// --- conversions (§11.7, §12.5) ---
// Float to integer; the result is the RV64 register value (32-bit kinds are
// sign-extended, FCVT.WU included). Saturates with NV on NaN (-> max) and out
// of range; NX when in range and inexact.
template <class T>
uint64_t to_int(T a, IntKind kind, Rm rm, uint32_t& flags);
// Integer (register value; 32-bit kinds use the low 32 bits) to float.
template <class T>
T from_int(uint64_t x, IntKind kind, Rm rm, uint32_t& flags);
uint64_t f32_to_f64(uint32_t a, uint32_t& flags);
uint32_t f64_to_f32(uint64_t a, Rm rm, uint32_t& flags);

}  // namespace mimic::riscv::fpu
