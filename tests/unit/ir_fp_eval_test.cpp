// The IEEE ops' semantics (ir/eval_fp.h, run by the interpreter) against the
// exact soft-float reference: every op on edge operands must give the same
// bits and raise the same flags into the host FP status (exec/host_fp.h).
#include <gtest/gtest.h>

#include "exec/host_fp.h"
#include "ir/builder.h"
#include "ir/eval_fp.h"
#include "ir/verify.h"
#include "ir_fp_test_values.h"

namespace mimic {
namespace {

using ir::Opcode;

struct Got {
  uint64_t value;
  uint32_t flags;
};

Got run_eval(Opcode o, uint64_t a, uint64_t b, uint64_t c, uint64_t k) {
  exec::clear_host_fp_flags();
  const uint64_t v = ir::eval::eval_fp(o, a, b, c, k);
  return {v, exec::take_host_fp_flags()};
}

std::vector<Opcode> fp_ops() {
  std::vector<Opcode> v;
  for (int i = 0; i < static_cast<int>(Opcode::kCount); i++) {
    const auto o = static_cast<Opcode>(i);
    if (!ir::eval::is_fp(o)) continue;
    if ((o == Opcode::fma_f64 || o == Opcode::fma_f32) && !ir::eval::host_has_fma()) continue;
    v.push_back(o);
  }
  return v;
}

std::vector<uint64_t> pool_for(test::FpIn kind) {
  switch (kind) {
    case test::FpIn::F64: return test::f64_pool();
    case test::FpIn::F32: {
      std::vector<uint64_t> v;
      for (uint32_t x : test::f32_pool()) v.push_back(x);
      return v;
    }
    default: return test::int_pool();
  }
}

TEST(IrFpEval, EveryOpMatchesSoftFloatOnEdgeValues) {
  size_t checked = 0;
  for (Opcode o : fp_ops()) {
    const ir::OpInfo& in = ir::info(o);
    const test::FpIn kind = test::fp_input_kind(o);
    const std::vector<uint64_t> pool = pool_for(kind);
    // Upper bits of f32 operands must be ignored.
    const uint64_t junk = kind == test::FpIn::F32 ? 0xdead00be00000000ull : 0;
    const size_t nb = in.n_in >= 2 ? pool.size() : 1;
    const size_t nc = in.n_in >= 3 ? pool.size() : 1;
    for (uint64_t k : test::fp_consts(o))
      for (size_t i = 0; i < pool.size(); i++)
        for (size_t j = 0; j < nb; j++)
          for (size_t l = 0; l < nc; l += (in.n_in >= 3 ? 3 : 1)) {
            const uint64_t a = pool[i], b = pool[j], c = pool[(l + i) % pool.size()];
            const test::FpRef want = test::fp_reference(o, a, b, c, k);
            const Got got = run_eval(o, a | junk, b | junk, c | junk, k);
            ASSERT_EQ(got.value, want.value)
                << in.name << " k=" << k << std::hex << " a=0x" << a << " b=0x" << b << " c=0x" << c;
            ASSERT_EQ(got.flags, want.flags)
                << in.name << " k=" << k << std::hex << " a=0x" << a << " b=0x" << b << " c=0x" << c;
            checked++;
          }
  }
  std::printf("%zu cases\n", checked);
}

// RISC-V §11.6: inf * 0 + qNaN raises invalid; the result is the canonical NaN.
TEST(IrFpEval, FmaInfTimesZeroPlusQuietNaNIsInvalid) {
  if (!ir::eval::host_has_fma()) GTEST_SKIP() << "no FMA3";
  Got g = run_eval(Opcode::fma_f64, 0x7ff0000000000000, 0x8000000000000000, 0x7ff8000000000123, 0);
  EXPECT_EQ(g.value, 0x7ff8000000000000u);
  EXPECT_EQ(g.flags, exec::kFpInvalid);
  g = run_eval(Opcode::fma_f32, 0x00000000, 0xff800000, 0x7fc00001, 0);
  EXPECT_EQ(g.value, 0x7fc00000u);
  EXPECT_EQ(g.flags, exec::kFpInvalid);
  // A quiet NaN addend alone raises nothing.
  g = run_eval(Opcode::fma_f64, 0x3ff0000000000000, 0x4000000000000000, 0x7ff8000000000000, 0);
  EXPECT_EQ(g.value, 0x7ff8000000000000u);
  EXPECT_EQ(g.flags, 0u);
}

// The ops only ever OR flags into the host status; taking clears them.
TEST(IrFpEval, FlagsAreStickyAndTakenOnce) {
  exec::clear_host_fp_flags();
  ir::eval::eval_fp(Opcode::fdiv_f64, 0x3ff0000000000000, 0x4008000000000000, 0, 0);  // 1/3: inexact
  ir::eval::eval_fp(Opcode::fadd_f64, 0x3ff0000000000000, 0x3ff0000000000000, 0, 0);  // exact
  ir::eval::eval_fp(Opcode::fdiv_f64, 0x3ff0000000000000, 0, 0, 0);                   // 1/0
  EXPECT_EQ(exec::peek_host_fp_flags(), exec::kFpInexact | exec::kFpDivByZero);
  EXPECT_EQ(exec::take_host_fp_flags(), exec::kFpInexact | exec::kFpDivByZero);
  EXPECT_EQ(exec::take_host_fp_flags(), 0u);
}

TEST(IrFpEval, MxcsrFlagMapping) {
  EXPECT_EQ(exec::host_fp_flags_from_mxcsr(0x1f80), 0u);
  EXPECT_EQ(exec::host_fp_flags_from_mxcsr(0x1f80 | 0x02), 0u);  // DE: no IEEE flag
  EXPECT_EQ(exec::host_fp_flags_from_mxcsr(0x01), exec::kFpInvalid);
  EXPECT_EQ(exec::host_fp_flags_from_mxcsr(0x04), exec::kFpDivByZero);
  EXPECT_EQ(exec::host_fp_flags_from_mxcsr(0x08), exec::kFpOverflow);
  EXPECT_EQ(exec::host_fp_flags_from_mxcsr(0x10), exec::kFpUnderflow);
  EXPECT_EQ(exec::host_fp_flags_from_mxcsr(0x20), exec::kFpInexact);
}

// The verifier checks the constants: FpNan and FpToInt values.
TEST(IrFpEval, VerifierChecksConstants) {
  for (uint64_t nan : {uint64_t{ir::kFpNanCanonical}, uint64_t{1}}) {
    for (uint64_t to_int : {uint64_t{ir::kFpToIntTrunc}, uint64_t{ir::kFpToIntNearest}, uint64_t{2}}) {
      ir::Block blk;
      ir::Builder b(blk);
      const ir::I64 x = b.new_i64(), y = b.new_i64();
      b.emit(Opcode::fadd_f64, {x.idx, b.const_i64(1).idx, b.const_i64(2).idx}, {nan});
      b.emit(Opcode::fcvt_i64_f64, {y.idx, x.idx}, {to_int});
      b.exit_tb(ir::kExitGuest);
      const bool ok = nan == ir::kFpNanCanonical && to_int <= ir::kFpToIntNearest;
      EXPECT_EQ(static_cast<bool>(ir::verify(blk)), ok) << nan << " " << to_int;
    }
  }
}

}  // namespace
}  // namespace mimic
