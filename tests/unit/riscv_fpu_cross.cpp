// Cross-check of the two RISC-V FP implementations: the host SSE path
// (fpu_host.cpp) against the software path (fpu_soft.cpp), in the four
// rounding modes both support, on random operands biased towards the hard
// cases (subnormals, boundaries of the exponent range, NaNs, near-ties).
// Result bits and flags must agree exactly.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdint>
#include <random>

#include "guest/riscv/fpu.h"
#include "guest/riscv/fpu_soft.h"

namespace {

using namespace mimic::riscv::fpu;

template <class T>
class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  T next() {
    using F = Fmt<T>;
    const uint64_t r = rng_();
    const T sign = (r & 1) ? F::kSign : 0;
    const T frac_mask = (T(1) << F::kMant) - 1;
    T frac = static_cast<T>(rng_()) & frac_mask;
    switch ((r >> 1) % 8) {
      case 0:  // small fraction (sparse bits: ties and exact results)
        frac &= static_cast<T>(0xf) << (F::kMant - 4) | 1;
        break;
      case 1:  // fraction near all ones
        frac = frac_mask - (frac & 3);
        break;
      default:
        break;
    }
    int exp;
    switch ((r >> 4) % 8) {
      case 0:
        exp = 0;  // zero or subnormal
        break;
      case 1:
        exp = static_cast<int>((r >> 8) % 4) + 1;  // smallest normals
        break;
      case 2:
        exp = F::kExpMax - 1 - static_cast<int>((r >> 8) % 4);  // largest finite
        break;
      case 3:
        exp = (r >> 8) % 16 == 0 ? F::kExpMax : F::kBias;  // inf/NaN, or around 1
        break;
      default:
        exp = static_cast<int>((r >> 8) % F::kExpMax);
        break;
    }
    return sign | (static_cast<T>(exp) << F::kMant) | frac;
  }
  // Operand whose exponent is close to `other`'s (cancellation, ties).
  T near(T other) {
    using F = Fmt<T>;
    const uint64_t r = rng_();
    T v = static_cast<T>(other + static_cast<T>(r % 5) - 2);
    if (r & 8) v ^= F::kSign;
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

constexpr int kIterations = 200000;

template <class T>
void cross_check_binary() {
  Gen<T> g(0x5eed + sizeof(T));
  for (int i = 0; i < kIterations; ++i) {
    const T a = g.next();
    const T b = (i & 1) ? g.near(a) : g.next();
    const T c = (i & 2) ? g.near(a) : g.next();
    for (uint32_t m = 0; m < 4; ++m) {
      const Rm rm = static_cast<Rm>(m);
      uint32_t fh = 0, fs = 0;
      T h = add(a, b, rm, fh), s = soft::add(a, b, rm, fs);
      ASSERT_TRUE(h == s && fh == fs) << "add " << std::hex << a << " " << b << " rm " << m
                                      << ": host " << h << "/" << fh << " soft " << s << "/" << fs;
      fh = fs = 0;
      h = mul(a, b, rm, fh), s = soft::mul(a, b, rm, fs);
      ASSERT_TRUE(h == s && fh == fs) << "mul " << std::hex << a << " " << b << " rm " << m
                                      << ": host " << h << "/" << fh << " soft " << s << "/" << fs;
      fh = fs = 0;
      h = div(a, b, rm, fh), s = soft::div(a, b, rm, fs);
      ASSERT_TRUE(h == s && fh == fs) << "div " << std::hex << a << " " << b << " rm " << m
                                      << ": host " << h << "/" << fh << " soft " << s << "/" << fs;
      fh = fs = 0;
      h = sqrt(a, rm, fh), s = soft::sqrt(a, rm, fs);
      ASSERT_TRUE(h == s && fh == fs) << "sqrt " << std::hex << a << " rm " << m << ": host " << h
                                      << "/" << fh << " soft " << s << "/" << fs;
      fh = fs = 0;
      h = fma(a, b, c, rm, fh), s = soft::fma(a, b, c, rm, fs);
      ASSERT_TRUE(h == s && fh == fs)
          << "fma " << std::hex << a << " " << b << " " << c << " rm " << m << ": host " << h << "/"
          << fh << " soft " << s << "/" << fs;
    }
  }
}

TEST(RiscvFpuCross, Binary32HostMatchesSoft) { cross_check_binary<uint32_t>(); }
TEST(RiscvFpuCross, Binary64HostMatchesSoft) { cross_check_binary<uint64_t>(); }

TEST(RiscvFpuCross, ConversionsHostMatchSoft) {
  Gen<uint64_t> g64(77);
  Gen<uint32_t> g32(78);
  for (int i = 0; i < kIterations; ++i) {
    const uint64_t d = g64.next();
    for (uint32_t m = 0; m < 4; ++m) {
      uint32_t fh = 0, fs = 0;
      const uint32_t h = f64_to_f32(d, static_cast<Rm>(m), fh);
      const uint32_t s = soft::f64_to_f32(d, static_cast<Rm>(m), fs);
      ASSERT_TRUE(h == s && fh == fs) << "f64_to_f32 " << std::hex << d << " rm " << m;
    }
    const uint32_t f = g32.next();
    uint32_t fh = 0, fs = 0;
    ASSERT_EQ(f32_to_f64(f, fh), soft::f32_to_f64(f, fs)) << std::hex << f;
    ASSERT_EQ(fh, fs) << std::hex << f;
  }
}

// RMM may differ from RNE only on a tie, where it picks the value away from
// zero and RNE picks the one toward zero.
template <class T>
void check_rmm_consistent() {
  Gen<T> g(0x4242 + sizeof(T));
  for (int i = 0; i < kIterations; ++i) {
    const T a = g.next();
    const T b = (i & 1) ? g.near(a) : g.next();
    uint32_t f0 = 0, f1 = 0, f4 = 0;
    const T rne = mul(a, b, kRne, f0), rtz = mul(a, b, kRtz, f1);
    const T rmm = mul(a, b, kRmm, f4);
    if (rmm != rne) {
      ASSERT_EQ(rne, rtz) << std::hex << a << " " << b;
      ASSERT_EQ(rmm & Fmt<T>::kSign, rne & Fmt<T>::kSign);
    }
    uint32_t g0 = 0, g4 = 0;
    const T sne = add(a, b, kRne, g0), smm = add(a, b, kRmm, g4);
    if (Fmt<T>::is_nan(sne)) {
      ASSERT_EQ(smm, sne);
    }
    ASSERT_EQ(g0 & (kFlagNV | kFlagDZ), g4 & (kFlagNV | kFlagDZ));
  }
}

TEST(RiscvFpuCross, RmmOnlyDiffersOnTies) {
  check_rmm_consistent<uint32_t>();
  check_rmm_consistent<uint64_t>();
}

}  // namespace

namespace {

// Products landing next to the smallest normal: the results that tell
// tininess-after-rounding from tininess-before-rounding (UF or not when the
// result rounds up to 2^emin). Both outcomes must occur and agree.
template <class T>
void check_min_normal_boundary() {
  using F = Fmt<T>;
  std::mt19937_64 rng(2);
  const T min_normal = T(1) << F::kMant;
  int with_uf = 0, without_uf = 0;
  for (int i = 0; i < kIterations; ++i) {
    const T a = (T(F::kBias) << F::kMant) | (static_cast<T>(rng()) & (min_normal - 1));
    uint32_t f = 0;
    const T b = static_cast<T>(div<T>(min_normal, a, kRtz, f) + static_cast<T>(rng() % 7) - 3);
    const T c = static_cast<T>(rng() % 3) | ((rng() & 1) ? F::kSign : 0);
    for (uint32_t m = 0; m < 4; ++m) {
      const Rm rm = static_cast<Rm>(m);
      uint32_t fh = 0, fs = 0;
      const T h = mul(a, b, rm, fh), s = soft::mul(a, b, rm, fs);
      ASSERT_TRUE(h == s && fh == fs) << std::hex << a << " " << b << " rm " << m;
      if (h == min_normal && (fh & kFlagNX)) ++((fh & kFlagUF) ? with_uf : without_uf);
      fh = fs = 0;
      const T hf = fma(a, b, c, rm, fh), sf = soft::fma(a, b, c, rm, fs);
      ASSERT_TRUE(hf == sf && fh == fs) << std::hex << a << " " << b << " " << c << " rm " << m;
    }
  }
  EXPECT_GT(with_uf, 0);
  EXPECT_GT(without_uf, 0);
}

TEST(RiscvFpuCross, MinNormalBoundary) {
  check_min_normal_boundary<uint32_t>();
  check_min_normal_boundary<uint64_t>();
}

}  // namespace
