// The verifier accepts well-formed blocks and names what is wrong in each
// kind of malformed one; the printer shows ops readably.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/helper.h"
#include "ir/print.h"
#include "ir/verify.h"
#include "ir_harness.h"

namespace mimic {
namespace {

using ir::Opcode;

struct Fixture {
  ir::Block blk;
  ir::Builder b{blk};
  ir::I64 g = b.global(test::reg_off(1), "x1");
};

std::string error_of(const ir::Block& blk) {
  auto r = ir::verify(blk);
  return r.ok() ? "" : r.error().message;
}

TEST(IrVerify, AcceptsWellFormedBlock) {
  Fixture f;
  ir::Label l = f.b.new_label();
  f.b.brcond(ir::Cond::LT, f.g, f.b.const_i64(3), l);
  f.b.mov(f.g, f.b.add(f.g, f.b.const_i64(1)));
  f.b.set_label(l);
  f.b.goto_tb(0, 0x100);
  EXPECT_EQ(error_of(f.blk), "");
}

TEST(IrVerify, RejectsMalformedBlocks) {
  {
    Fixture f;
    f.b.mov(f.g, f.g);
    EXPECT_NE(error_of(f.blk).find("does not end"), std::string::npos);
  }
  {
    Fixture f;
    ir::I32 t = f.b.new_i32();
    f.b.emit(Opcode::add_i64, {f.g.idx, f.g.idx, t.idx});  // i32 input to an i64 op
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("expected i64"), std::string::npos) << error_of(f.blk);
  }
  {
    Fixture f;
    f.b.emit(Opcode::mov_i64, {f.b.const_i64(1).idx, f.g.idx});
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("writes a constant"), std::string::npos);
  }
  {
    Fixture f;
    f.b.emit(Opcode::add_i64, {f.g.idx, f.g.idx});  // missing an input
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("arguments"), std::string::npos);
  }
  {
    Fixture f;
    ir::Label l = f.b.new_label();
    f.b.br(l);
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("never defined"), std::string::npos);
  }
  {
    Fixture f;
    ir::Label l = f.b.new_label();
    f.b.set_label(l);
    f.b.set_label(l);
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("defined twice"), std::string::npos);
  }
  {
    Fixture f;
    f.b.emit(Opcode::setcond_i64, {f.g.idx, f.g.idx, f.g.idx}, {42});
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("condition"), std::string::npos);
  }
  {
    Fixture f;
    f.b.emit(Opcode::ld_i32, {f.b.new_i32().idx, f.g.idx}, {ir::memop(3).encode()});
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("8-byte"), std::string::npos);
  }
  {
    Fixture f;
    f.b.emit(Opcode::call, {f.g.idx, f.g.idx, f.g.idx, f.g.idx, f.g.idx}, {ir::helper_count() + 5});
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("helper"), std::string::npos);
  }
  {
    Fixture f;
    f.b.goto_tb(ir::kMaxGotoTbSlots, 0);
    EXPECT_NE(error_of(f.blk).find("slot"), std::string::npos);
  }
  {
    Fixture f;
    ir::I64 t = f.b.new_i64();
    f.b.mov(f.g, t);  // read before write
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("before any write"), std::string::npos);
  }
  {
    Fixture f;
    f.blk.temps.push_back({ir::Type::I32, ir::TempKind::Const, 0, 1ull << 32, ""});
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("32 bits"), std::string::npos);
  }
  {
    Fixture f;
    f.b.emit(Opcode::atomic_rmw_i64, {f.g.idx, f.g.idx, f.g.idx}, {ir::memop(3).encode(), 9});
    f.b.exit_tb(0);
    EXPECT_NE(error_of(f.blk).find("AtomicOp"), std::string::npos);
  }
}

TEST(IrPrint, ReadableListing) {
  Fixture f;
  ir::Label l = f.b.new_label();
  f.b.insn_start(0x10078);
  ir::I64 t = f.b.add(f.g, f.b.const_i64(16));
  f.b.brcond(ir::Cond::LTU, t, f.b.const_i64(0), l);
  f.b.st(t, f.g, ir::memop(2, false, true));
  f.b.set_label(l);
  f.b.exit_tb(16);
  std::string s = ir::print(f.blk);
  EXPECT_NE(s.find(" ---- 0x10078"), std::string::npos) << s;
  EXPECT_NE(s.find("add_i64 t"), std::string::npos) << s;
  EXPECT_NE(s.find(", x1, $0x10"), std::string::npos) << s;
  EXPECT_NE(s.find("ltu, L0"), std::string::npos) << s;
  EXPECT_NE(s.find("st_i64 t"), std::string::npos) << s;
  EXPECT_NE(s.find("u32,al"), std::string::npos) << s;
  EXPECT_NE(s.find("set_label L0:"), std::string::npos) << s;
  EXPECT_NE(s.find("exit_tb 0x10"), std::string::npos) << s;
}

}  // namespace
}  // namespace mimic
