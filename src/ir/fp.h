#pragma once
// Constant arguments of the IEEE floating-point ops of opcodes.inc.
#include <cstdint>

#include "ir/ir.h"

namespace mimic::ir {

// What a NaN result is (the const of the arithmetic and format-conversion
// ops). Guests differ: RISC-V and ARM (default-NaN mode) want the canonical
// quiet NaN, x86 propagates the first NaN operand (not implemented yet).
enum FpNan : uint64_t {
  // The canonical NaN, 0x7ff8000000000000 / 0x7fc00000. In this mode
  // fma(inf, 0, qNaN) also raises invalid (IEEE 754-2019 §7.2 leaves that
  // to the implementation; RISC-V unprivileged ISA §11.6 requires it).
  kFpNanCanonical = 0,
};

// Rounding of the float -> integer ops (their const).
enum FpToInt : uint64_t {
  kFpToIntTrunc = 0,    // toward zero (C casts)
  kFpToIntNearest = 1,  // to nearest, ties to even
};

namespace eval {

// The IEEE ops of opcodes.inc (semantics in ir/eval_fp.h).
#define MIMIC_IR_FP_OPS(X)                                                                 \
  X(fadd_f64) X(fsub_f64) X(fmul_f64) X(fdiv_f64) X(fsqrt_f64) X(fma_f64)                  \
  X(fadd_f32) X(fsub_f32) X(fmul_f32) X(fdiv_f32) X(fsqrt_f32) X(fma_f32)                  \
  X(fcvt_f32_f64) X(fcvt_f64_f32)                                                          \
  X(fcvt_f64_i32) X(fcvt_f64_u32) X(fcvt_f64_i64) X(fcvt_f32_i32) X(fcvt_f32_u32)          \
  X(fcvt_f32_i64) X(fcvt_i32_f64) X(fcvt_i64_f64) X(fcvt_i32_f32) X(fcvt_i64_f32)          \
  X(feq_f64) X(flt_f64) X(fle_f64) X(feq_f32) X(flt_f32) X(fle_f32)

constexpr bool is_fp(Opcode opc) {
  switch (opc) {
#define MIMIC_X(name) case Opcode::name:
    MIMIC_IR_FP_OPS(MIMIC_X)
#undef MIMIC_X
    return true;
    default:
      return false;
  }
}

}  // namespace eval

}  // namespace mimic::ir
