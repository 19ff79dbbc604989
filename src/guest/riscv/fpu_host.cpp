// RISC-V F/D arithmetic on the host's SSE unit (see fpu.h).
//
// Each operation runs inside one asm statement that saves the host MXCSR,
// loads the RISC-V rounding mode with all exceptions masked, flags clear and
// DAZ/FTZ off, executes the instruction, reads the exception flags and
// restores the host MXCSR (the emulator's own code expects round-to-nearest).
// Keeping it one statement stops the compiler from moving floating-point work
// across the mode change.
//
// Why the flags map one to one: SSE, like RISC-V (§11.3 "tininess is detected
// after rounding"), detects tininess after rounding and, with underflow
// masked, sets UE only for tiny *and* inexact results; OE comes with PE; IE
// covers signaling NaN operands and invalid operations. DE (denormal operand)
// has no RISC-V counterpart and is ignored. NaN results are replaced by the
// canonical NaN, since SSE propagates operand payloads.
//
// RMM (ties to max magnitude) has no SSE rounding control: those operations
// go to fpu_soft.cpp, except square root, which never has a tie (the square
// of a midpoint needs 2p+2 significant bits, more than an operand has), so
// RMM and RNE give the same result and flags.
#include <bit>
#include <type_traits>

#include "exec/host_fp.h"
#include "guest/riscv/fpu_soft.h"

namespace mimic::riscv::fpu {

namespace {

// MXCSR: exception masks (bits 12:7) set, flags (5:0) clear, RC (14:13) from
// the mode, FTZ (15) and DAZ (6) clear.
constexpr uint32_t kMxcsrMasked = 0x1f80;
uint32_t mxcsr_for(Rm rm) {
  static constexpr uint32_t kRc[4] = {0 /*RNE*/, 3 /*RTZ*/, 1 /*RDN*/, 2 /*RUP*/};
  return kMxcsrMasked | kRc[rm & 3] << 13;
}

// exec's neutral flag encoding is the fflags layout (fpu_flags.cpp checks).
uint32_t riscv_flags(uint32_t mxcsr) { return exec::host_fp_flags_from_mxcsr(mxcsr); }

// Brackets one instruction with the MXCSR switch; `mx` receives the MXCSR
// after the instruction. Operand names: %[saved], %[mode], %[mx].
#define MIMIC_MXCSR_ASM(insn) \
  "stmxcsr %[saved]\n\tldmxcsr %[mode]\n\t" insn "\n\tstmxcsr %[mx]\n\tldmxcsr %[saved]"
#define MIMIC_MXCSR_OUT [saved] "+m"(saved), [mx] "+m"(mx)

#define MIMIC_HOST_BINOP(fn, insn_s, insn_d)                   \
  float fn(float a, float b, uint32_t mode, uint32_t& mx) {    \
    uint32_t saved = 0;                                        \
    asm volatile(MIMIC_MXCSR_ASM(insn_s " %[b], %[a]")         \
                 : MIMIC_MXCSR_OUT, [a] "+x"(a)                \
                 : [mode] "m"(mode), [b] "x"(b));              \
    return a;                                                  \
  }                                                            \
  double fn(double a, double b, uint32_t mode, uint32_t& mx) { \
    uint32_t saved = 0;                                        \
    asm volatile(MIMIC_MXCSR_ASM(insn_d " %[b], %[a]")         \
                 : MIMIC_MXCSR_OUT, [a] "+x"(a)                \
                 : [mode] "m"(mode), [b] "x"(b));              \
    return a;                                                  \
  }
MIMIC_HOST_BINOP(host_add, "addss", "addsd")
MIMIC_HOST_BINOP(host_sub, "subss", "subsd")
MIMIC_HOST_BINOP(host_mul, "mulss", "mulsd")
MIMIC_HOST_BINOP(host_div, "divss", "divsd")
#undef MIMIC_HOST_BINOP

float host_sqrt(float a, uint32_t mode, uint32_t& mx) {
  uint32_t saved = 0;
  asm volatile(MIMIC_MXCSR_ASM("sqrtss %[a], %[a]")
               : MIMIC_MXCSR_OUT, [a] "+x"(a)
               : [mode] "m"(mode));
  return a;
}
double host_sqrt(double a, uint32_t mode, uint32_t& mx) {
  uint32_t saved = 0;
  asm volatile(MIMIC_MXCSR_ASM("sqrtsd %[a], %[a]")
               : MIMIC_MXCSR_OUT, [a] "+x"(a)
               : [mode] "m"(mode));
  return a;
}

// c = a*b + c, one rounding (FMA3).
float host_fma(float a, float b, float c, uint32_t mode, uint32_t& mx) {
  uint32_t saved = 0;
  asm volatile(MIMIC_MXCSR_ASM("vfmadd231ss %[b], %[a], %[c]")
               : MIMIC_MXCSR_OUT, [c] "+x"(c)
               : [mode] "m"(mode), [a] "x"(a), [b] "x"(b));
  return c;
}
double host_fma(double a, double b, double c, uint32_t mode, uint32_t& mx) {
  uint32_t saved = 0;
  asm volatile(MIMIC_MXCSR_ASM("vfmadd231sd %[b], %[a], %[c]")
               : MIMIC_MXCSR_OUT, [c] "+x"(c)
               : [mode] "m"(mode), [a] "x"(a), [b] "x"(b));
  return c;
}

float host_d2s(double a, uint32_t mode, uint32_t& mx) {
  uint32_t saved = 0;
  float r;
  asm volatile(MIMIC_MXCSR_ASM("cvtsd2ss %[a], %[r]")
               : MIMIC_MXCSR_OUT, [r] "=x"(r)
               : [mode] "m"(mode), [a] "x"(a));
  return r;
}
double host_s2d(float a, uint32_t mode, uint32_t& mx) {
  uint32_t saved = 0;
  double r;
  asm volatile(MIMIC_MXCSR_ASM("cvtss2sd %[a], %[r]")
               : MIMIC_MXCSR_OUT, [r] "=x"(r)
               : [mode] "m"(mode), [a] "x"(a));
  return r;
}
#undef MIMIC_MXCSR_OUT
#undef MIMIC_MXCSR_ASM

bool host_has_fma() {
  static const bool has = __builtin_cpu_supports("fma");
  return has;
}

template <class T>
using HostFloat = std::conditional_t<sizeof(T) == 4, float, double>;

template <class T>
HostFloat<T> as_float(T bits) {
  return std::bit_cast<HostFloat<T>>(bits);
}

// Host result to RISC-V bits: flags accrued, NaN canonical.
template <class T>
T finish(HostFloat<T> r, uint32_t mx, uint32_t& flags) {
  flags |= riscv_flags(mx);
  const T bits = std::bit_cast<T>(r);
  return Fmt<T>::is_nan(bits) ? Fmt<T>::kNaN : bits;
}

}  // namespace

template <class T>
T add(T a, T b, Rm rm, uint32_t& flags) {
  if (rm == kRmm) return soft::add(a, b, rm, flags);
  uint32_t mx = 0;
  const auto r = host_add(as_float(a), as_float(b), mxcsr_for(rm), mx);
  return finish<T>(r, mx, flags);
}

template <class T>
T sub(T a, T b, Rm rm, uint32_t& flags) {
  if (rm == kRmm) return soft::add(a, static_cast<T>(b ^ Fmt<T>::kSign), rm, flags);
  uint32_t mx = 0;
  const auto r = host_sub(as_float(a), as_float(b), mxcsr_for(rm), mx);
  return finish<T>(r, mx, flags);
}

template <class T>
T mul(T a, T b, Rm rm, uint32_t& flags) {
  if (rm == kRmm) return soft::mul(a, b, rm, flags);
  uint32_t mx = 0;
  const auto r = host_mul(as_float(a), as_float(b), mxcsr_for(rm), mx);
  return finish<T>(r, mx, flags);
}

template <class T>
T div(T a, T b, Rm rm, uint32_t& flags) {
  if (rm == kRmm) return soft::div(a, b, rm, flags);
  uint32_t mx = 0;
  const auto r = host_div(as_float(a), as_float(b), mxcsr_for(rm), mx);
  return finish<T>(r, mx, flags);
}

template <class T>
T sqrt(T a, Rm rm, uint32_t& flags) {
  uint32_t mx = 0;
  const Rm host_rm = rm == kRmm ? kRne : rm;  // no ties (see above)
  const auto r = host_sqrt(as_float(a), mxcsr_for(host_rm), mx);
  return finish<T>(r, mx, flags);
}

template <class T>
T fma(T a, T b, T c, Rm rm, uint32_t& flags) {
  using F = Fmt<T>;
  if (rm == kRmm || !host_has_fma()) return soft::fma(a, b, c, rm, flags);
  // RISC-V requires NV for inf*0 even when the addend is a quiet NaN
  // (§11.6); IEEE 754 leaves that case to the implementation.
  if ((F::is_inf(a) && F::is_zero(b)) || (F::is_zero(a) && F::is_inf(b))) flags |= kFlagNV;
  uint32_t mx = 0;
  const auto r = host_fma(as_float(a), as_float(b), as_float(c), mxcsr_for(rm), mx);
  return finish<T>(r, mx, flags);
}

uint32_t f64_to_f32(uint64_t a, Rm rm, uint32_t& flags) {
  if (rm == kRmm) return soft::f64_to_f32(a, rm, flags);
  uint32_t mx = 0;
  const auto r = host_d2s(as_float(a), mxcsr_for(rm), mx);
  return finish<uint32_t>(r, mx, flags);
}

uint64_t f32_to_f64(uint32_t a, uint32_t& flags) {
  uint32_t mx = 0;
  const auto r = host_s2d(as_float(a), mxcsr_for(kRne), mx);
  return finish<uint64_t>(r, mx, flags);
}

#define MIMIC_HOST_INSTANTIATE(T)         \
  template T add<T>(T, T, Rm, uint32_t&); \
  template T sub<T>(T, T, Rm, uint32_t&); \
  template T mul<T>(T, T, Rm, uint32_t&); \
  template T div<T>(T, T, Rm, uint32_t&); \
  template T sqrt<T>(T, Rm, uint32_t&);   \
  template T fma<T>(T, T, T, Rm, uint32_t&);
MIMIC_HOST_INSTANTIATE(uint32_t)
MIMIC_HOST_INSTANTIATE(uint64_t)
#undef MIMIC_HOST_INSTANTIATE

}  // namespace mimic::riscv::fpu
