// Differential test of the optimizer: random well-typed blocks run by the
// interpreter before and after optimize() must leave identical globals, env,
// memory, pc/insn_pc, exit code and fault details, including when a memory
// access faults in the middle of the block.
#include <gtest/gtest.h>

#include "backend/interp/interp.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir/verify.h"
#include "ir_random.h"

namespace mimic {
namespace {

void expect_same(const test::TestMachine& a, const test::TestMachine& b, const backend::RunResult& ra,
                 const backend::RunResult& rb, const std::string& listing) {
  // listing names the seed; the caller prints the blocks on failure.
  ASSERT_EQ(ra.code, rb.code) << listing;
  ASSERT_EQ(ra.slot, rb.slot) << listing;
  for (int i = 0; i < 16; i++) ASSERT_EQ(a.cpu.r[i], b.cpu.r[i]) << "r" << i << "\n" << listing;
  for (int i = 0; i < 8; i++) ASSERT_EQ(a.cpu.extra[i], b.cpu.extra[i]) << "extra" << i << "\n" << listing;
  ASSERT_EQ(a.cpu.common.pc, b.cpu.common.pc) << listing;
  ASSERT_EQ(a.cpu.common.insn_pc, b.cpu.common.insn_pc) << listing;
  if (ra.code == ir::kExitFault || ra.code == ir::kExitMisaligned) {
    ASSERT_EQ(a.cpu.common.fault_addr, b.cpu.common.fault_addr) << listing;
    ASSERT_EQ(a.cpu.common.fault_write, b.cpu.common.fault_write) << listing;
  }
  ASSERT_TRUE(a.mem == b.mem) << "memory differs\n" << listing;
}

TEST(IrOptRandom, OptimizedBlocksBehaveIdentically) {
  auto& be = backend::interp_backend();
  size_t ops_before = 0, ops_after = 0, faults = 0;
  for (uint64_t seed = 1; seed <= 1500; seed++) {
    test::RandomIr gen(seed);
    ir::Block orig = gen.generate(20 + static_cast<int>(seed % 80));
    auto v = ir::verify(orig);
    ASSERT_TRUE(v.ok()) << "seed " << seed << ": " << v.error().message << "\n" << ir::print(orig);
    ir::Block opt = orig;
    ir::optimize(opt);
    v = ir::verify(opt);
    ASSERT_TRUE(v.ok()) << "seed " << seed << ": " << v.error().message << "\n" << ir::print(opt);
    ops_before += orig.ops.size();
    ops_after += opt.ops.size();
    for (int run = 0; run < 4; run++) {
      test::TestMachine m1;
      gen.randomize(m1);
      test::TestMachine m2(m1);
      auto r1 = test::run_block(be, orig, m1);
      auto r2 = test::run_block(be, opt, m2);
      if (r1.code == ir::kExitFault) faults++;
      expect_same(m1, m2, r1, r2, "seed " + std::to_string(seed));
      if (HasFatalFailure()) {
        ADD_FAILURE() << "ORIGINAL\n" << ir::print(orig) << "OPTIMIZED\n" << ir::print(opt);
        return;
      }
    }
  }
  std::printf("ops %zu -> %zu, runs that faulted: %zu\n", ops_before, ops_after, faults);
  EXPECT_LT(ops_after, ops_before);
}

}  // namespace
}  // namespace mimic
