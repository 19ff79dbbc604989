// Software IEEE 754 arithmetic (see fpu_soft.h). Intermediate results are
// exact or "jammed": a 128-bit integer significand whose bit 0 is forced to 1
// when nonzero bits were dropped below it. With at least two bits between the
// rounding position and bit 0, a jammed value rounds exactly like the true
// value in every mode (it lies strictly between the same two neighbours of
// every rounding boundary), so one final round_pack gives the correctly
// rounded result.
#include "guest/riscv/fpu_soft.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace mimic::riscv::fpu {

namespace {

using u128 = unsigned __int128;

int bit_length(u128 v) {
  const uint64_t hi = static_cast<uint64_t>(v >> 64);
  const uint64_t lo = static_cast<uint64_t>(v);
  if (hi != 0) return 128 - std::countl_zero(hi);
  return 64 - std::countl_zero(lo);
}

// Whether rounding the kept part q up by one unit is required, given the
// dropped part rem and half, the weight of the first dropped bit (IEEE 754 §4.3).
bool round_up(u128 q, u128 rem, u128 half, bool sign, Rm rm) {
  switch (rm) {
    case kRne:
      return rem > half || (rem == half && (q & 1) != 0);
    case kRtz:
      return false;
    case kRdn:
      return sign && rem != 0;
    case kRup:
      return !sign && rem != 0;
    case kRmm:
      return rem >= half;
    default:
      return false;
  }
}

// v * 2^exp (v != 0) as a 64-bit significand with bit 63 set and bit 0
// jammed; exp is adjusted to match.
uint64_t normalize(u128 v, int& exp) {
  const int len = bit_length(v);
  if (len <= 64) {
    exp -= 64 - len;
    return static_cast<uint64_t>(v) << (64 - len);
  }
  const int sh = len - 64;
  exp += sh;
  const bool sticky = (v & ((u128{1} << sh) - 1)) != 0;
  return static_cast<uint64_t>(v >> sh) | (sticky ? 1 : 0);
}

template <class T>
T round_sum(bool sign, u128 v, int exp, Rm rm, uint32_t& flags) {
  const uint64_t sig = normalize(v, exp);
  return round_pack<T>(sign, exp, sig, rm, flags);
}

// Exact zero result of a sum of opposite-signed values: +0, or -0 when
// rounding down (IEEE 754 §6.3).
template <class T>
T exact_zero(Rm rm) {
  return rm == kRdn ? Fmt<T>::kSign : 0;
}

// Rounds (-1)^sx * x * 2^ex + (-1)^sy * y * 2^ey (x, y nonzero, at most 106
// bits each) to T.
template <class T>
T add_core(bool sx, u128 x, int ex, bool sy, u128 y, int ey, Rm rm, uint32_t& flags) {
  if (ex + bit_length(x) < ey + bit_length(y)) {
    std::swap(sx, sy);
    std::swap(x, y);
    std::swap(ex, ey);
  }
  // x's leading bit goes to bit 125: room for the carry, and at least 20 zero
  // bits below x so a jammed y keeps the sum's low bit meaningful.
  const int lx = bit_length(x);
  x <<= 126 - lx;
  ex -= 126 - lx;
  const int d = ey - ex;
  if (d >= 0) {
    y <<= d;  // y's leading bit is at or below x's
  } else if (-d >= bit_length(y)) {
    y = 1;  // entirely below bit 0: only its stickiness matters
  } else {
    const bool sticky = (y & ((u128{1} << -d) - 1)) != 0;
    y = (y >> -d) | (sticky ? 1 : 0);
  }
  if (sx == sy) return round_sum<T>(sx, x + y, ex, rm, flags);
  if (x == y) return exact_zero<T>(rm);
  if (x > y) return round_sum<T>(sx, x - y, ex, rm, flags);
  return round_sum<T>(sy, y - x, ex, rm, flags);
}

// NaN operands: NV for a signaling one, canonical NaN result (§11.3).
template <class T>
T nan_result(uint32_t& flags, std::initializer_list<T> ops) {
  for (T v : ops)
    if (Fmt<T>::is_snan(v)) flags |= kFlagNV;
  return Fmt<T>::kNaN;
}

template <class T>
T invalid(uint32_t& flags) {
  flags |= kFlagNV;
  return Fmt<T>::kNaN;
}

u128 isqrt(u128 n, u128& rem) {
  u128 res = 0;
  u128 bit = u128{1} << 126;
  while (bit > n) bit >>= 2;
  while (bit != 0) {
    if (n >= res + bit) {
      n -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  rem = n;
  return res;
}

}  // namespace

template <class T>
T round_pack(bool sign, int exp, uint64_t sig, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  constexpr int kP = F::kMant + 1;  // precision in bits
  const T s = sign ? F::kSign : 0;
  const int eb = exp + 63 + F::kBias;  // biased exponent if the result is normal
  bool overflow = eb >= F::kExpMax;
  T bits = 0;
  if (!overflow) {
    int shift = 64 - kP;
    bool tiny = false;
    if (eb < 1) {
      // Tininess after rounding: would rounding to kP bits with an unbounded
      // exponent stay below 2^emin? Only eb == 0 can reach it (by carrying).
      if (eb < 0) {
        tiny = true;
      } else {
        const uint64_t q = sig >> shift;
        const uint64_t rem = sig & ((uint64_t{1} << shift) - 1);
        tiny = !(q == (uint64_t{1} << kP) - 1 &&
                 round_up(q, rem, uint64_t{1} << (shift - 1), sign, rm));
      }
      shift = std::min(shift + 1 - eb, 65);  // beyond 65 the outcome is the same
    }
    const u128 v = sig;
    u128 q = v >> shift;
    const u128 rem = v & ((u128{1} << shift) - 1);
    if (round_up(q, rem, u128{1} << (shift - 1), sign, rm)) q += 1;
    if (rem != 0) flags |= tiny ? (kFlagNX | kFlagUF) : kFlagNX;
    if (eb < 1) {
      bits = static_cast<T>(q);  // a carry into bit kMant gives the minimum normal
    } else {
      // q holds the hidden bit; a carry out of the significand bumps the exponent.
      bits = (static_cast<T>(eb - 1) << F::kMant) + static_cast<T>(q);
      overflow = (bits >> F::kMant) >= static_cast<T>(F::kExpMax);
    }
  }
  if (overflow) {
    flags |= kFlagOF | kFlagNX;
    const bool to_inf = rm == kRne || rm == kRmm || (rm == kRdn && sign) || (rm == kRup && !sign);
    return s | (to_inf ? F::kInf : F::kMaxFinite);
  }
  return s | bits;
}

namespace soft {

template <class T>
T add(T a, T b, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_nan(a) || F::is_nan(b)) return nan_result<T>(flags, {a, b});
  if (F::is_inf(a)) return F::is_inf(b) && F::sign(a) != F::sign(b) ? invalid<T>(flags) : a;
  if (F::is_inf(b)) return b;
  if (F::is_zero(a) && F::is_zero(b)) return F::sign(a) == F::sign(b) ? a : exact_zero<T>(rm);
  if (F::is_zero(a)) return b;
  if (F::is_zero(b)) return a;
  const Unpacked ua = unpack(a), ub = unpack(b);
  return add_core<T>(ua.sign, ua.sig, ua.exp, ub.sign, ub.sig, ub.exp, rm, flags);
}

template <class T>
T mul(T a, T b, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_nan(a) || F::is_nan(b)) return nan_result<T>(flags, {a, b});
  const bool sign = F::sign(a) != F::sign(b);
  const T s = sign ? F::kSign : 0;
  if (F::is_inf(a) || F::is_inf(b))
    return F::is_zero(a) || F::is_zero(b) ? invalid<T>(flags) : s | F::kInf;
  if (F::is_zero(a) || F::is_zero(b)) return s;
  const Unpacked ua = unpack(a), ub = unpack(b);
  return round_sum<T>(sign, u128{ua.sig} * ub.sig, ua.exp + ub.exp, rm, flags);
}

template <class T>
T div(T a, T b, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_nan(a) || F::is_nan(b)) return nan_result<T>(flags, {a, b});
  const bool sign = F::sign(a) != F::sign(b);
  const T s = sign ? F::kSign : 0;
  if (F::is_inf(a)) return F::is_inf(b) ? invalid<T>(flags) : s | F::kInf;
  if (F::is_inf(b)) return s;
  if (F::is_zero(b)) {
    if (F::is_zero(a)) return invalid<T>(flags);
    flags |= kFlagDZ;
    return s | F::kInf;
  }
  if (F::is_zero(a)) return s;
  const Unpacked ua = unpack(a), ub = unpack(b);
  const int sh = 126 - bit_length(ua.sig);  // the quotient gets >= 72 bits
  const u128 n = u128{ua.sig} << sh;
  const u128 q = n / ub.sig;
  const bool sticky = n % ub.sig != 0;
  return round_sum<T>(sign, q | (sticky ? 1 : 0), ua.exp - sh - ub.exp, rm, flags);
}

template <class T>
T sqrt(T a, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  if (F::is_nan(a)) return nan_result<T>(flags, {a});
  if (F::is_zero(a)) return a;  // sqrt(-0) = -0
  if (F::sign(a)) return invalid<T>(flags);
  if (F::is_inf(a)) return a;
  const Unpacked u = unpack(a);
  int sh = 125 - bit_length(u.sig);
  if (((u.exp - sh) & 1) != 0) ++sh;  // even exponent, root gets >= 62 bits
  u128 rem;
  const u128 r = isqrt(u128{u.sig} << sh, rem);
  return round_sum<T>(false, r | (rem != 0 ? 1 : 0), (u.exp - sh) / 2, rm, flags);
}

template <class T>
T fma(T a, T b, T c, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  const bool inf_times_zero = (F::is_inf(a) && F::is_zero(b)) || (F::is_zero(a) && F::is_inf(b));
  if (F::is_nan(a) || F::is_nan(b) || F::is_nan(c)) {
    if (inf_times_zero) flags |= kFlagNV;  // even with a quiet NaN addend (§11.6)
    return nan_result<T>(flags, {a, b, c});
  }
  if (inf_times_zero) return invalid<T>(flags);
  const bool sp = F::sign(a) != F::sign(b);
  if (F::is_inf(a) || F::is_inf(b)) {
    if (F::is_inf(c) && F::sign(c) != sp) return invalid<T>(flags);
    return (sp ? F::kSign : 0) | F::kInf;
  }
  if (F::is_inf(c)) return c;
  if (F::is_zero(a) || F::is_zero(b)) {
    if (F::is_zero(c) && F::sign(c) != sp) return exact_zero<T>(rm);
    return c;  // exact: 0 + c, or two zeros of the same sign
  }
  const Unpacked ua = unpack(a), ub = unpack(b);
  const u128 p = u128{ua.sig} * ub.sig;
  if (F::is_zero(c)) return round_sum<T>(sp, p, ua.exp + ub.exp, rm, flags);
  const Unpacked uc = unpack(c);
  return add_core<T>(sp, p, ua.exp + ub.exp, uc.sign, uc.sig, uc.exp, rm, flags);
}

uint32_t f64_to_f32(uint64_t a, Rm rm, uint32_t& flags) {
  using F = Fmt<uint64_t>;
  const uint32_t s = F::sign(a) ? Fmt<uint32_t>::kSign : 0;
  if (F::is_nan(a)) {
    if (F::is_snan(a)) flags |= kFlagNV;
    return kCanonicalNaN32;
  }
  if (F::is_inf(a)) return s | Fmt<uint32_t>::kInf;
  if (F::is_zero(a)) return s;
  const Unpacked u = unpack(a);
  return round_sum<uint32_t>(u.sign, u.sig, u.exp, rm, flags);
}

uint64_t f32_to_f64(uint32_t a, uint32_t& flags) {
  using F = Fmt<uint32_t>;
  const uint64_t s = F::sign(a) ? Fmt<uint64_t>::kSign : 0;
  if (F::is_nan(a)) {
    if (F::is_snan(a)) flags |= kFlagNV;
    return kCanonicalNaN64;
  }
  if (F::is_inf(a)) return s | Fmt<uint64_t>::kInf;
  if (F::is_zero(a)) return s;
  const Unpacked u = unpack(a);
  return round_sum<uint64_t>(u.sign, u.sig, u.exp, kRne, flags);  // always exact
}

#define MIMIC_SOFT_INSTANTIATE(T)         \
  template T add<T>(T, T, Rm, uint32_t&); \
  template T mul<T>(T, T, Rm, uint32_t&); \
  template T div<T>(T, T, Rm, uint32_t&); \
  template T sqrt<T>(T, Rm, uint32_t&);   \
  template T fma<T>(T, T, T, Rm, uint32_t&);
MIMIC_SOFT_INSTANTIATE(uint32_t)
MIMIC_SOFT_INSTANTIATE(uint64_t)
#undef MIMIC_SOFT_INSTANTIATE

}  // namespace soft

// --- integer conversions (§11.7): always in software, the host has neither
// saturation nor unsigned conversions ---

template <class T>
uint64_t to_int(T a, IntKind kind, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  // Largest magnitude allowed for positive and for negative results, and the
  // saturated results (register values: 32-bit kinds sign-extended).
  struct Limits {
    uint64_t pos_max, neg_max, sat_pos, sat_neg;
  };
  static constexpr Limits kLimits[4] = {
      {0x7fffffffu, 0x80000000u, 0x7fffffffu, 0xffffffff80000000u},  // W
      {0xffffffffu, 0, ~uint64_t{0}, 0},                             // WU
      {0x7fffffffffffffffu, 0x8000000000000000u, 0x7fffffffffffffffu, 0x8000000000000000u},
      {~uint64_t{0}, 0, ~uint64_t{0}, 0},  // LU
  };
  const Limits& lim = kLimits[kind & 3];
  if (F::is_nan(a)) {
    flags |= kFlagNV;
    return lim.sat_pos;
  }
  const bool sign = F::sign(a);
  if (F::is_zero(a)) return 0;
  uint64_t mag = 0;
  bool in_range = !F::is_inf(a);
  bool inexact = false;
  if (in_range) {
    const Unpacked u = unpack(a);
    if (u.exp >= 0) {
      in_range = bit_length(u.sig) + u.exp <= 64;
      if (in_range) mag = u.sig << u.exp;
    } else {
      const int sh = std::min(-u.exp, 65);
      u128 q = u128{u.sig} >> sh;
      const u128 rem = u128{u.sig} & ((u128{1} << sh) - 1);
      if (round_up(q, rem, u128{1} << (sh - 1), sign, rm)) q += 1;
      mag = static_cast<uint64_t>(q);
      inexact = rem != 0;
    }
    in_range = in_range && mag <= (sign ? lim.neg_max : lim.pos_max);
  }
  if (!in_range) {
    flags |= kFlagNV;  // no NX with NV
    return sign ? lim.sat_neg : lim.sat_pos;
  }
  if (inexact) flags |= kFlagNX;
  const uint64_t r = sign ? 0 - mag : mag;
  if (kind == kW || kind == kWU) return static_cast<uint64_t>(static_cast<int32_t>(r));
  return r;
}

template <class T>
T from_int(uint64_t x, IntKind kind, Rm rm, uint32_t& flags) {
  bool sign = false;
  uint64_t mag = x;
  switch (kind) {
    case kW: {
      const int64_t v = static_cast<int32_t>(x);
      sign = v < 0;
      mag = sign ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      break;
    }
    case kWU:
      mag = static_cast<uint32_t>(x);
      break;
    case kL:
      sign = static_cast<int64_t>(x) < 0;
      mag = sign ? 0 - x : x;
      break;
    case kLU:
      break;
  }
  if (mag == 0) return 0;
  return round_sum<T>(sign, mag, 0, rm, flags);
}

template uint64_t to_int<uint32_t>(uint32_t, IntKind, Rm, uint32_t&);
template uint64_t to_int<uint64_t>(uint64_t, IntKind, Rm, uint32_t&);
template uint32_t from_int<uint32_t>(uint64_t, IntKind, Rm, uint32_t&);
template uint64_t from_int<uint64_t>(uint64_t, IntKind, Rm, uint32_t&);

template uint32_t round_pack<uint32_t>(bool, int, uint64_t, Rm, uint32_t&);
template uint64_t round_pack<uint64_t>(bool, int, uint64_t, Rm, uint32_t&);

}  // namespace mimic::riscv::fpu
