// Known-answer tests of the RISC-V F/D arithmetic (guest/riscv/fpu.h) and
// its IR helpers: every rounding mode, NaN rules, flags, saturating
// conversions, RMM ties, fused multiply-add, NaN-boxing.
#include <gtest/gtest.h>

#include <cstdint>

#include "guest/riscv/cpu.h"
#include "guest/riscv/fpu.h"
#include "guest/riscv/fpu_helpers.h"
#include "ir/helper.h"

namespace {

using namespace mimic::riscv::fpu;

// binary64 operands: uint64_t is `unsigned long`, not `unsigned long long`.
constexpr uint64_t operator""_u64(unsigned long long v) { return v; }

constexpr uint32_t kNX = kFlagNX, kUF = kFlagUF, kOF = kFlagOF, kDZ = kFlagDZ, kNV = kFlagNV;

// One result and its flags.
template <class T>
struct R {
  T bits;
  uint32_t flags;
  bool operator==(const R&) const = default;
};
template <class T>
std::ostream& operator<<(std::ostream& os, const R<T>& r) {
  return os << std::hex << "0x" << static_cast<uint64_t>(r.bits) << " flags 0x" << r.flags;
}

#define CALL(expr)                         \
  ([&] {                                   \
    uint32_t flags = 0;                    \
    auto bits = (expr);                    \
    return R<decltype(bits)>{bits, flags}; \
  }())

constexpr uint32_t kOne32 = 0x3f800000, kTwoM24 = 0x33800000;  // 1.0f, 2^-24
constexpr uint64_t kOne64 = 0x3ff0000000000000, kTwoM53 = 0x3ca0000000000000;
constexpr uint32_t kQNaN32 = 0x7fc00000, kSNaN32 = 0x7f800001, kInf32 = 0x7f800000;
constexpr uint64_t kSNaN64 = 0x7ff0000000000001, kInf64 = 0x7ff0000000000000;
constexpr uint32_t kMax32 = 0x7f7fffff;

TEST(RiscvFpu, AddTieInEveryMode) {
  // 1 + 2^-24 lies halfway between 1 and 1 + 2^-23.
  const uint32_t up = kOne32 + 1;
  EXPECT_EQ(CALL(add(kOne32, kTwoM24, kRne, flags)), (R<uint32_t>{kOne32, kNX}));
  EXPECT_EQ(CALL(add(kOne32, kTwoM24, kRtz, flags)), (R<uint32_t>{kOne32, kNX}));
  EXPECT_EQ(CALL(add(kOne32, kTwoM24, kRdn, flags)), (R<uint32_t>{kOne32, kNX}));
  EXPECT_EQ(CALL(add(kOne32, kTwoM24, kRup, flags)), (R<uint32_t>{up, kNX}));
  EXPECT_EQ(CALL(add(kOne32, kTwoM24, kRmm, flags)), (R<uint32_t>{up, kNX}));
  // The negative mirror: RDN and RMM go away from zero.
  const uint32_t m1 = kOne32 | 0x80000000, m2 = kTwoM24 | 0x80000000;
  EXPECT_EQ(CALL(add(m1, m2, kRne, flags)), (R<uint32_t>{m1, kNX}));
  EXPECT_EQ(CALL(add(m1, m2, kRtz, flags)), (R<uint32_t>{m1, kNX}));
  EXPECT_EQ(CALL(add(m1, m2, kRdn, flags)), (R<uint32_t>{m1 + 1, kNX}));
  EXPECT_EQ(CALL(add(m1, m2, kRup, flags)), (R<uint32_t>{m1, kNX}));
  EXPECT_EQ(CALL(add(m1, m2, kRmm, flags)), (R<uint32_t>{m1 + 1, kNX}));
  // Double: 1 + 2^-53.
  EXPECT_EQ(CALL(add(kOne64, kTwoM53, kRne, flags)), (R<uint64_t>{kOne64, kNX}));
  EXPECT_EQ(CALL(add(kOne64, kTwoM53, kRmm, flags)), (R<uint64_t>{kOne64 + 1, kNX}));
  // Exact: no flags; x - x is +0, or -0 rounding down.
  EXPECT_EQ(CALL(add(kOne32, kOne32, kRmm, flags)), (R<uint32_t>{0x40000000, 0}));
  EXPECT_EQ(CALL(sub(kOne64, kOne64, kRne, flags)), (R<uint64_t>{0, 0}));
  EXPECT_EQ(CALL(sub(kOne64, kOne64, kRdn, flags)), (R<uint64_t>{0x8000000000000000, 0}));
  EXPECT_EQ(CALL(sub(kOne64, kOne64, kRmm, flags)), (R<uint64_t>{0, 0}));
}

TEST(RiscvFpu, Overflow) {
  const uint32_t two = 0x40000000, neg_max = kMax32 | 0x80000000;
  EXPECT_EQ(CALL(mul(kMax32, two, kRne, flags)), (R<uint32_t>{kInf32, kOF | kNX}));
  EXPECT_EQ(CALL(mul(kMax32, two, kRmm, flags)), (R<uint32_t>{kInf32, kOF | kNX}));
  EXPECT_EQ(CALL(mul(kMax32, two, kRtz, flags)), (R<uint32_t>{kMax32, kOF | kNX}));
  EXPECT_EQ(CALL(mul(kMax32, two, kRdn, flags)), (R<uint32_t>{kMax32, kOF | kNX}));
  EXPECT_EQ(CALL(mul(kMax32, two, kRup, flags)), (R<uint32_t>{kInf32, kOF | kNX}));
  EXPECT_EQ(CALL(mul(neg_max, two, kRdn, flags)), (R<uint32_t>{kInf32 | 0x80000000, kOF | kNX}));
  EXPECT_EQ(CALL(mul(neg_max, two, kRup, flags)), (R<uint32_t>{neg_max, kOF | kNX}));
}

TEST(RiscvFpu, UnderflowAndTininessAfterRounding) {
  // Exact subnormal result: no flags.
  EXPECT_EQ(CALL(mul(0x00800000u, 0x3f000000u, kRne, flags)), (R<uint32_t>{0x00400000, 0}));
  // Half the smallest subnormal: a tie between 0 and 2^-149.
  EXPECT_EQ(CALL(mul(1u, 0x3f000000u, kRne, flags)), (R<uint32_t>{0, kUF | kNX}));
  EXPECT_EQ(CALL(mul(1u, 0x3f000000u, kRmm, flags)), (R<uint32_t>{1, kUF | kNX}));
  EXPECT_EQ(CALL(mul(1u, 0x3f000000u, kRup, flags)), (R<uint32_t>{1, kUF | kNX}));
  EXPECT_EQ(CALL(mul(1u, 0x3f000000u, kRtz, flags)), (R<uint32_t>{0, kUF | kNX}));
  // 2^-126 * (1 - 2^-25): rounds to 2^-126 with an unbounded exponent in RNE
  // (not tiny: NX only), but stays below it in RTZ (tiny: UF).
  const uint64_t d = 0x380ffffff0000000;
  EXPECT_EQ(CALL(f64_to_f32(d, kRne, flags)), (R<uint32_t>{0x00800000, kNX}));
  EXPECT_EQ(CALL(f64_to_f32(d, kRmm, flags)), (R<uint32_t>{0x00800000, kNX}));
  EXPECT_EQ(CALL(f64_to_f32(d, kRtz, flags)), (R<uint32_t>{0x007fffff, kUF | kNX}));
  // 2^-1022 * (1 - 2^-53) is exact with 53 bits, so tiny; rounds up to 2^-1022.
  EXPECT_EQ(CALL(mul(0x3fefffffffffffff_u64, 0x0010000000000000_u64, kRne, flags)),
            (R<uint64_t>{0x0010000000000000, kUF | kNX}));
}

TEST(RiscvFpu, NaNsAreCanonical) {
  EXPECT_EQ(CALL(add(kSNaN32, kOne32, kRne, flags)), (R<uint32_t>{kQNaN32, kNV}));
  EXPECT_EQ(CALL(add(0xffc12345u, kOne32, kRne, flags)), (R<uint32_t>{kQNaN32, 0}));
  EXPECT_EQ(CALL(mul(kSNaN64, kOne64, kRmm, flags)), (R<uint64_t>{kCanonicalNaN64, kNV}));
  EXPECT_EQ(CALL(sub(kInf32, kInf32, kRne, flags)), (R<uint32_t>{kQNaN32, kNV}));
  EXPECT_EQ(CALL(mul(kInf64, 0_u64, kRne, flags)), (R<uint64_t>{kCanonicalNaN64, kNV}));
  EXPECT_EQ(CALL(div(0_u64, 0_u64, kRne, flags)), (R<uint64_t>{kCanonicalNaN64, kNV}));
  EXPECT_EQ(CALL(div(kOne64, 0x8000000000000000_u64, kRne, flags)),
            (R<uint64_t>{kInf64 | 0x8000000000000000, kDZ}));
  EXPECT_EQ(CALL(sqrt(0xbf800000u, kRne, flags)), (R<uint32_t>{kQNaN32, kNV}));
  EXPECT_EQ(CALL(sqrt(0x80000000u, kRne, flags)), (R<uint32_t>{0x80000000, 0}));
  EXPECT_EQ(CALL(f32_to_f64(kSNaN32, flags)), (R<uint64_t>{kCanonicalNaN64, kNV}));
  EXPECT_EQ(CALL(f64_to_f32(0xfff8000000000123_u64, kRne, flags)), (R<uint32_t>{kQNaN32, 0}));
}

TEST(RiscvFpu, SqrtRmmEqualsRne) {
  // 2 has no tie; the result is the RNE one in both modes.
  EXPECT_EQ(CALL(sqrt(0x40000000u, kRmm, flags)), (R<uint32_t>{0x3fb504f3, kNX}));
  EXPECT_EQ(CALL(sqrt(0x4000000000000000_u64, kRmm, flags)),
            (R<uint64_t>{0x3ff6a09e667f3bcd, kNX}));
  EXPECT_EQ(CALL(sqrt(0x40000000u, kRup, flags)), (R<uint32_t>{0x3fb504f4, kNX}));
}

TEST(RiscvFpu, FusedMultiplyAddRoundsOnce) {
  // (1 + 2^-52)(1 - 2^-53) - 1 = 2^-53 - 2^-105, exact; unfused gives 0.
  EXPECT_EQ(CALL(fma(0x3ff0000000000001_u64, 0x3fefffffffffffff_u64, 0xbff0000000000000_u64, kRne,
                     flags)),
            (R<uint64_t>{0x3c9ffffffffffffe, 0}));
  // 1*1 + 2^-24: a tie, RNE keeps 1, RMM goes up.
  EXPECT_EQ(CALL(fma(kOne32, kOne32, kTwoM24, kRne, flags)), (R<uint32_t>{kOne32, kNX}));
  EXPECT_EQ(CALL(fma(kOne32, kOne32, kTwoM24, kRmm, flags)), (R<uint32_t>{kOne32 + 1, kNX}));
  // inf * 0 + qNaN raises NV (RISC-V; IEEE leaves it open).
  EXPECT_EQ(CALL(fma(kInf32, 0u, kQNaN32, kRne, flags)), (R<uint32_t>{kQNaN32, kNV}));
  EXPECT_EQ(CALL(fma(0_u64, kInf64, kCanonicalNaN64, kRne, flags)),
            (R<uint64_t>{kCanonicalNaN64, kNV}));
  EXPECT_EQ(CALL(fma(kOne32, kOne32, kQNaN32, kRne, flags)), (R<uint32_t>{kQNaN32, 0}));
  // inf - inf inside: NV.
  EXPECT_EQ(CALL(fma(kInf32, kOne32, kInf32 | 0x80000000, kRne, flags)),
            (R<uint32_t>{kQNaN32, kNV}));
  // Zero signs: (+0 * x) + -0 = +0, or -0 rounding down; -0*x + -0 = -0.
  EXPECT_EQ(CALL(fma(0u, kOne32, 0x80000000u, kRne, flags)), (R<uint32_t>{0, 0}));
  EXPECT_EQ(CALL(fma(0u, kOne32, 0x80000000u, kRdn, flags)), (R<uint32_t>{0x80000000, 0}));
  EXPECT_EQ(CALL(fma(0x80000000u, kOne32, 0x80000000u, kRne, flags)), (R<uint32_t>{0x80000000, 0}));
}

TEST(RiscvFpu, MinMax) {
  EXPECT_EQ(CALL(min(kQNaN32, kOne32, flags)), (R<uint32_t>{kOne32, 0}));
  EXPECT_EQ(CALL(max(kOne32, kSNaN32, flags)), (R<uint32_t>{kOne32, kNV}));
  EXPECT_EQ(CALL(min(kSNaN32, kQNaN32, flags)), (R<uint32_t>{kQNaN32, kNV}));
  EXPECT_EQ(CALL(max(0xffc00001u, kQNaN32 | 5, flags)), (R<uint32_t>{kQNaN32, 0}));
  EXPECT_EQ(CALL(min(0_u64, 0x8000000000000000_u64, flags)), (R<uint64_t>{0x8000000000000000, 0}));
  EXPECT_EQ(CALL(max(0x8000000000000000_u64, 0_u64, flags)), (R<uint64_t>{0, 0}));
  EXPECT_EQ(CALL(min(0xbf800000u, kOne32, flags)), (R<uint32_t>{0xbf800000, 0}));
  EXPECT_EQ(CALL(max(0xc0000000u, 0xbf800000u, flags)), (R<uint32_t>{0xbf800000, 0}));
}

TEST(RiscvFpu, Compare) {
  EXPECT_EQ(CALL(feq(kQNaN32, kOne32, flags)), (R<bool>{false, 0}));
  EXPECT_EQ(CALL(feq(kSNaN32, kOne32, flags)), (R<bool>{false, kNV}));
  EXPECT_EQ(CALL(flt(kQNaN32, kOne32, flags)), (R<bool>{false, kNV}));
  EXPECT_EQ(CALL(fle(kOne32, kQNaN32, flags)), (R<bool>{false, kNV}));
  EXPECT_EQ(CALL(feq(0x80000000u, 0u, flags)), (R<bool>{true, 0}));
  EXPECT_EQ(CALL(flt(0x80000000u, 0u, flags)), (R<bool>{false, 0}));
  EXPECT_EQ(CALL(fle(0x80000000u, 0u, flags)), (R<bool>{true, 0}));
  EXPECT_EQ(CALL(flt(0xc000000000000000_u64, 0xbff0000000000000_u64, flags)), (R<bool>{true, 0}));
  EXPECT_EQ(CALL(fle(kInf64, kInf64, flags)), (R<bool>{true, 0}));
}

TEST(RiscvFpu, Classify) {
  EXPECT_EQ(classify(0xff800000u), 1u << 0);
  EXPECT_EQ(classify(0xbf800000u), 1u << 1);
  EXPECT_EQ(classify(0x80000001u), 1u << 2);
  EXPECT_EQ(classify(0x80000000u), 1u << 3);
  EXPECT_EQ(classify(0u), 1u << 4);
  EXPECT_EQ(classify(0x000fffffffffffff_u64), 1u << 5);
  EXPECT_EQ(classify(kOne64), 1u << 6);
  EXPECT_EQ(classify(kInf64), 1u << 7);
  EXPECT_EQ(classify(kSNaN64), 1u << 8);
  EXPECT_EQ(classify(kQNaN32), 1u << 9);
}

TEST(RiscvFpu, FloatToIntRoundsAndSaturates) {
  const uint32_t p25 = 0x40200000, m25 = 0xc0200000;  // +-2.5f
  const uint64_t expect_p[5] = {2, 2, 2, 3, 3},
                 expect_m[5] = {~1_u64, ~1_u64, ~2_u64, ~1_u64, ~2_u64};
  for (uint32_t m = 0; m < 5; ++m) {
    EXPECT_EQ(CALL(to_int(p25, kW, static_cast<Rm>(m), flags)), (R<uint64_t>{expect_p[m], kNX}));
    EXPECT_EQ(CALL(to_int(m25, kL, static_cast<Rm>(m), flags)), (R<uint64_t>{expect_m[m], kNX}));
  }
  EXPECT_EQ(CALL(to_int(kQNaN32, kW, kRne, flags)), (R<uint64_t>{0x7fffffff, kNV}));
  EXPECT_EQ(CALL(to_int(kQNaN32, kWU, kRne, flags)), (R<uint64_t>{~0_u64, kNV}));
  EXPECT_EQ(CALL(to_int(0xffc00000u, kL, kRne, flags)), (R<uint64_t>{0x7fffffffffffffff, kNV}));
  EXPECT_EQ(CALL(to_int(kQNaN32, kLU, kRne, flags)), (R<uint64_t>{~0_u64, kNV}));
  const uint32_t ninf = 0xff800000;
  EXPECT_EQ(CALL(to_int(ninf, kW, kRne, flags)), (R<uint64_t>{0xffffffff80000000, kNV}));
  EXPECT_EQ(CALL(to_int(ninf, kWU, kRne, flags)), (R<uint64_t>{0, kNV}));
  EXPECT_EQ(CALL(to_int(ninf, kL, kRne, flags)), (R<uint64_t>{0x8000000000000000, kNV}));
  EXPECT_EQ(CALL(to_int(kInf32, kWU, kRne, flags)), (R<uint64_t>{~0_u64, kNV}));
  // 3e9: too big for W, fits WU (sign-extended into the register).
  EXPECT_EQ(CALL(to_int(0x4f32d05eu, kW, kRne, flags)), (R<uint64_t>{0x7fffffff, kNV}));
  EXPECT_EQ(CALL(to_int(0x4f32d05eu, kWU, kRne, flags)), (R<uint64_t>{0xffffffffb2d05e00, 0}));
  // -0.5 to unsigned: rounds to 0 (in range, NX) unless rounding down to -1.
  EXPECT_EQ(CALL(to_int(0xbf000000u, kWU, kRne, flags)), (R<uint64_t>{0, kNX}));
  EXPECT_EQ(CALL(to_int(0xbf000000u, kLU, kRdn, flags)), (R<uint64_t>{0, kNV}));
  EXPECT_EQ(CALL(to_int(0xbf800000u, kWU, kRtz, flags)), (R<uint64_t>{0, kNV}));
  // Range edges of the 64-bit kinds.
  EXPECT_EQ(CALL(to_int(0x43e0000000000000_u64, kL, kRne, flags)),
            (R<uint64_t>{0x7fffffffffffffff, kNV}));
  EXPECT_EQ(CALL(to_int(0x43e0000000000000_u64, kLU, kRne, flags)),
            (R<uint64_t>{0x8000000000000000, 0}));
  EXPECT_EQ(CALL(to_int(0xc3e0000000000000_u64, kL, kRne, flags)),
            (R<uint64_t>{0x8000000000000000, 0}));
  EXPECT_EQ(CALL(to_int(0x43f0000000000000_u64, kLU, kRne, flags)), (R<uint64_t>{~0_u64, kNV}));
  // 2^31 - 0.5: RNE rounds to 2^31 (out of range), RTZ to 2^31 - 1.
  EXPECT_EQ(CALL(to_int(0x41dfffffffe00000_u64, kW, kRne, flags)), (R<uint64_t>{0x7fffffff, kNV}));
  EXPECT_EQ(CALL(to_int(0x41dfffffffe00000_u64, kW, kRtz, flags)), (R<uint64_t>{0x7fffffff, kNX}));
  EXPECT_EQ(CALL(to_int(0x80000000u, kW, kRne, flags)), (R<uint64_t>{0, 0}));
}

TEST(RiscvFpu, IntToFloat) {
  const uint64_t two53p1 = (1_u64 << 53) + 1;  // tie between 2^53 and 2^53 + 2
  EXPECT_EQ(CALL(from_int<uint64_t>(two53p1, kL, kRne, flags)),
            (R<uint64_t>{0x4340000000000000, kNX}));
  EXPECT_EQ(CALL(from_int<uint64_t>(two53p1, kL, kRmm, flags)),
            (R<uint64_t>{0x4340000000000001, kNX}));
  EXPECT_EQ(CALL(from_int<uint64_t>(~0_u64, kLU, kRne, flags)),
            (R<uint64_t>{0x43f0000000000000, kNX}));
  EXPECT_EQ(CALL(from_int<uint64_t>(~0_u64, kLU, kRtz, flags)),
            (R<uint64_t>{0x43efffffffffffff, kNX}));
  EXPECT_EQ(CALL(from_int<uint64_t>(~0_u64, kL, kRne, flags)),
            (R<uint64_t>{0xbff0000000000000, 0}));
  EXPECT_EQ(CALL(from_int<uint32_t>(0xffffffff80000000_u64, kW, kRne, flags)),
            (R<uint32_t>{0xcf000000, 0}));
  EXPECT_EQ(CALL(from_int<uint32_t>(0x12345678ffffffff_u64, kWU, kRtz, flags)),
            (R<uint32_t>{0x4f7fffff, kNX}));
  EXPECT_EQ(CALL(from_int<uint32_t>(0x1000001, kW, kRmm, flags)), (R<uint32_t>{0x4b800001, kNX}));
  EXPECT_EQ(CALL(from_int<uint32_t>(0x1000001, kW, kRne, flags)), (R<uint32_t>{0x4b800000, kNX}));
  EXPECT_EQ(CALL(from_int<uint32_t>(0, kL, kRdn, flags)), (R<uint32_t>{0, 0}));
}

TEST(RiscvFpu, NarrowingConversion) {
  const uint64_t one_tie = 0x3ff0000010000000;  // 1 + 2^-24
  EXPECT_EQ(CALL(f64_to_f32(one_tie, kRne, flags)), (R<uint32_t>{kOne32, kNX}));
  EXPECT_EQ(CALL(f64_to_f32(one_tie, kRmm, flags)), (R<uint32_t>{kOne32 + 1, kNX}));
  EXPECT_EQ(CALL(f64_to_f32(0x47f0000000000000_u64, kRtz, flags)),
            (R<uint32_t>{kMax32, kOF | kNX}));
  EXPECT_EQ(CALL(f32_to_f64(0x00000001u, flags)), (R<uint64_t>{0x36a0000000000000, 0}));
}

TEST(RiscvFpu, NaNBoxing) {
  EXPECT_EQ(unbox32(0xffffffff3f800000_u64), kOne32);
  EXPECT_EQ(unbox32(0x000000003f800000_u64), kCanonicalNaN32);
  EXPECT_EQ(unbox32(0xfffffffe3f800000_u64), kCanonicalNaN32);
  EXPECT_EQ(box32(kOne32), 0xffffffff3f800000_u64);
}

// The IR helpers: unboxing, boxing, the dynamic rounding mode, fflags.
TEST(RiscvFpuHelpers, DynamicModeBoxingAndFlags) {
  using mimic::riscv::RiscvCpu;
  const auto& ids = mimic::riscv::fp_helper_ids();
  RiscvCpu cpu;
  auto call = [&](uint32_t index, uint64_t a0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
    return mimic::ir::helper(index).fn(&cpu, a0, a1, a2, a3);
  };
  const uint64_t one = box32(kOne32), tiny = box32(kTwoM24);
  cpu.frm = kRup;
  EXPECT_EQ(call(ids.add[0], one, tiny, kRmDyn), box32(kOne32 + 1));
  EXPECT_EQ(cpu.fflags, kNX);
  cpu.frm = kRne;
  EXPECT_EQ(call(ids.add[0], one, tiny, kRmDyn), box32(kOne32));
  EXPECT_EQ(call(ids.add[0], one, tiny, kRmm), box32(kOne32 + 1));  // static wins
  // An unboxed operand is the canonical NaN (quiet: no flag).
  cpu.fflags = 0;
  EXPECT_EQ(call(ids.add[0], kOne32, one, kRne), box32(kCanonicalNaN32));
  EXPECT_EQ(cpu.fflags, 0u);
  EXPECT_EQ(call(ids.fclass[0], kOne32), 1u << 9);
  EXPECT_EQ(call(ids.f32_to_f64, one, kRne), kOne64);
  EXPECT_EQ(call(ids.f64_to_f32, kOne64, kRne), one);
  // Flags accrue.
  call(ids.div[1], kOne64, 0, kRne);
  EXPECT_EQ(cpu.fflags, kDZ);
  call(ids.flt[1], kCanonicalNaN64, kOne64);
  EXPECT_EQ(cpu.fflags, kDZ | kNV);
  EXPECT_EQ(call(ids.to_int[1], 0xc004000000000000_u64, kRne, kW), ~1_u64);  // -2.5 -> -2
  EXPECT_EQ(cpu.fflags, kDZ | kNV | kNX);
  EXPECT_EQ(call(ids.from_int[0], 3, kRne, kLU), box32(0x40400000));
}

}  // namespace
