#pragma once
// Operand pools for the IEEE ops' tests (ir_fp_eval_test, jit_fp_test), and
// the exact reference: the RISC-V soft-float of guest/riscv/fpu_soft.h in
// round-to-nearest-even, whose NaN rules are the ops' kFpNanCanonical.
#include <cstdint>
#include <vector>

#include "guest/riscv/fpu.h"
#include "guest/riscv/fpu_soft.h"
#include "ir/fp.h"
#include "ir/ir.h"

namespace mimic::test {

// Signed zeros, subnormals, the normal boundary, near-overflow, infinities,
// quiet and signaling NaNs (with payloads, both signs), integer-conversion
// boundaries, halfway cases.
inline const std::vector<uint64_t>& f64_pool() {
  static const std::vector<uint64_t> v = {
      0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
      0x3ff8000000000000, 0x4008000000000000, 0x3fd5555555555555, 0x3ff0000000000001,
      0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000, 0x0010000000000001,
      0x001fffffffffffff, 0x7fefffffffffffff, 0xffefffffffffffff, 0x7fe0000000000000,
      0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff8000000000123,
      0xfff8000000000000, 0x7ff0000000000001, 0xfff4000000000000, 0x43e0000000000000,
      0xc3e0000000000000, 0x43dfffffffffffff, 0xc3e0000000000001, 0x41e0000000000000,
      0xc1e0000000000000, 0xc1e0000000100000, 0x41dfffffffe00000, 0x41dfffffffc00000,
      0x3fe0000000000000, 0x4004000000000000, 0xc004000000000000, 0x3ca0000000000000,
      0x2000000000000000, 0x5ff0000000000000, 0x3e70000000000000, 0x47efffffe0000000,
      0x47effffff0000000, 0x3690000000000000, 0x36a0000000000000, 0x36a8000000000000,
  };
  return v;
}

inline const std::vector<uint32_t>& f32_pool() {
  static const std::vector<uint32_t> v = {
      0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40400000, 0x3eaaaaab,
      0x3f800001, 0x00000001, 0x807fffff, 0x00800000, 0x00800001, 0x00ffffff, 0x7f7fffff,
      0xff7fffff, 0x7f000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fc00123, 0xffc00000,
      0x7f800001, 0xffa00000, 0x5f000000, 0xdf000000, 0x5effffff, 0xdf000001, 0x4f000000,
      0xcf000000, 0x4effffff, 0x3f000000, 0x40200000, 0xc0200000, 0x33800000, 0x1f800000,
      0x5f800000,
  };
  return v;
}

// Integers for the int -> float ops.
inline const std::vector<uint64_t>& int_pool() {
  static const std::vector<uint64_t> v = {
      0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, 0x1000001, 0xffffff, 0x1fffffffffffff,
      0x20000000000001, 0x7fffffffffffffff, 0x8000000000000000, ~0ull, 0xfffffffffffffffe,
      0x123456789abcdef1, 0xffffffff80000000, 0x100000000, 0x7fffff4000000001};
  return v;
}

struct FpRef {
  uint64_t value;
  uint32_t flags;  // fflags layout == exec::HostFpFlag
};

// The exact result of op `o` (const k) on a, b, c.
inline FpRef fp_reference(ir::Opcode o, uint64_t a, uint64_t b, uint64_t c, uint64_t k) {
  namespace fpu = riscv::fpu;
  using ir::Opcode;
  using fpu::kRne;
  uint32_t f = 0;
  const auto a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b), c32 = static_cast<uint32_t>(c);
  const fpu::Rm to_int_rm = k == ir::kFpToIntTrunc ? fpu::kRtz : fpu::kRne;
  uint64_t r = 0;
  switch (o) {
    case Opcode::fadd_f64: r = fpu::soft::add<uint64_t>(a, b, kRne, f); break;
    case Opcode::fsub_f64: r = fpu::soft::add<uint64_t>(a, b ^ (1ull << 63), kRne, f); break;
    case Opcode::fmul_f64: r = fpu::soft::mul<uint64_t>(a, b, kRne, f); break;
    case Opcode::fdiv_f64: r = fpu::soft::div<uint64_t>(a, b, kRne, f); break;
    case Opcode::fsqrt_f64: r = fpu::soft::sqrt<uint64_t>(a, kRne, f); break;
    case Opcode::fma_f64: r = fpu::soft::fma<uint64_t>(a, b, c, kRne, f); break;
    case Opcode::fadd_f32: r = fpu::soft::add<uint32_t>(a32, b32, kRne, f); break;
    case Opcode::fsub_f32: r = fpu::soft::add<uint32_t>(a32, b32 ^ 0x80000000u, kRne, f); break;
    case Opcode::fmul_f32: r = fpu::soft::mul<uint32_t>(a32, b32, kRne, f); break;
    case Opcode::fdiv_f32: r = fpu::soft::div<uint32_t>(a32, b32, kRne, f); break;
    case Opcode::fsqrt_f32: r = fpu::soft::sqrt<uint32_t>(a32, kRne, f); break;
    case Opcode::fma_f32: r = fpu::soft::fma<uint32_t>(a32, b32, c32, kRne, f); break;
    case Opcode::fcvt_f32_f64: r = fpu::soft::f64_to_f32(a, kRne, f); break;
    case Opcode::fcvt_f64_f32: r = fpu::soft::f32_to_f64(a32, f); break;
    case Opcode::fcvt_f64_i32: r = fpu::from_int<uint64_t>(a, fpu::kW, kRne, f); break;
    case Opcode::fcvt_f64_u32: r = fpu::from_int<uint64_t>(a, fpu::kWU, kRne, f); break;
    case Opcode::fcvt_f64_i64: r = fpu::from_int<uint64_t>(a, fpu::kL, kRne, f); break;
    case Opcode::fcvt_f32_i32: r = fpu::from_int<uint32_t>(a, fpu::kW, kRne, f); break;
    case Opcode::fcvt_f32_u32: r = fpu::from_int<uint32_t>(a, fpu::kWU, kRne, f); break;
    case Opcode::fcvt_f32_i64: r = fpu::from_int<uint32_t>(a, fpu::kL, kRne, f); break;
    case Opcode::fcvt_i32_f64: r = fpu::to_int<uint64_t>(a, fpu::kW, to_int_rm, f); break;
    case Opcode::fcvt_i64_f64: r = fpu::to_int<uint64_t>(a, fpu::kL, to_int_rm, f); break;
    case Opcode::fcvt_i32_f32: r = fpu::to_int<uint32_t>(a32, fpu::kW, to_int_rm, f); break;
    case Opcode::fcvt_i64_f32: r = fpu::to_int<uint32_t>(a32, fpu::kL, to_int_rm, f); break;
    case Opcode::feq_f64: r = fpu::feq<uint64_t>(a, b, f); break;
    case Opcode::flt_f64: r = fpu::flt<uint64_t>(a, b, f); break;
    case Opcode::fle_f64: r = fpu::fle<uint64_t>(a, b, f); break;
    case Opcode::feq_f32: r = fpu::feq<uint32_t>(a32, b32, f); break;
    case Opcode::flt_f32: r = fpu::flt<uint32_t>(a32, b32, f); break;
    case Opcode::fle_f32: r = fpu::fle<uint32_t>(a32, b32, f); break;
    default: break;
  }
  return {r, f};
}

// Operand kinds of an op: f64, f32 or integer inputs.
enum class FpIn { F64, F32, Int };
inline FpIn fp_input_kind(ir::Opcode o) {
  using ir::Opcode;
  switch (o) {
    case Opcode::fadd_f32: case Opcode::fsub_f32: case Opcode::fmul_f32: case Opcode::fdiv_f32:
    case Opcode::fsqrt_f32: case Opcode::fma_f32: case Opcode::fcvt_f64_f32:
    case Opcode::fcvt_i32_f32: case Opcode::fcvt_i64_f32:
    case Opcode::feq_f32: case Opcode::flt_f32: case Opcode::fle_f32:
      return FpIn::F32;
    case Opcode::fcvt_f64_i32: case Opcode::fcvt_f64_u32: case Opcode::fcvt_f64_i64:
    case Opcode::fcvt_f32_i32: case Opcode::fcvt_f32_u32: case Opcode::fcvt_f32_i64:
      return FpIn::Int;
    default:
      return FpIn::F64;
  }
}

// The values of constant `k` worth testing for op o.
inline std::vector<uint64_t> fp_consts(ir::Opcode o) {
  const ir::OpInfo& in = ir::info(o);
  if (in.n_const == 0) return {0};
  using ir::Opcode;
  switch (o) {
    case Opcode::fcvt_i32_f64: case Opcode::fcvt_i64_f64:
    case Opcode::fcvt_i32_f32: case Opcode::fcvt_i64_f32:
      return {ir::kFpToIntTrunc, ir::kFpToIntNearest};
    default:
      return {ir::kFpNanCanonical};
  }
}

}  // namespace mimic::test
