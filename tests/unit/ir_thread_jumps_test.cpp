// Jump threading (ir/opt/thread_jumps.cpp) on the shapes hot-region merging
// produces: the trampolines disappear, conditional branches over a branch
// are inverted, insn_start is never skipped towards a label that does not
// start with one, and the interpreter and the JIT agree with the unthreaded
// block (registers, memory, exit, and pc/insn_pc on faults).
#include <gtest/gtest.h>

#include "backend/interp/interp.h"
#include "backend/x86_64/jit.h"
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

bool has_insn_start(const ir::Block& b, uint64_t pc) {
  for (const ir::Op& op : b.ops)
    if (op.opc == Opcode::insn_start && op.cst(0) == pc) return true;
  return false;
}

// Two merged guest blocks (0x100 looping on itself with an exit_request
// check on the back edge, then 0x200) and a shared exit to 0x300, laid out
// as exec/region.cpp does. r3 walks through memory: a load faults once it
// reaches the end.
ir::Block region_block() {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r[8];
  for (int i = 0; i < 8; i++) r[i] = b.global(test::reg_off(i), "r");
  ir::I64 pc = b.global(static_cast<int32_t>(offsetof(exec::CpuCommon, pc)), "pc");
  ir::Label b0 = b.new_label(), b1 = b.new_label(), ta = b.new_label(), leave = b.new_label();
  ir::Label tb = b.new_label(), ex = b.new_label();
  b.insn_start(0x100);
  b.set_label(b0);
  b.insn_start(0x100);
  b.mov(r[1], b.add(r[1], b.const_i64(1)));
  b.insn_start(0x104);
  b.mov(r[6], b.add(r[6], b.ld(r[3], ir::memop(3))));
  b.mov(r[3], b.add(r[3], b.const_i64(8)));
  b.insn_start(0x108);
  b.brcond(ir::Cond::LTU, r[1], r[4], ta);
  b.insn_start(0x200);
  b.br(b1);
  b.set_label(ta);
  ir::I32 req = b.ld_env32(static_cast<int32_t>(offsetof(exec::CpuCommon, exit_request)));
  b.brcond(ir::Cond::NE, req, b.const_i32(0), leave);
  b.insn_start(0x100);
  b.br(b0);
  b.set_label(leave);
  b.mov(pc, b.const_i64(0x100));
  b.exit_tb(ir::kExitInterrupt);
  b.set_label(b1);
  b.insn_start(0x200);
  b.mov(r[5], b.add(r[5], b.const_i64(1)));
  b.insn_start(0x204);
  b.brcond(ir::Cond::NE, r[5], r[7], tb);
  b.insn_start(0x100);
  b.br(b0);
  b.set_label(tb);
  b.insn_start(0x300);
  b.br(ex);
  b.set_label(ex);
  b.goto_tb(0, 0x300);
  return blk;
}

TEST(ThreadJumps, RegionTrampolinesDisappear) {
  ir::Block blk = region_block();
  ASSERT_TRUE(ir::verify(blk).ok()) << ir::print(blk);
  ir::thread_jumps(blk);
  ir::eliminate_dead_code(blk);
  ASSERT_TRUE(ir::verify(blk).ok()) << ir::print(blk);
  EXPECT_EQ(count(blk, Opcode::br), 0u) << ir::print(blk);
  EXPECT_EQ(count(blk, Opcode::brcond_i64) + count(blk, Opcode::brcond_i32), 3u) << ir::print(blk);
  EXPECT_EQ(count(blk, Opcode::set_label), 2u) << ir::print(blk);  // the two guest blocks
  // The exit's label starts with goto_tb, not insn_start: its pc stays.
  EXPECT_TRUE(has_insn_start(blk, 0x300)) << ir::print(blk);
  EXPECT_EQ(count(blk, Opcode::exit_tb), 1u);
}

TEST(ThreadJumps, KeepsInsnStartBeforeLabelWithoutOne) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r0 = b.global(test::reg_off(0), "r0");
  ir::Label l1 = b.new_label(), l2 = b.new_label();
  b.insn_start(0x10);
  b.brcond(ir::Cond::EQ, r0, b.const_i64(0), l1);
  b.insn_start(0x14);
  b.br(l2);
  b.set_label(l1);
  b.mov(r0, b.const_i64(1));
  b.exit_tb(ir::kExitGuest);
  b.set_label(l2);
  b.mov(r0, b.ld(r0, ir::memop(3)));  // may fault: needs insn_pc 0x14
  b.exit_tb(ir::kExitGuest);
  const std::string before = ir::print(blk);
  ir::thread_jumps(blk);
  EXPECT_EQ(ir::print(blk), before);
}

TEST(ThreadJumps, BackendsAgreeWithUnthreaded) {
  const ir::Block orig = region_block();
  ir::Block opt = orig;
  ir::optimize(opt);
  ASSERT_TRUE(ir::verify(opt).ok()) << ir::print(opt);
  ASSERT_EQ(count(opt, Opcode::br), 0u) << ir::print(opt);
  for (uint64_t start :
       {uint64_t{0x100}, test::kMemSize - 8 * 3, test::kMemSize - 8 * 7, test::kMemSize - 8}) {
    for (uint64_t iters : {1, 5, 9}) {
      test::TestMachine m0;
      for (int j = 0; j < 8; j++) m0.cpu.r[j] = 0x10 * j;
      for (uint64_t a = 0; a < test::kMemSize / 8; a++) m0.mem[a] = a * 0x9e3779b97f4a7c15ull;
      m0.cpu.r[1] = 100;
      m0.cpu.r[4] = 100 + iters;
      m0.cpu.r[3] = start;
      m0.cpu.r[5] = 0;
      m0.cpu.r[7] = iters & 1 ? 1 : 2;  // 2: a second pass through block 0
      test::TestMachine m1(m0), m2(m0);
      auto r0 = test::run_block(backend::interp_backend(), orig, m0);
      auto r1 = test::run_block(backend::interp_backend(), opt, m1);
      auto r2 = test::run_block(backend::jit_backend(), opt, m2);
      for (auto* p : {&m1, &m2}) {
        const auto& r = p == &m1 ? r1 : r2;
        SCOPED_TRACE(p == &m1 ? "interp" : "jit");
        EXPECT_EQ(r.code, r0.code);
        EXPECT_EQ(r.slot, r0.slot);
        for (int j = 0; j < 8; j++) EXPECT_EQ(p->cpu.r[j], m0.cpu.r[j]) << "r" << j;
        EXPECT_EQ(p->cpu.common.pc, m0.cpu.common.pc);
        if (r0.code == ir::kExitFault) {
          EXPECT_EQ(p->cpu.common.insn_pc, m0.cpu.common.insn_pc);
          EXPECT_EQ(p->cpu.common.fault_addr, m0.cpu.common.fault_addr);
        }
        EXPECT_TRUE(p->mem == m0.mem);
      }
    }
  }
}

}  // namespace
}  // namespace mimic
