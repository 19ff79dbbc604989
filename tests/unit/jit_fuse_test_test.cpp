// The JIT's `and t, x, imm; brcond t ==/!= 0` fusion (Compiler::fuse_test:
// one `test x, imm`) against the interpreter: both widths, both conditions,
// masks with the sign bit of imm32 set, x a local that dies at the and, a
// global, or a local still read after the branch; and the compare of an
// env load (fuse_env_cmp).
#include <gtest/gtest.h>

#include "backend/interp/interp.h"
#include "backend/x86_64/jit.h"
#include "ir/print.h"
#include "ir_harness.h"

namespace mimic {
namespace {

enum class Src { DyingLocal, Global, LiveLocal };

ir::Block make(bool i32, ir::Cond c, uint64_t mask, Src src) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r0 = b.global(test::reg_off(0), "r0"), r1 = b.global(test::reg_off(1), "r1");
  ir::I64 r2 = b.global(test::reg_off(2), "r2");
  ir::Label taken = b.new_label();
  b.insn_start(0x40);
  b.mov(r1, b.const_i64(1));
  ir::I64 x = src == Src::Global ? r0 : b.add(r0, b.const_i64(0x1234));
  if (i32) {
    ir::I32 x32 = b.trunc(x);
    b.brcond(c, b.and_(x32, b.const_i32(static_cast<uint32_t>(mask))), b.const_i32(0), taken);
  } else {
    b.brcond(c, b.and_(x, b.const_i64(mask)), b.const_i64(0), taken);
  }
  b.mov(r1, b.const_i64(2));
  if (src == Src::LiveLocal) b.mov(r2, b.xor_(x, b.const_i64(0x55)));
  b.exit_tb(ir::kExitGuest);
  b.set_label(taken);
  if (src == Src::LiveLocal) b.mov(r2, x);
  b.exit_tb(ir::kExitGuest + 1);
  return blk;
}

TEST(JitFuseTest, AndThenBranchOnZero) {
  const uint64_t masks[] = {7, 1, 0x7fffffff, 0xffffffff80000000ull, 0xfffffffffffffff8ull, 0x80};
  const uint64_t values[] = {0,
                             1,
                             8,
                             0x1234,
                             0x80000000,
                             0xffffffffedcba987ull,
                             0x8000000000000000ull,
                             ~uint64_t{0},
                             0x7fffffffffffffffull - 0x1233};
  int outcomes[2] = {0, 0};  // the branch goes both ways
  for (bool i32 : {false, true})
    for (ir::Cond c : {ir::Cond::EQ, ir::Cond::NE})
      for (uint64_t mask : masks)
        for (Src src : {Src::DyingLocal, Src::Global, Src::LiveLocal}) {
          ir::Block blk = make(i32, c, mask, src);
          for (uint64_t v : values) {
            test::TestMachine m1;
            m1.cpu.r[0] = v;
            test::TestMachine m2(m1);
            auto a = test::run_block(backend::interp_backend(), blk, m1);
            auto b = test::run_block(backend::jit_backend(), blk, m2);
            ASSERT_EQ(a.code, b.code) << ir::print(blk) << " v=" << v;
            outcomes[a.code == ir::kExitGuest + 1]++;
            for (int j = 0; j < 3; j++)
              ASSERT_EQ(m1.cpu.r[j], m2.cpu.r[j]) << ir::print(blk) << " v=" << v;
          }
        }
  EXPECT_GT(outcomes[0], 100);
  EXPECT_GT(outcomes[1], 100);
}

// `ld_env t; brcond t, imm` (Compiler::fuse_env_cmp): compares env memory
// directly, after a dirty global at the same offset has been stored.
TEST(JitFuseTest, EnvLoadThenBranch) {
  const uint64_t values[] = {0, 1, 5, 0x80000000, 0xffffffff, 0x100000005ull, ~uint64_t{0}};
  int outcomes[2] = {0, 0};
  for (bool i32 : {false, true})
    for (ir::Cond c : {ir::Cond::EQ, ir::Cond::NE, ir::Cond::LT, ir::Cond::GEU, ir::Cond::GT})
      for (bool via_global : {false, true}) {
        ir::Block blk;
        ir::Builder b(blk);
        ir::I64 r0 = b.global(test::reg_off(0), "r0"), r1 = b.global(test::reg_off(1), "r1");
        ir::Label taken = b.new_label();
        b.insn_start(0x40);
        if (via_global) b.mov(r0, b.add(r0, b.const_i64(1)));  // dirty: the load must see it
        const int32_t off = via_global ? test::reg_off(0) : test::extra_off(2);
        if (i32)
          b.brcond(c, b.ld_env32(off), b.const_i32(5), taken);
        else
          b.brcond(c, b.ld_env(off), b.const_i64(5), taken);
        b.mov(r1, b.const_i64(2));
        b.exit_tb(ir::kExitGuest);
        b.set_label(taken);
        b.mov(r1, b.const_i64(3));
        b.exit_tb(ir::kExitGuest + 1);
        for (uint64_t v : values) {
          test::TestMachine m1;
          m1.cpu.r[0] = v - 1;
          m1.cpu.extra[2] = v;
          test::TestMachine m2(m1);
          auto a = test::run_block(backend::interp_backend(), blk, m1);
          auto r = test::run_block(backend::jit_backend(), blk, m2);
          ASSERT_EQ(a.code, r.code) << ir::print(blk) << " v=" << v;
          outcomes[a.code == ir::kExitGuest + 1]++;
          for (int j = 0; j < 2; j++)
            ASSERT_EQ(m1.cpu.r[j], m2.cpu.r[j]) << ir::print(blk) << " v=" << v;
        }
      }
  EXPECT_GT(outcomes[0], 20);
  EXPECT_GT(outcomes[1], 20);
}

}  // namespace
}  // namespace mimic
