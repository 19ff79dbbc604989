// The interpreter on hand-built blocks: every value op with its edge cases
// (expected values written out from the definitions in opcodes.inc, not from
// ir/eval.h), memory, atomics, branches, env, calls, exits and faults. Each
// value case also runs through the constant folder to check it agrees.
#include <gtest/gtest.h>

#include "backend/interp/interp.h"
#include "ir/eval.h"
#include "ir/helper.h"
#include "ir/opt/opt.h"
#include "ir/verify.h"
#include "ir_harness.h"

namespace mimic {
namespace {

using ir::Cond;
using ir::Opcode;
using test::reg_off;

struct Case {
  Opcode opc;
  uint64_t a, b, c, d;
  uint64_t k;  // Cond for setcond/movcond
  uint64_t want;
};

constexpr uint64_t M32 = 0x80000000u, M64 = 0x8000000000000000ull;
const Case kCases[] = {
    {Opcode::mov_i32, 0x12345678, 0, 0, 0, 0, 0x12345678},
    {Opcode::mov_i64, ~0ull, 0, 0, 0, 0, ~0ull},
    {Opcode::add_i32, 0xffffffff, 2, 0, 0, 0, 1},
    {Opcode::sub_i32, 0, 1, 0, 0, 0, 0xffffffff},
    {Opcode::mul_i32, 0x10000, 0x10000, 0, 0, 0, 0},
    {Opcode::mulsh_i32, 0xffffffff, 0xffffffff, 0, 0, 0, 0},            // -1*-1 = 1 -> high 0
    {Opcode::mulsh_i32, M32, M32, 0, 0, 0, 0x40000000},
    {Opcode::mulsh_i32, 0xffffffff, 2, 0, 0, 0, 0xffffffff},            // -2 -> high -1
    {Opcode::muluh_i32, 0xffffffff, 0xffffffff, 0, 0, 0, 0xfffffffe},
    {Opcode::div_i32, 7, 0, 0, 0, 0, 0xffffffff},                       // x/0 = -1
    {Opcode::div_i32, M32, 0xffffffff, 0, 0, 0, M32},                   // MIN/-1 = MIN
    {Opcode::div_i32, static_cast<uint32_t>(-7), 2, 0, 0, 0, static_cast<uint32_t>(-3)},
    {Opcode::divu_i32, 7, 0, 0, 0, 0, 0xffffffff},
    {Opcode::divu_i32, 0xffffffff, 2, 0, 0, 0, 0x7fffffff},
    {Opcode::rem_i32, 7, 0, 0, 0, 0, 7},                                 // x%0 = x
    {Opcode::rem_i32, M32, 0xffffffff, 0, 0, 0, 0},                      // MIN%-1 = 0
    {Opcode::rem_i32, static_cast<uint32_t>(-7), 2, 0, 0, 0, 0xffffffff},
    {Opcode::remu_i32, 7, 0, 0, 0, 0, 7},
    {Opcode::remu_i32, 7, 3, 0, 0, 0, 1},
    {Opcode::neg_i32, 1, 0, 0, 0, 0, 0xffffffff},
    {Opcode::neg_i32, M32, 0, 0, 0, 0, M32},
    {Opcode::not_i32, 0, 0, 0, 0, 0, 0xffffffff},
    {Opcode::and_i32, 0xf0f0, 0xff00, 0, 0, 0, 0xf000},
    {Opcode::or_i32, 0xf0f0, 0xff00, 0, 0, 0, 0xfff0},
    {Opcode::xor_i32, 0xf0f0, 0xff00, 0, 0, 0, 0x0ff0},
    {Opcode::andc_i32, 0xf0f0, 0xff00, 0, 0, 0, 0x00f0},
    {Opcode::orc_i32, 0, 0xff00ff00, 0, 0, 0, 0x00ff00ff},
    {Opcode::eqv_i32, 0xf0f0f0f0, 0xff00ff00, 0, 0, 0, 0xf00ff00f},
    {Opcode::shl_i32, 1, 31, 0, 0, 0, M32},
    {Opcode::shl_i32, 1, 32, 0, 0, 0, 1},                                // count mod 32
    {Opcode::shl_i32, 1, 33, 0, 0, 0, 2},
    {Opcode::shr_i32, M32, 31, 0, 0, 0, 1},
    {Opcode::shr_i32, M32, 63, 0, 0, 0, 1},
    {Opcode::sar_i32, M32, 31, 0, 0, 0, 0xffffffff},
    {Opcode::sar_i32, M32, 32, 0, 0, 0, M32},
    {Opcode::rotl_i32, 0x80000001, 1, 0, 0, 0, 3},
    {Opcode::rotl_i32, 0x80000001, 32, 0, 0, 0, 0x80000001},
    {Opcode::rotr_i32, 3, 1, 0, 0, 0, 0x80000001},
    {Opcode::rotr_i32, 3, 0, 0, 0, 0, 3},
    {Opcode::clz_i32, 0, 0, 0, 0, 0, 32},
    {Opcode::clz_i32, 1, 0, 0, 0, 0, 31},
    {Opcode::ctz_i32, 0, 0, 0, 0, 0, 32},
    {Opcode::ctz_i32, M32, 0, 0, 0, 0, 31},
    {Opcode::ctpop_i32, 0xffffffff, 0, 0, 0, 0, 32},
    {Opcode::bswap_i32, 0x11223344, 0, 0, 0, 0, 0x44332211},
    {Opcode::setcond_i32, 0xffffffff, 1, 0, 0, uint64_t(Cond::LT), 1},
    {Opcode::setcond_i32, 0xffffffff, 1, 0, 0, uint64_t(Cond::LTU), 0},
    {Opcode::setcond_i32, 5, 5, 0, 0, uint64_t(Cond::LEU), 1},
    {Opcode::setcond_i32, 5, 5, 0, 0, uint64_t(Cond::GT), 0},
    {Opcode::movcond_i32, 1, 2, 10, 20, uint64_t(Cond::LT), 10},
    {Opcode::movcond_i32, 1, 2, 10, 20, uint64_t(Cond::GE), 20},
    {Opcode::movcond_i32, 0xffffffff, 0, 10, 20, uint64_t(Cond::GTU), 10},
    {Opcode::ext8s_i32, 0x180, 0, 0, 0, 0, 0xffffff80},
    {Opcode::ext8u_i32, 0x1ff, 0, 0, 0, 0, 0xff},
    {Opcode::ext16s_i32, 0x18000, 0, 0, 0, 0, 0xffff8000},
    {Opcode::ext16u_i32, 0x1ffff, 0, 0, 0, 0, 0xffff},

    {Opcode::add_i64, ~0ull, 2, 0, 0, 0, 1},
    {Opcode::sub_i64, 0, 1, 0, 0, 0, ~0ull},
    {Opcode::mul_i64, 1ull << 32, 1ull << 32, 0, 0, 0, 0},
    {Opcode::mulsh_i64, ~0ull, ~0ull, 0, 0, 0, 0},
    {Opcode::mulsh_i64, M64, M64, 0, 0, 0, 1ull << 62},
    {Opcode::mulsh_i64, ~0ull, 2, 0, 0, 0, ~0ull},
    {Opcode::muluh_i64, ~0ull, ~0ull, 0, 0, 0, ~0ull - 1},
    {Opcode::div_i64, 7, 0, 0, 0, 0, ~0ull},
    {Opcode::div_i64, M64, ~0ull, 0, 0, 0, M64},
    {Opcode::div_i64, uint64_t(-7), 2, 0, 0, 0, uint64_t(-3)},
    {Opcode::divu_i64, 7, 0, 0, 0, 0, ~0ull},
    {Opcode::divu_i64, ~0ull, 2, 0, 0, 0, ~0ull >> 1},
    {Opcode::rem_i64, 7, 0, 0, 0, 0, 7},
    {Opcode::rem_i64, M64, ~0ull, 0, 0, 0, 0},
    {Opcode::rem_i64, uint64_t(-7), 2, 0, 0, 0, ~0ull},
    {Opcode::remu_i64, 7, 0, 0, 0, 0, 7},
    {Opcode::remu_i64, ~0ull, 10, 0, 0, 0, 5},
    {Opcode::neg_i64, 1, 0, 0, 0, 0, ~0ull},
    {Opcode::not_i64, 0, 0, 0, 0, 0, ~0ull},
    {Opcode::and_i64, ~0ull, 0xff, 0, 0, 0, 0xff},
    {Opcode::or_i64, 1ull << 63, 1, 0, 0, 0, (1ull << 63) | 1},
    {Opcode::xor_i64, ~0ull, 1, 0, 0, 0, ~1ull},
    {Opcode::andc_i64, ~0ull, 1, 0, 0, 0, ~1ull},
    {Opcode::orc_i64, 0, 1, 0, 0, 0, ~1ull},
    {Opcode::eqv_i64, 0, 0, 0, 0, 0, ~0ull},
    {Opcode::shl_i64, 1, 63, 0, 0, 0, M64},
    {Opcode::shl_i64, 1, 64, 0, 0, 0, 1},
    {Opcode::shl_i64, 1, 65, 0, 0, 0, 2},
    {Opcode::shr_i64, M64, 63, 0, 0, 0, 1},
    {Opcode::shr_i64, M64, 64, 0, 0, 0, M64},
    {Opcode::sar_i64, M64, 63, 0, 0, 0, ~0ull},
    {Opcode::sar_i64, M64, 127, 0, 0, 0, ~0ull},
    {Opcode::rotl_i64, M64 | 1, 1, 0, 0, 0, 3},
    {Opcode::rotl_i64, M64 | 1, 64, 0, 0, 0, M64 | 1},
    {Opcode::rotr_i64, 3, 1, 0, 0, 0, M64 | 1},
    {Opcode::rotr_i64, 3, 128, 0, 0, 0, 3},
    {Opcode::clz_i64, 0, 0, 0, 0, 0, 64},
    {Opcode::clz_i64, 1, 0, 0, 0, 0, 63},
    {Opcode::ctz_i64, 0, 0, 0, 0, 0, 64},
    {Opcode::ctz_i64, M64, 0, 0, 0, 0, 63},
    {Opcode::ctpop_i64, ~0ull, 0, 0, 0, 0, 64},
    {Opcode::bswap_i64, 0x1122334455667788ull, 0, 0, 0, 0, 0x8877665544332211ull},
    {Opcode::setcond_i64, ~0ull, 1, 0, 0, uint64_t(Cond::LT), 1},
    {Opcode::setcond_i64, ~0ull, 1, 0, 0, uint64_t(Cond::GTU), 1},
    {Opcode::setcond_i64, 3, 3, 0, 0, uint64_t(Cond::NE), 0},
    {Opcode::setcond_i64, 3, 3, 0, 0, uint64_t(Cond::GE), 1},
    {Opcode::setcond_i64, 2, 3, 0, 0, uint64_t(Cond::GEU), 0},
    {Opcode::setcond_i64, 2, 3, 0, 0, uint64_t(Cond::LE), 1},
    {Opcode::setcond_i64, 2, 2, 0, 0, uint64_t(Cond::EQ), 1},
    {Opcode::movcond_i64, M64, 0, 10, 20, uint64_t(Cond::LT), 10},
    {Opcode::movcond_i64, M64, 0, 10, 20, uint64_t(Cond::LTU), 20},
    {Opcode::ext8s_i64, 0x80, 0, 0, 0, 0, ~0ull << 7},
    {Opcode::ext8u_i64, ~0ull, 0, 0, 0, 0, 0xff},
    {Opcode::ext16s_i64, 0x8000, 0, 0, 0, 0, ~0ull << 15},
    {Opcode::ext16u_i64, ~0ull, 0, 0, 0, 0, 0xffff},
    {Opcode::ext32s_i64, 0x80000000, 0, 0, 0, 0, ~0ull << 31},
    {Opcode::ext32u_i64, ~0ull, 0, 0, 0, 0, 0xffffffff},
    {Opcode::extu_i32_i64, 0x80000000, 0, 0, 0, 0, 0x80000000},
    {Opcode::exts_i32_i64, 0x80000000, 0, 0, 0, 0, ~0ull << 31},
    {Opcode::trunc_i64_i32, 0x123456789ull, 0, 0, 0, 0, 0x23456789},
};

// r0 = op(r1..r4) with i32 inputs taken from the low halves; i32 results
// are zero-extended into r0.
ir::Block value_block(const Case& c, bool const_inputs) {
  ir::Block blk;
  ir::Builder b(blk);
  const ir::OpInfo& in = ir::info(c.opc);
  const uint64_t vals[4] = {c.a, c.b, c.c, c.d};
  std::vector<uint32_t> temps;
  temps.push_back(0);  // output placeholder
  for (int i = 0; i < in.n_in; i++) {
    ir::Type t = ir::arg_type(c.opc, 1 + i);
    if (const_inputs) {
      temps.push_back(t == ir::Type::I32 ? b.const_i32(static_cast<uint32_t>(vals[i])).idx
                                         : b.const_i64(vals[i]).idx);
    } else {
      ir::I64 g = b.global(reg_off(1 + i), "r");
      temps.push_back(t == ir::Type::I32 ? b.trunc(g).idx : g.idx);
    }
  }
  bool out32 = ir::arg_type(c.opc, 0) == ir::Type::I32;
  uint32_t out = out32 ? b.new_i32().idx : b.new_i64().idx;
  temps[0] = out;
  ir::Op op{};
  op.opc = c.opc;
  op.n_args = static_cast<uint8_t>(1 + in.n_in + in.n_const);
  for (size_t i = 0; i < temps.size(); i++) op.args[i] = temps[i];
  if (in.n_const) op.args[temps.size()] = c.k;
  blk.ops.push_back(op);
  ir::I64 r0 = b.global(reg_off(0), "r0");
  b.mov(r0, out32 ? b.extu(ir::I32{out}) : ir::I64{out});
  b.exit_tb(ir::kExitGuest);
  return blk;
}

TEST(InterpOps, EveryValueOpAndEdgeCases) {
  auto& be = backend::interp_backend();
  std::vector<bool> covered(static_cast<size_t>(Opcode::kCount), false);
  for (const Case& c : kCases) {
    SCOPED_TRACE(ir::info(c.opc).name);
    covered[static_cast<size_t>(c.opc)] = true;
    ir::Block blk = value_block(c, false);
    ASSERT_TRUE(ir::verify(blk).ok()) << ir::verify(blk).error().message;
    test::TestMachine m;
    m.cpu.r[1] = c.a, m.cpu.r[2] = c.b, m.cpu.r[3] = c.c, m.cpu.r[4] = c.d;
    auto r = test::run_block(be, blk, m);
    EXPECT_EQ(r.code, ir::kExitGuest);
    EXPECT_EQ(m.cpu.r[0], c.want) << std::hex << c.a << " " << c.b;

    // Same op on constants: the folder must produce the same value.
    ir::Block cb = value_block(c, true);
    ir::optimize(cb);
    ASSERT_TRUE(ir::verify(cb).ok()) << ir::verify(cb).error().message;
    test::TestMachine m2;
    test::run_block(be, cb, m2);
    EXPECT_EQ(m2.cpu.r[0], c.want) << "folded";
  }
  for (size_t i = 0; i < covered.size(); i++) {
    if (ir::eval::is_pure(static_cast<Opcode>(i))) {
      EXPECT_TRUE(covered[i]) << "no case for " << ir::kOpInfo[i].name;
    }
  }
}

TEST(InterpOps, LoadsStoresExtendAndFault) {
  auto& be = backend::interp_backend();
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 addr = b.const_i64(0x100);
  b.insn_start(0x1000);
  b.st(b.global(reg_off(1), "r1"), addr, ir::memop(3));
  b.mov(b.global(reg_off(2), "r2"), b.ld(addr, ir::memop(0, true)));
  b.mov(b.global(reg_off(3), "r3"), b.ld(addr, ir::memop(1, false)));
  b.mov(b.global(reg_off(4), "r4"), b.extu(b.ld32(addr, ir::memop(2, true))));
  b.mov(b.global(reg_off(5), "r5"), b.ld(b.const_i64(0x101), ir::memop(2, true)));  // misaligned ok
  b.insn_start(0x1004);
  b.st(b.trunc(b.global(reg_off(1), "r1")), b.const_i64(0x200), ir::memop(1));
  b.insn_start(0x1008);
  b.mov(b.global(reg_off(6), "r6"), b.ld(b.const_i64(test::kMemSize - 4), ir::memop(3)));  // crosses limit
  b.exit_tb(ir::kExitGuest);
  ASSERT_TRUE(ir::verify(blk).ok()) << ir::verify(blk).error().message;
  test::TestMachine m;
  m.cpu.r[1] = 0x80c0b0a0f0e0d0e1ull;
  m.cpu.r[6] = 77;
  auto r = test::run_block(be, blk, m);
  EXPECT_EQ(r.code, ir::kExitFault);
  EXPECT_EQ(m.cpu.common.pc, 0x1008u);
  EXPECT_EQ(m.cpu.common.fault_addr, test::kMemSize - 4);
  EXPECT_FALSE(m.cpu.common.fault_write);
  EXPECT_EQ(m.cpu.r[2], ~0ull << 8 | 0xe1);
  EXPECT_EQ(m.cpu.r[3], 0xd0e1u);
  EXPECT_EQ(m.cpu.r[4], 0xf0e0d0e1u);  // i32 sign-extended load is 32-bit, then zero-extended
  EXPECT_EQ(m.cpu.r[5], 0xffffffffa0f0e0d0ull);
  uint16_t h;
  std::memcpy(&h, m.host(0x200), 2);
  EXPECT_EQ(h, 0xd0e1);
  EXPECT_EQ(m.cpu.r[6], 77u);
}

TEST(InterpOps, StoreFaultAndMisaligned) {
  auto& be = backend::interp_backend();
  {
    ir::Block blk;
    ir::Builder b(blk);
    b.insn_start(0x40);
    b.st(b.const_i64(1), b.const_i64(~0ull - 3), ir::memop(3));  // wraps
    b.exit_tb(0);
    test::TestMachine m;
    auto r = test::run_block(be, blk, m);
    EXPECT_EQ(r.code, ir::kExitFault);
    EXPECT_TRUE(m.cpu.common.fault_write);
    EXPECT_EQ(m.cpu.common.fault_addr, ~0ull - 3);
    EXPECT_EQ(m.cpu.common.pc, 0x40u);
  }
  {
    ir::Block blk;
    ir::Builder b(blk);
    b.insn_start(0x44);
    b.mov(b.global(reg_off(0), "r0"), b.ld(b.const_i64(0x102), ir::memop(2, false, true)));
    b.exit_tb(0);
    test::TestMachine m;
    auto r = test::run_block(be, blk, m);
    EXPECT_EQ(r.code, ir::kExitMisaligned);
    EXPECT_EQ(m.cpu.common.fault_addr, 0x102u);
    EXPECT_EQ(m.cpu.common.pc, 0x44u);
  }
}

TEST(InterpOps, Atomics) {
  auto& be = backend::interp_backend();
  struct A {
    ir::AtomicOp op;
    unsigned size_log2;
    bool sign;
    uint64_t mem, val, want_old, want_mem;
  };
  const A cases[] = {
      {ir::AtomicOp::Xchg, 3, false, 5, 9, 5, 9},
      {ir::AtomicOp::Add, 2, true, 0xffffffff, 1, ~0ull, 0},
      {ir::AtomicOp::Add, 3, false, ~0ull, 2, ~0ull, 1},
      {ir::AtomicOp::And, 3, false, 0xff, 0x0f, 0xff, 0x0f},
      {ir::AtomicOp::Or, 2, false, 0xf0, 0x0f, 0xf0, 0xff},
      {ir::AtomicOp::Xor, 3, false, 0xff, 0x0f, 0xff, 0xf0},
      {ir::AtomicOp::Smin, 2, true, 0x80000000, 5, ~0ull << 31, 0x80000000},
      {ir::AtomicOp::Smax, 2, true, 0x80000000, 5, ~0ull << 31, 5},
      {ir::AtomicOp::Umin, 2, true, 0x80000000, 5, ~0ull << 31, 5},
      {ir::AtomicOp::Umax, 3, false, 1, ~0ull, 1, ~0ull},
      {ir::AtomicOp::Smin, 3, false, 1, ~0ull, 1, ~0ull},
  };
  for (const A& c : cases) {
    SCOPED_TRACE(ir::atomic_op_name(c.op));
    ir::Block blk;
    ir::Builder b(blk);
    b.mov(b.global(reg_off(0), "r0"),
          b.atomic_rmw(c.op, b.const_i64(0x80), b.global(reg_off(1), "r1"), ir::memop(c.size_log2, c.sign, true)));
    b.exit_tb(0);
    test::TestMachine m;
    std::memcpy(m.host(0x80), &c.mem, 8);
    m.cpu.r[1] = c.val;
    test::run_block(be, blk, m);
    EXPECT_EQ(m.cpu.r[0], c.want_old);
    uint64_t got = 0;
    std::memcpy(&got, m.host(0x80), 1u << c.size_log2);
    EXPECT_EQ(got, c.want_mem);
  }
  // cmpxchg: success and failure, 32-bit compares the low half only.
  for (int succeed = 0; succeed < 2; succeed++) {
    ir::Block blk;
    ir::Builder b(blk);
    b.mov(b.global(reg_off(0), "r0"),
          b.atomic_cmpxchg(b.const_i64(0x90), b.global(reg_off(1), "r1"), b.global(reg_off(2), "r2"),
                           ir::memop(2, true, true)));
    b.mb();
    b.exit_tb(0);
    test::TestMachine m;
    uint32_t init = 0xdeadbeef;
    std::memcpy(m.host(0x90), &init, 4);
    m.cpu.r[1] = succeed ? 0xffffffffdeadbeefull : 0x1234;
    m.cpu.r[2] = 0x55;
    test::run_block(be, blk, m);
    EXPECT_EQ(m.cpu.r[0], 0xffffffffdeadbeefull);
    uint32_t now;
    std::memcpy(&now, m.host(0x90), 4);
    EXPECT_EQ(now, succeed ? 0x55u : 0xdeadbeefu);
  }
}

uint64_t h_sum(void* env, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  auto* cpu = static_cast<test::TestCpu*>(env);
  cpu->r[15] += 1;
  return a + 2 * b + 3 * c + 4 * d;
}
uint64_t h_raise(void* env, uint64_t code, uint64_t, uint64_t, uint64_t) {
  exec::raise_exit(static_cast<exec::CpuCommon*>(env), code);
}

TEST(InterpOps, BranchesEnvCallsExits) {
  auto& be = backend::interp_backend();
  static const uint32_t kSum = ir::register_helper({"sum", h_sum, ir::kHelperWritesEnv});
  static const uint32_t kRaise = ir::register_helper({"raise", h_raise, ir::kHelperMayRaise});
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r0 = b.global(reg_off(0), "r0"), r1 = b.global(reg_off(1), "r1");
  ir::Label skip = b.new_label(), done = b.new_label();
  b.brcond(Cond::GEU, r1, b.const_i64(10), skip);
  b.mov(r0, b.call(kSum, {r1, b.const_i64(1), b.const_i64(2), b.const_i64(3)}));
  b.br(done);
  b.set_label(skip);
  b.st_env(test::extra_off(0), r1);
  b.st_env32(test::extra_off(1), b.trunc(b.not_(r1)));
  b.mov(r0, b.add(b.ld_env(test::extra_off(0)), b.extu(b.ld_env32(test::extra_off(1)))));
  b.insn_start(0x500);
  b.call(kRaise, {b.const_i64(99)});
  b.set_label(done);
  b.goto_tb(1, 0x1234);
  ASSERT_TRUE(ir::verify(blk).ok()) << ir::verify(blk).error().message;
  {
    test::TestMachine m;
    m.cpu.r[1] = 4;
    auto r = test::run_block(be, blk, m);
    EXPECT_EQ(r.slot, 1);
    EXPECT_EQ(m.cpu.common.pc, 0x1234u);
    EXPECT_EQ(m.cpu.r[0], 4u + 2 + 6 + 12);
    EXPECT_EQ(m.cpu.r[15], 1u);
  }
  {
    test::TestMachine m;
    m.cpu.r[1] = 0x100000010ull;
    auto r = test::run_block(be, blk, m);
    EXPECT_EQ(r.code, 99u);
    EXPECT_EQ(r.slot, -1);
    EXPECT_EQ(m.cpu.common.pc, 0x500u);
    EXPECT_EQ(m.cpu.r[0], 0x100000010ull + 0xffffffefull);
  }
  ir::Block gp;
  ir::Builder g(gp);
  g.goto_ptr();
  test::TestMachine m;
  auto r = test::run_block(be, gp, m);
  EXPECT_EQ(r.code, ir::kExitNormal);
  EXPECT_EQ(r.slot, -1);
}

}  // namespace
}  // namespace mimic
