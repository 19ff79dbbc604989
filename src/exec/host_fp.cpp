#include "exec/host_fp.h"

#include <ucontext.h>

namespace mimic::exec {

namespace {

constexpr uint32_t kMxcsrFlags = 0x3f;  // IE DE ZE OE UE PE
// The state mimic and guest code run in: round to nearest even, every
// exception masked, DAZ/FTZ off, no flag (Intel SDM Vol. 1 §10.2.3).
constexpr uint32_t kMxcsrDefault = 0x1f80;

uint32_t read_mxcsr() {
  uint32_t v;
  asm volatile("stmxcsr %0" : "=m"(v));
  return v;
}

void write_mxcsr(uint32_t v) { asm volatile("ldmxcsr %0" : : "m"(v)); }

}  // namespace

uint32_t host_fp_flags_from_mxcsr(uint32_t mx) {
  uint32_t f = 0;
  if (mx & (1u << 0)) f |= kFpInvalid;    // IE
  if (mx & (1u << 2)) f |= kFpDivByZero;  // ZE
  if (mx & (1u << 3)) f |= kFpOverflow;   // OE
  if (mx & (1u << 4)) f |= kFpUnderflow;  // UE
  if (mx & (1u << 5)) f |= kFpInexact;    // PE
  return f;                               // DE (bit 1): no IEEE meaning
}

// stmxcsr waits for the FP operations in flight, so it is the expensive
// part: read once, and clear by loading the known default state.
uint32_t take_host_fp_flags() {
  const uint32_t mx = read_mxcsr();
  if ((mx & kMxcsrFlags) == 0) return 0;
  write_mxcsr(kMxcsrDefault);
  return host_fp_flags_from_mxcsr(mx);
}

uint32_t peek_host_fp_flags() { return host_fp_flags_from_mxcsr(read_mxcsr()); }

void clear_host_fp_flags() { write_mxcsr(kMxcsrDefault); }

uint32_t host_fp_flags_of_context(const void* ucontext) {
  const auto* uc = static_cast<const ucontext_t*>(ucontext);
  if (!uc || !uc->uc_mcontext.fpregs) return 0;
  return host_fp_flags_from_mxcsr(uc->uc_mcontext.fpregs->mxcsr);
}

}  // namespace mimic::exec
