// ir::BlockMerger (the IR side of hot regions): temps and labels are
// renumbered, globals matched by env offset, constants shared, and a merged
// loop runs the same on both backends. ir::LabelLiveness: locals live at a
// loop header are exactly those read there before being written.
#include <gtest/gtest.h>

#include "backend/backend.h"
#include "ir/builder.h"
#include "ir/liveness.h"
#include "ir/merge.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir/verify.h"
#include "ir_harness.h"

namespace mimic {
namespace {

using ir::Opcode;

constexpr uint64_t kPcA = 0x1000, kPcB = 0x2000;

// A: x1 += 1; goto B.      B: x2 += x1; if x1 <u 10 goto A; else exit.
void make_a(ir::Block& a) {
  ir::Builder b(a);
  a.guest_pc = kPcA;
  b.insn_start(kPcA);
  ir::I64 x1 = b.global(test::reg_off(1), "x1");
  b.mov(x1, b.add(x1, b.const_i64(1)));
  b.goto_tb(0, kPcB);
}
void make_b(ir::Block& bl) {
  ir::Builder b(bl);
  bl.guest_pc = kPcB;
  b.insn_start(kPcB);
  // Globals declared in another order than in A, and a constant A also has.
  ir::I64 x2 = b.global(test::reg_off(2), "x2");
  ir::I64 x1 = b.global(test::reg_off(1), "x1");
  ir::I64 one = b.const_i64(1);
  b.mov(x2, b.add(x2, b.sub(b.add(x1, one), one)));
  ir::Label done = b.new_label();
  b.brcond(ir::Cond::GEU, x1, b.const_i64(10), done);
  b.goto_tb(1, kPcA);
  b.set_label(done);
  b.exit_tb(ir::kExitGuest);
}

// Merges A and B, turning goto_tbs between them into branches.
ir::Block merged() {
  ir::Block a, bb, out;
  make_a(a);
  make_b(bb);
  out.guest_pc = kPcA;
  ir::BlockMerger m(out);
  const uint32_t la = m.new_label(), lb = m.new_label();
  auto rewrite = [&](const ir::Op& op, ir::BlockMerger& mm) {
    if (op.opc != Opcode::goto_tb) return false;
    mm.emit(Opcode::br, {}, {op.cst(1) == kPcA ? la : lb});
    return true;
  };
  m.emit(Opcode::set_label, {}, {la});
  m.append(a, rewrite);
  m.emit(Opcode::set_label, {}, {lb});
  m.append(bb, rewrite);
  return out;
}

TEST(IrMerge, RenumbersTempsAndLabels) {
  ir::Block out = merged();
  ASSERT_TRUE(ir::verify(out).ok()) << ir::verify(out).error().message << ir::print(out);
  int globals = 0, one_consts = 0;
  for (const ir::TempInfo& t : out.temps) {
    if (t.kind == ir::TempKind::Global) globals++;
    if (t.kind == ir::TempKind::Const && t.type == ir::Type::I64 && t.value == 1) one_consts++;
  }
  EXPECT_EQ(globals, 2);     // x1 shared by both blocks
  EXPECT_EQ(one_consts, 1);  // $1 shared
  EXPECT_EQ(out.n_labels, 3u);  // two block labels + B's own
  // Every reference to env offset of x1 is one temp.
  uint32_t x1 = UINT32_MAX;
  for (uint32_t t = 0; t < out.temps.size(); t++)
    if (out.temps[t].kind == ir::TempKind::Global && out.temps[t].env_offset == test::reg_off(1)) x1 = t;
  ASSERT_NE(x1, UINT32_MAX);
  for (const ir::Op& op : out.ops) {
    EXPECT_NE(op.opc, Opcode::goto_tb);
    if (op.opc == Opcode::brcond_i64) {
      EXPECT_EQ(op.in(0), x1);
    }
  }
  // Appending into a non-empty block reuses its globals.
  ir::Block c;
  make_a(c);
  ir::BlockMerger m2(out);
  const size_t temps_before = out.temps.size();
  m2.append(c);
  int more_globals = 0;
  for (size_t t = temps_before; t < out.temps.size(); t++)
    if (out.temps[t].kind == ir::TempKind::Global) more_globals++;
  EXPECT_EQ(more_globals, 0);
}

TEST(IrMerge, MergedLoopRunsOnBothBackends) {
  for (const char* name : {"interp", "jit"}) {
    backend::Backend* be = backend::by_name(name);
    if (!be) continue;
    for (bool opt : {false, true}) {
      ir::Block out = merged();
      if (opt) ir::optimize(out);
      ASSERT_TRUE(ir::verify(out).ok()) << ir::print(out);
      test::TestMachine m;
      m.cpu.r[1] = 0;
      m.cpu.r[2] = 5;
      backend::RunResult r = test::run_block(*be, out, m);
      EXPECT_EQ(r.code, ir::kExitGuest) << name;
      EXPECT_EQ(r.slot, -1) << name;
      EXPECT_EQ(m.cpu.r[1], 10u) << name;
      EXPECT_EQ(m.cpu.r[2], 5u + 55u) << name;
    }
  }
}

TEST(IrLiveness, LocalsLiveAtLoopHeader) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 x1 = b.global(test::reg_off(1), "x1");
  ir::I64 carried = b.new_i64();  // written before the loop, read in it
  b.mov(carried, b.add(x1, b.const_i64(3)));
  ir::Label head = b.new_label(), skip = b.new_label();
  b.set_label(head);
  ir::I64 fresh = b.add(x1, carried);  // written first in each iteration
  ir::I64 maybe = b.new_i64();         // written on one path only
  b.brcond(ir::Cond::EQ, x1, b.const_i64(7), skip);
  b.mov(maybe, fresh);
  b.set_label(skip);
  b.mov(x1, maybe);  // reads `maybe` possibly from the previous iteration
  b.brcond(ir::Cond::LTU, x1, b.const_i64(100), head);
  b.exit_tb(0);
  ir::LabelLiveness live(blk);
  EXPECT_TRUE(live.live_at(head.id, carried.idx));
  EXPECT_FALSE(live.live_at(head.id, fresh.idx));
  EXPECT_TRUE(live.live_at(head.id, maybe.idx));
  EXPECT_TRUE(live.live_at(skip.id, maybe.idx));
  EXPECT_FALSE(live.live_at(skip.id, fresh.idx));
  EXPECT_FALSE(live.live_at(head.id, x1.idx));  // globals are not tracked
}

}  // namespace
}  // namespace mimic
