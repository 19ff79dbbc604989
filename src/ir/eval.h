#pragma once
// The semantics of the pure value ops of opcodes.inc, written once. The
// interpreter, the constant folder (and the JIT's tests) all evaluate through
// eval_pure, so they cannot disagree. Values travel as uint64_t; i32 values
// are zero-extended (the upper half is always 0 on output and ignored on
// input).
#include <cstdint>

#include "ir/ir.h"

#define MIMIC_ALWAYS_INLINE inline __attribute__((always_inline))

namespace mimic::ir::eval {

// Every op whose output is a function of its inputs and its constant only.
// (ld_env and call also have no flags but read state; they are not listed.)
#define MIMIC_IR_PURE_OPS(X)                                                            \
  X(mov_i32) X(mov_i64)                                                                 \
  X(add_i32) X(sub_i32) X(mul_i32) X(mulsh_i32) X(muluh_i32) X(div_i32) X(divu_i32)     \
  X(rem_i32) X(remu_i32) X(neg_i32) X(not_i32) X(and_i32) X(or_i32) X(xor_i32)          \
  X(andc_i32) X(orc_i32) X(eqv_i32) X(shl_i32) X(shr_i32) X(sar_i32) X(rotl_i32)        \
  X(rotr_i32) X(clz_i32) X(ctz_i32) X(ctpop_i32) X(bswap_i32) X(setcond_i32)            \
  X(movcond_i32) X(ext8s_i32) X(ext8u_i32) X(ext16s_i32) X(ext16u_i32)                  \
  X(add_i64) X(sub_i64) X(mul_i64) X(mulsh_i64) X(muluh_i64) X(div_i64) X(divu_i64)     \
  X(rem_i64) X(remu_i64) X(neg_i64) X(not_i64) X(and_i64) X(or_i64) X(xor_i64)          \
  X(andc_i64) X(orc_i64) X(eqv_i64) X(shl_i64) X(shr_i64) X(sar_i64) X(rotl_i64)        \
  X(rotr_i64) X(clz_i64) X(ctz_i64) X(ctpop_i64) X(bswap_i64) X(setcond_i64)            \
  X(movcond_i64) X(ext8s_i64) X(ext8u_i64) X(ext16s_i64) X(ext16u_i64) X(ext32s_i64)    \
  X(ext32u_i64) X(extu_i32_i64) X(exts_i32_i64) X(trunc_i64_i32)

constexpr bool is_pure(Opcode opc) {
  switch (opc) {
#define MIMIC_X(name) case Opcode::name:
    MIMIC_IR_PURE_OPS(MIMIC_X)
#undef MIMIC_X
    return true;
    default:
      return false;
  }
}

// --- primitives, templated on the unsigned width type U (uint32_t/uint64_t) ---
template <typename U> struct Signed;
template <> struct Signed<uint32_t> { using T = int32_t; };
template <> struct Signed<uint64_t> { using T = int64_t; };

template <typename U> constexpr unsigned kBits = sizeof(U) * 8;

template <typename U> MIMIC_ALWAYS_INLINE U sdiv(U a, U b) {
  using S = typename Signed<U>::T;
  if (b == 0) return ~U{0};                                        // x / 0 = -1
  if (a == (U{1} << (kBits<U> - 1)) && b == ~U{0}) return a;       // MIN / -1 = MIN
  return static_cast<U>(static_cast<S>(a) / static_cast<S>(b));
}
template <typename U> MIMIC_ALWAYS_INLINE U srem(U a, U b) {
  using S = typename Signed<U>::T;
  if (b == 0) return a;                                            // x % 0 = x
  if (a == (U{1} << (kBits<U> - 1)) && b == ~U{0}) return 0;       // MIN % -1 = 0
  return static_cast<U>(static_cast<S>(a) % static_cast<S>(b));
}
template <typename U> MIMIC_ALWAYS_INLINE U udiv(U a, U b) { return b == 0 ? ~U{0} : a / b; }
template <typename U> MIMIC_ALWAYS_INLINE U urem(U a, U b) { return b == 0 ? a : a % b; }

template <typename U> MIMIC_ALWAYS_INLINE U shl(U a, U b) { return a << (b & (kBits<U> - 1)); }
template <typename U> MIMIC_ALWAYS_INLINE U shr(U a, U b) { return a >> (b & (kBits<U> - 1)); }
template <typename U> MIMIC_ALWAYS_INLINE U sar(U a, U b) {
  using S = typename Signed<U>::T;
  return static_cast<U>(static_cast<S>(a) >> (b & (kBits<U> - 1)));  // arithmetic (C++20)
}
template <typename U> MIMIC_ALWAYS_INLINE U rotl(U a, U b) {
  unsigned n = b & (kBits<U> - 1);
  return n == 0 ? a : static_cast<U>((a << n) | (a >> (kBits<U> - n)));
}
template <typename U> MIMIC_ALWAYS_INLINE U rotr(U a, U b) {
  unsigned n = b & (kBits<U> - 1);
  return n == 0 ? a : static_cast<U>((a >> n) | (a << (kBits<U> - n)));
}

MIMIC_ALWAYS_INLINE uint32_t clz(uint32_t a) { return a == 0 ? 32 : __builtin_clz(a); }
MIMIC_ALWAYS_INLINE uint64_t clz(uint64_t a) { return a == 0 ? 64 : __builtin_clzll(a); }
MIMIC_ALWAYS_INLINE uint32_t ctz(uint32_t a) { return a == 0 ? 32 : __builtin_ctz(a); }
MIMIC_ALWAYS_INLINE uint64_t ctz(uint64_t a) { return a == 0 ? 64 : __builtin_ctzll(a); }
MIMIC_ALWAYS_INLINE uint32_t ctpop(uint32_t a) { return __builtin_popcount(a); }
MIMIC_ALWAYS_INLINE uint64_t ctpop(uint64_t a) { return __builtin_popcountll(a); }
MIMIC_ALWAYS_INLINE uint32_t bswap(uint32_t a) { return __builtin_bswap32(a); }
MIMIC_ALWAYS_INLINE uint64_t bswap(uint64_t a) { return __builtin_bswap64(a); }

MIMIC_ALWAYS_INLINE uint32_t mulsh(uint32_t a, uint32_t b) {
  int64_t p = int64_t{static_cast<int32_t>(a)} * static_cast<int32_t>(b);
  return static_cast<uint32_t>(static_cast<uint64_t>(p) >> 32);
}
MIMIC_ALWAYS_INLINE uint32_t muluh(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>((uint64_t{a} * b) >> 32);
}
MIMIC_ALWAYS_INLINE uint64_t mulsh(uint64_t a, uint64_t b) {
  __int128 p = static_cast<__int128>(static_cast<int64_t>(a)) * static_cast<int64_t>(b);
  return static_cast<uint64_t>(static_cast<unsigned __int128>(p) >> 64);
}
MIMIC_ALWAYS_INLINE uint64_t muluh(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
}

// Compares a and b (of width U) under condition c (ir::Cond). Out-of-range
// conditions compare false (the verifier rejects them).
template <typename U> MIMIC_ALWAYS_INLINE bool compare(uint64_t c, U a, U b) {
  using S = typename Signed<U>::T;
  switch (static_cast<Cond>(c)) {
    case Cond::EQ: return a == b;
    case Cond::NE: return a != b;
    case Cond::LT: return static_cast<S>(a) < static_cast<S>(b);
    case Cond::GE: return static_cast<S>(a) >= static_cast<S>(b);
    case Cond::LE: return static_cast<S>(a) <= static_cast<S>(b);
    case Cond::GT: return static_cast<S>(a) > static_cast<S>(b);
    case Cond::LTU: return a < b;
    case Cond::GEU: return a >= b;
    case Cond::LEU: return a <= b;
    case Cond::GTU: return a > b;
  }
  return false;
}

template <typename U> MIMIC_ALWAYS_INLINE U sext(U a, unsigned bits) {
  using S = typename Signed<U>::T;
  unsigned sh = kBits<U> - bits;
  return static_cast<U>(static_cast<S>(static_cast<U>(a << sh)) >> sh);
}
template <typename U> MIMIC_ALWAYS_INLINE U zext(U a, unsigned bits) {
  return a & static_cast<U>((U{1} << bits) - 1);
}

// Evaluates pure op `opc` on inputs a..d (unused ones ignored) and its first
// constant k (the Cond of setcond/movcond). Returns 0 for ops that are not
// pure (callers test is_pure first).
MIMIC_ALWAYS_INLINE uint64_t eval_pure(Opcode opc, uint64_t a, uint64_t b, uint64_t c,
                                       uint64_t d, uint64_t k) {
  const uint32_t a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b);
  switch (opc) {
    case Opcode::mov_i32: return a32;
    case Opcode::mov_i64: return a;
    case Opcode::add_i32: return uint32_t(a32 + b32);
    case Opcode::sub_i32: return uint32_t(a32 - b32);
    case Opcode::mul_i32: return uint32_t(a32 * b32);
    case Opcode::mulsh_i32: return mulsh(a32, b32);
    case Opcode::muluh_i32: return muluh(a32, b32);
    case Opcode::div_i32: return sdiv(a32, b32);
    case Opcode::divu_i32: return udiv(a32, b32);
    case Opcode::rem_i32: return srem(a32, b32);
    case Opcode::remu_i32: return urem(a32, b32);
    case Opcode::neg_i32: return uint32_t(0u - a32);
    case Opcode::not_i32: return uint32_t(~a32);
    case Opcode::and_i32: return a32 & b32;
    case Opcode::or_i32: return a32 | b32;
    case Opcode::xor_i32: return a32 ^ b32;
    case Opcode::andc_i32: return a32 & ~b32;
    case Opcode::orc_i32: return uint32_t(a32 | ~b32);
    case Opcode::eqv_i32: return uint32_t(~(a32 ^ b32));
    case Opcode::shl_i32: return shl(a32, b32);
    case Opcode::shr_i32: return shr(a32, b32);
    case Opcode::sar_i32: return sar(a32, b32);
    case Opcode::rotl_i32: return rotl(a32, b32);
    case Opcode::rotr_i32: return rotr(a32, b32);
    case Opcode::clz_i32: return clz(a32);
    case Opcode::ctz_i32: return ctz(a32);
    case Opcode::ctpop_i32: return ctpop(a32);
    case Opcode::bswap_i32: return bswap(a32);
    case Opcode::setcond_i32: return compare(k, a32, b32) ? 1 : 0;
    case Opcode::movcond_i32:
      return compare(k, a32, b32) ? static_cast<uint32_t>(c) : static_cast<uint32_t>(d);
    case Opcode::ext8s_i32: return sext(a32, 8);
    case Opcode::ext8u_i32: return zext(a32, 8);
    case Opcode::ext16s_i32: return sext(a32, 16);
    case Opcode::ext16u_i32: return zext(a32, 16);

    case Opcode::add_i64: return a + b;
    case Opcode::sub_i64: return a - b;
    case Opcode::mul_i64: return a * b;
    case Opcode::mulsh_i64: return mulsh(a, b);
    case Opcode::muluh_i64: return muluh(a, b);
    case Opcode::div_i64: return sdiv(a, b);
    case Opcode::divu_i64: return udiv(a, b);
    case Opcode::rem_i64: return srem(a, b);
    case Opcode::remu_i64: return urem(a, b);
    case Opcode::neg_i64: return 0 - a;
    case Opcode::not_i64: return ~a;
    case Opcode::and_i64: return a & b;
    case Opcode::or_i64: return a | b;
    case Opcode::xor_i64: return a ^ b;
    case Opcode::andc_i64: return a & ~b;
    case Opcode::orc_i64: return a | ~b;
    case Opcode::eqv_i64: return ~(a ^ b);
    case Opcode::shl_i64: return shl(a, b);
    case Opcode::shr_i64: return shr(a, b);
    case Opcode::sar_i64: return sar(a, b);
    case Opcode::rotl_i64: return rotl(a, b);
    case Opcode::rotr_i64: return rotr(a, b);
    case Opcode::clz_i64: return clz(a);
    case Opcode::ctz_i64: return ctz(a);
    case Opcode::ctpop_i64: return ctpop(a);
    case Opcode::bswap_i64: return bswap(a);
    case Opcode::setcond_i64: return compare(k, a, b) ? 1 : 0;
    case Opcode::movcond_i64: return compare(k, a, b) ? c : d;
    case Opcode::ext8s_i64: return sext(a, 8);
    case Opcode::ext8u_i64: return zext(a, 8);
    case Opcode::ext16s_i64: return sext(a, 16);
    case Opcode::ext16u_i64: return zext(a, 16);
    case Opcode::ext32s_i64: return sext(a, 32);
    case Opcode::ext32u_i64: return zext(a, 32);
    case Opcode::extu_i32_i64: return a32;
    case Opcode::exts_i32_i64: return static_cast<uint64_t>(int64_t{static_cast<int32_t>(a32)});
    case Opcode::trunc_i64_i32: return a32;
    default: return 0;
  }
}

// Extends a value loaded with MemOp size `size_log2` to 64 bits (sign or
// zero), as the ld ops do; ld_i32 then keeps the low 32 bits.
MIMIC_ALWAYS_INLINE uint64_t extend_load(uint64_t raw, unsigned size_log2, bool is_signed) {
  switch (size_log2) {
    case 0: return is_signed ? static_cast<uint64_t>(int64_t{static_cast<int8_t>(raw)}) : uint8_t(raw);
    case 1: return is_signed ? static_cast<uint64_t>(int64_t{static_cast<int16_t>(raw)}) : uint16_t(raw);
    case 2: return is_signed ? static_cast<uint64_t>(int64_t{static_cast<int32_t>(raw)}) : uint32_t(raw);
    default: return raw;
  }
}

}  // namespace mimic::ir::eval
