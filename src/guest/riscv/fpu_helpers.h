#pragma once
// IR helpers for the F and D instructions (see ir/helper.h). Each takes the
// f registers' raw 64-bit values (singles are unboxed inside: an improperly
// boxed operand reads as the canonical NaN) and returns the raw value to
// write (singles NaN-boxed), or the integer register value for comparisons,
// fclass and conversions to integer. Accrued exceptions are ORed into
// RiscvCpu::fflags.
//
// Arguments, in call order (unused ones are 0):
//   add/sub/mul/div[fmt](a, b, rm)     sqrt[fmt](a, rm)
//   fma[fmt](a, b, c, rm)              (sign flips for fmsub & co. done in IR)
//   min/max/feq/flt/fle[fmt](a, b)     fclass[fmt](a)
//   to_int[fmt](a, rm, IntKind)        from_int[fmt](x, rm, IntKind)
//   f64_to_f32(a, rm)                  f32_to_f64(a, rm)
// fmt: 0 = single, 1 = double. rm is the instruction's rm field (0..4 or 7);
// with 7 the helper reads frm and raises kExitIllegal when frm > 4 (§11.2).
// The translator refuses the reserved static modes 5 and 6 itself.
#include <cstdint>

namespace mimic::riscv {

struct FpHelperIds {
  uint32_t add[2], sub[2], mul[2], div[2], sqrt[2], fma[2];
  uint32_t min[2], max[2], feq[2], flt[2], fle[2], fclass[2];
  uint32_t to_int[2], from_int[2];
  uint32_t f64_to_f32, f32_to_f64;
};

// Helper indices, registered at static-initialisation time.
const FpHelperIds& fp_helper_ids();

}  // namespace mimic::riscv
