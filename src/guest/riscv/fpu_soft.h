#pragma once
// Software IEEE 754 arithmetic for the cases the host FPU cannot do exactly:
// the RMM rounding mode (no SSE equivalent), saturating and unsigned integer
// conversions, and comparisons. Every operation here is complete (NaNs,
// infinities, zeros, subnormals, all five rounding modes), so the unit tests
// can check it against the host FPU in the four modes both have.
//
// Rounding follows IEEE 754-2019 §4.3 and §7 as RISC-V uses it: tininess is
// detected after rounding, UF is raised only when the result is also inexact,
// OF always comes with NX, and NaN results are canonical.
#include <bit>
#include <cstdint>

#include "guest/riscv/fpu.h"

namespace mimic::riscv::fpu {

// Format parameters of binary32 (uint32_t) and binary64 (uint64_t).
template <class T>
struct Fmt {
  static constexpr int kBits = sizeof(T) * 8;
  static constexpr int kMant = kBits == 32 ? 23 : 52;  // stored fraction bits
  static constexpr int kExpMax = kBits == 32 ? 0xff : 0x7ff;
  static constexpr int kBias = kExpMax >> 1;
  static constexpr T kSign = T(1) << (kBits - 1);
  static constexpr T kQuiet = T(1) << (kMant - 1);
  static constexpr T kInf = T(kExpMax) << kMant;
  static constexpr T kMaxFinite = kInf - 1;
  static constexpr T kNaN = kInf | kQuiet;  // canonical NaN

  static constexpr bool sign(T a) { return (a & kSign) != 0; }
  static constexpr T mag(T a) { return a & ~kSign; }
  static constexpr bool is_nan(T a) { return mag(a) > kInf; }
  static constexpr bool is_snan(T a) { return is_nan(a) && (a & kQuiet) == 0; }
  static constexpr bool is_inf(T a) { return mag(a) == kInf; }
  static constexpr bool is_zero(T a) { return mag(a) == 0; }
};

// A finite nonzero value: (-1)^sign * sig * 2^exp, sig not normalized.
struct Unpacked {
  bool sign;
  int exp;
  uint64_t sig;
};

template <class T>
constexpr Unpacked unpack(T a) {
  using F = Fmt<T>;
  const int e = static_cast<int>((a >> F::kMant) & F::kExpMax);
  const uint64_t frac = a & ((T(1) << F::kMant) - 1);
  if (e == 0) return {F::sign(a), 1 - F::kBias - F::kMant, frac};
  return {F::sign(a), e - F::kBias - F::kMant, frac | (uint64_t{1} << F::kMant)};
}

// Rounds (-1)^sign * sig * 2^exp to format T in mode rm, where sig has bit 63
// set and bit 0 is sticky (set if any nonzero bits were dropped below it).
// Handles overflow, subnormal results and the UF/OF/NX flags.
template <class T>
T round_pack(bool sign, int exp, uint64_t sig, Rm rm, uint32_t& flags);

namespace soft {
template <class T>
T add(T a, T b, Rm rm, uint32_t& flags);
template <class T>
T mul(T a, T b, Rm rm, uint32_t& flags);
template <class T>
T div(T a, T b, Rm rm, uint32_t& flags);
template <class T>
T sqrt(T a, Rm rm, uint32_t& flags);
template <class T>
T fma(T a, T b, T c, Rm rm, uint32_t& flags);
uint32_t f64_to_f32(uint64_t a, Rm rm, uint32_t& flags);
uint64_t f32_to_f64(uint32_t a, uint32_t& flags);
}  // namespace soft

}  // namespace mimic::riscv::fpu
