// Each optimization pass on small blocks with a known expected result.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/helper.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir/verify.h"
#include "ir_harness.h"

namespace mimic {
namespace {

using ir::Opcode;

size_t count(const ir::Block& b, Opcode opc) {
  size_t n = 0;
  for (const ir::Op& op : b.ops) n += op.opc == opc;
  return n;
}

uint64_t h_noop(void*, uint64_t a, uint64_t, uint64_t, uint64_t) { return a; }

TEST(FoldConstants, FoldsAndBranches) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 g = b.global(test::reg_off(0), "r0");
  ir::I64 t = b.mul(b.const_i64(6), b.const_i64(7));
  ir::I32 d = b.div(b.const_i32(5), b.const_i32(0));
  ir::Label never = b.new_label(), always = b.new_label();
  b.brcond(ir::Cond::GT, b.const_i64(1), b.const_i64(2), never);  // not taken: removed
  b.brcond(ir::Cond::LTU, b.const_i64(1), b.const_i64(2), always);  // taken: br
  b.set_label(never);
  b.set_label(always);
  b.mov(g, b.add(t, b.extu(d)));
  b.exit_tb(0);
  ir::fold_constants(blk);
  ASSERT_TRUE(ir::verify(blk).ok()) << ir::print(blk);
  EXPECT_EQ(count(blk, Opcode::mul_i64), 0u);
  EXPECT_EQ(count(blk, Opcode::div_i32), 0u);
  EXPECT_EQ(count(blk, Opcode::brcond_i64), 0u);
  EXPECT_EQ(count(blk, Opcode::br), 1u);
  EXPECT_NE(ir::print(blk).find("$0x2a"), std::string::npos) << ir::print(blk);
  EXPECT_NE(ir::print(blk).find("$0xffffffff"), std::string::npos) << ir::print(blk);
}

TEST(FoldConstants, Identities) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 g = b.global(test::reg_off(0), "r0");
  b.mov(g, b.add(g, b.const_i64(0)));
  b.mov(g, b.and_(g, b.const_i64(0)));
  b.exit_tb(0);
  ir::fold_constants(blk);
  EXPECT_EQ(count(blk, Opcode::add_i64) + count(blk, Opcode::and_i64), 0u) << ir::print(blk);
}

TEST(PropagateCopies, ForwardsWithinRegionOnly) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 g0 = b.global(test::reg_off(0), "r0"), g1 = b.global(test::reg_off(1), "r1");
  ir::I64 t = b.new_i64();
  b.mov(t, g1);
  ir::I64 u = b.add(t, t);  // reads t -> r1
  ir::Label l = b.new_label();
  b.brcond(ir::Cond::EQ, u, g0, l);
  b.mov(g0, t);  // still r1 after brcond (fallthrough)
  b.set_label(l);
  b.mov(g0, t);  // after the label: unknown, stays t
  b.exit_tb(0);
  ir::propagate_copies(blk);
  ASSERT_TRUE(ir::verify(blk).ok());
  EXPECT_EQ(blk.ops[1].in(0), g1.idx);
  EXPECT_EQ(blk.ops[1].in(1), g1.idx);
  EXPECT_EQ(blk.ops[3].in(0), g1.idx);
  EXPECT_EQ(blk.ops[5].in(0), t.idx);
}

TEST(PropagateCopies, HelperWritingEnvKillsGlobals) {
  static const uint32_t kW = ir::register_helper({"w", h_noop, ir::kHelperWritesEnv});
  static const uint32_t kP = ir::register_helper({"p", h_noop, ir::kHelperPure});
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 g0 = b.global(test::reg_off(0), "r0"), g1 = b.global(test::reg_off(1), "r1");
  ir::I64 t = b.new_i64();
  b.mov(t, g1);
  b.call(kP, {t});  // pure: t -> r1 still known
  b.call(kW, {t});  // r1 may change: the fact t == r1 dies
  b.mov(g0, t);
  b.exit_tb(0);
  ir::propagate_copies(blk);
  EXPECT_EQ(blk.ops[1].in(0), g1.idx);
  EXPECT_EQ(blk.ops[2].in(0), g1.idx);  // read before the call: still forwarded
  EXPECT_EQ(blk.ops[3].in(0), t.idx);
}

TEST(DeadCode, RemovesDeadValuesKeepsEffects) {
  static const uint32_t kP = ir::register_helper({"p2", h_noop, ir::kHelperPure});
  static const uint32_t kW = ir::register_helper({"w2", h_noop, ir::kHelperWritesEnv});
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 g = b.global(test::reg_off(0), "r0");
  b.add(g, g);                                   // dead local
  b.call(kP, {g});                               // pure call, result unused: dead
  b.call(kW, {g});                               // kept
  b.ld(g, ir::memop(3));                         // may fault: kept
  b.mov(g, b.mul(g, g));                         // global write: kept
  ir::Label l = b.new_label();
  ir::I64 live_across = b.sub(g, g);
  b.br(l);
  b.mov(g, g);                                   // unreachable
  b.set_label(l);
  b.mov(g, live_across);
  b.exit_tb(0);
  ir::eliminate_dead_code(blk);
  ASSERT_TRUE(ir::verify(blk).ok()) << ir::print(blk);
  EXPECT_EQ(count(blk, Opcode::add_i64), 0u) << ir::print(blk);
  EXPECT_EQ(count(blk, Opcode::call), 1u);
  EXPECT_EQ(count(blk, Opcode::ld_i64), 1u);
  EXPECT_EQ(count(blk, Opcode::mul_i64), 1u);
  EXPECT_EQ(count(blk, Opcode::sub_i64), 1u);
  EXPECT_EQ(count(blk, Opcode::br), 0u);         // branch to the next op
  EXPECT_EQ(count(blk, Opcode::mov_i64), 2u) << ir::print(blk);
}

TEST(Optimize, TypicalGuestSequenceShrinks) {
  // x1 = x0(=0) + 5; x2 = x1 + 3 -> x1 = 5; x2 = 8
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 x1 = b.global(test::reg_off(1), "x1"), x2 = b.global(test::reg_off(2), "x2");
  b.insn_start(0x100);
  b.mov(x1, b.add(b.const_i64(0), b.const_i64(5)));
  b.insn_start(0x104);
  b.mov(x2, b.add(x1, b.const_i64(3)));
  b.exit_tb(0);
  ir::optimize(blk);
  ASSERT_TRUE(ir::verify(blk).ok());
  EXPECT_EQ(count(blk, Opcode::add_i64), 0u) << ir::print(blk);
  std::string s = ir::print(blk);
  EXPECT_NE(s.find("mov_i64 x1, $0x5"), std::string::npos) << s;
  EXPECT_NE(s.find("mov_i64 x2, $0x8"), std::string::npos) << s;
}

}  // namespace
}  // namespace mimic
