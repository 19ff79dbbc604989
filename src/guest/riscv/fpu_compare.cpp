// Comparisons, min/max and classification (RISC-V unprivileged ISA §11.6,
// §11.8, §11.9). Pure integer work on the encodings: no rounding involved.
#include "guest/riscv/fpu_soft.h"

namespace mimic::riscv::fpu {

namespace {

// Maps an encoding to an unsigned key ordered like the values it encodes,
// with -0 < +0 (non-NaN operands only).
template <class T>
T order_key(T a) {
  return Fmt<T>::sign(a) ? static_cast<T>(~a) : static_cast<T>(a | Fmt<T>::kSign);
}

// fmin/fmax (minimumNumber/maximumNumber, ISA 20191213 §11.6): a signaling
// NaN operand raises NV; one NaN operand yields the other operand; two NaNs
// yield the canonical NaN; -0 is smaller than +0.
template <class T>
T min_max(T a, T b, bool want_max, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_snan(a) || F::is_snan(b)) flags |= kFlagNV;
  const bool na = F::is_nan(a), nb = F::is_nan(b);
  if (na && nb) return F::kNaN;
  if (na) return b;
  if (nb) return a;
  const bool a_less = order_key(a) < order_key(b);
  return a_less != want_max ? a : b;
}

// a < b for non-NaN operands, with -0 == +0.
template <class T>
bool less(T a, T b) {
  using F = Fmt<T>;
  if (F::is_zero(a) && F::is_zero(b)) return false;
  return order_key(a) < order_key(b);
}

}  // namespace

template <class T>
T min(T a, T b, uint32_t& flags) {
  return min_max(a, b, false, flags);
}

template <class T>
T max(T a, T b, uint32_t& flags) {
  return min_max(a, b, true, flags);
}

// FEQ is a quiet comparison: NV only for signaling NaN operands.
template <class T>
bool feq(T a, T b, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_nan(a) || F::is_nan(b)) {
    if (F::is_snan(a) || F::is_snan(b)) flags |= kFlagNV;
    return false;
  }
  return a == b || (F::is_zero(a) && F::is_zero(b));
}

// FLT and FLE are signaling comparisons: NV for any NaN operand.
template <class T>
bool flt(T a, T b, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_nan(a) || F::is_nan(b)) {
    flags |= kFlagNV;
    return false;
  }
  return less(a, b);
}

template <class T>
bool fle(T a, T b, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_nan(a) || F::is_nan(b)) {
    flags |= kFlagNV;
    return false;
  }
  return !less(b, a);
}

// FCLASS bits (§11.9, table 11.5): 0 -inf, 1 -normal, 2 -subnormal, 3 -0,
// 4 +0, 5 +subnormal, 6 +normal, 7 +inf, 8 signaling NaN, 9 quiet NaN.
template <class T>
uint32_t classify(T a) {
  using F = Fmt<T>;
  if (F::is_nan(a)) return F::is_snan(a) ? 1u << 8 : 1u << 9;
  const bool neg = F::sign(a);
  const T m = F::mag(a);
  unsigned bit;
  if (m == F::kInf) {
    bit = neg ? 0 : 7;
  } else if (m == 0) {
    bit = neg ? 3 : 4;
  } else if (m < (T(1) << F::kMant)) {
    bit = neg ? 2 : 5;
  } else {
    bit = neg ? 1 : 6;
  }
  return 1u << bit;
}

#define MIMIC_CMP_INSTANTIATE(T)         \
  template T min<T>(T, T, uint32_t&);    \
  template T max<T>(T, T, uint32_t&);    \
  template bool feq<T>(T, T, uint32_t&); \
  template bool flt<T>(T, T, uint32_t&); \
  template bool fle<T>(T, T, uint32_t&); \
  template uint32_t classify<T>(T);
MIMIC_CMP_INSTANTIATE(uint32_t)
MIMIC_CMP_INSTANTIATE(uint64_t)
#undef MIMIC_CMP_INSTANTIATE

}  // namespace mimic::riscv::fpu
