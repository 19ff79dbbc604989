// The RISC-V translator's block formation, checked on the IR it emits:
// block ends at branches, at the page end and at the instruction limit, an
// instruction straddling the page end is translated only as the first of a
// block, illegal encodings raise kExitIllegal, and fetches beyond guest
// memory fault with the pc of the instruction.
#include <gtest/gtest.h>

#include <csetjmp>
#include <cstring>
#include <vector>

#include "exec/cpu_loop.h"
#include "guest/riscv/cpu.h"
#include "ir/ir.h"

namespace mimic::riscv {
namespace {

constexpr uint32_t kAddi = 0x00150513;  // addi a0, a0, 1
constexpr uint16_t kCNop = 0x0001;
constexpr uint32_t kBeq = 0x00b50463;  // beq a0, a1, +8
constexpr uint32_t kEcall = 0x00000073;

struct Guest {
  std::vector<uint8_t> mem = std::vector<uint8_t>(3 * 4096, 0);
  RiscvCpu cpu;
  Guest() {
    cpu.common.guest_base = mem.data();
    cpu.common.guest_limit = mem.size();
  }
  void put32(uint64_t a, uint32_t v) { std::memcpy(&mem[a], &v, 4); }
  void put16(uint64_t a, uint16_t v) { std::memcpy(&mem[a], &v, 2); }
  ir::Block translate(uint64_t pc) {
    ir::Block b;
    guest_ops().translate(&cpu.common, pc, guest_ops().tb_flags(&cpu.common), b);
    return b;
  }
};

const ir::Op& last_op(const ir::Block& b) { return b.ops.back(); }

unsigned count(const ir::Block& b, ir::Opcode opc) {
  unsigned n = 0;
  for (const ir::Op& op : b.ops) n += op.opc == opc;
  return n;
}

TEST(RiscvTranslate, BranchEndsBlockWithTwoChainedExits) {
  Guest g;
  g.put32(0x100, kAddi);
  g.put32(0x104, kBeq);
  g.put32(0x108, kAddi);
  ir::Block b = g.translate(0x100);
  EXPECT_EQ(b.guest_pc, 0x100u);
  EXPECT_EQ(b.guest_insns, 2u);
  EXPECT_EQ(b.guest_size, 8u);
  EXPECT_EQ(count(b, ir::Opcode::insn_start), 2u);
  ASSERT_EQ(count(b, ir::Opcode::goto_tb), 2u);
  std::vector<std::pair<uint64_t, uint64_t>> exits;  // (slot, target)
  for (const ir::Op& op : b.ops)
    if (op.opc == ir::Opcode::goto_tb) exits.push_back({op.cst(0), op.cst(1)});
  EXPECT_EQ(exits[0], std::make_pair(uint64_t{1}, uint64_t{0x108}));  // not taken
  EXPECT_EQ(exits[1], std::make_pair(uint64_t{0}, uint64_t{0x10c}));  // taken
}

TEST(RiscvTranslate, EcallRaisesAtItsPc) {
  Guest g;
  g.put32(0x200, kAddi);
  g.put32(0x204, kEcall);
  ir::Block b = g.translate(0x200);
  EXPECT_EQ(b.guest_insns, 2u);
  ASSERT_EQ(last_op(b).opc, ir::Opcode::exit_tb);
  EXPECT_EQ(last_op(b).cst(0), kExitEcall);
}

TEST(RiscvTranslate, IllegalEncodingRaises) {
  Guest g;
  g.put32(0x300, 0x0000000b);  // custom-0
  ir::Block b = g.translate(0x300);
  EXPECT_EQ(b.guest_insns, 1u);
  ASSERT_EQ(last_op(b).opc, ir::Opcode::exit_tb);
  EXPECT_EQ(last_op(b).cst(0), kExitIllegal);
  g.put16(0x310, 0x0000);  // c.addi4spn with nzuimm = 0
  b = g.translate(0x310);
  EXPECT_EQ(b.guest_size, 2u);
  EXPECT_EQ(last_op(b).cst(0), kExitIllegal);
}

TEST(RiscvTranslate, StopsAtPageEndAndInstructionLimit) {
  Guest g;
  for (uint64_t a = 0; a < 4096; a += 4) g.put32(a, kAddi);
  ir::Block b = g.translate(4096 - 16);
  EXPECT_EQ(b.guest_insns, 4u);
  ASSERT_EQ(last_op(b).opc, ir::Opcode::goto_tb);
  EXPECT_EQ(last_op(b).cst(1), 4096u);
  b = g.translate(0);
  EXPECT_EQ(b.guest_insns, 512u);
  EXPECT_EQ(last_op(b).cst(1), 2048u);
}

TEST(RiscvTranslate, StraddlingInstructionOnlyFirstInBlock) {
  Guest g;
  g.put32(4096 - 8, kAddi);
  g.put16(4096 - 4, kCNop);
  g.put32(4096 - 2, kAddi);  // bytes 4094..4097
  g.put32(4096 + 2, kEcall);
  ir::Block b = g.translate(4096 - 8);
  EXPECT_EQ(b.guest_insns, 2u);  // ends before the straddler
  EXPECT_EQ(b.guest_size, 6u);
  EXPECT_EQ(last_op(b).cst(1), 4096u - 2);
  b = g.translate(4096 - 2);     // as the first instruction it is translated ...
  EXPECT_EQ(b.guest_insns, 1u);  // ... and is the last one
  EXPECT_EQ(b.guest_size, 4u);
  EXPECT_EQ(last_op(b).opc, ir::Opcode::goto_tb);
  EXPECT_EQ(last_op(b).cst(1), 4096u + 2);
}

TEST(RiscvTranslate, FetchBeyondGuestMemoryFaults) {
  Guest g;
  const uint64_t end = g.mem.size();
  g.put32(end - 4, kAddi);
  // A block running into the limit ends before the unfetchable instruction.
  ir::Block b = g.translate(end - 4);
  EXPECT_EQ(b.guest_insns, 1u);
  EXPECT_EQ(last_op(b).cst(1), end);
  // Fetching the first instruction there raises kExitFault at its pc.
  sigjmp_buf jb;
  g.cpu.common.jmp = &jb;
  if (sigsetjmp(jb, 0) == 0) {
    g.translate(end);
    ADD_FAILURE() << "no fault";
  } else {
    EXPECT_EQ(g.cpu.common.exception, ir::kExitFault);
    EXPECT_EQ(g.cpu.common.pc, end);
    EXPECT_EQ(g.cpu.common.fault_addr, end);
  }
  g.cpu.common.jmp = nullptr;
}

}  // namespace
}  // namespace mimic::riscv
