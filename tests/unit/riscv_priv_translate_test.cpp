// System-mode translation (translate_priv.cpp, translate.cpp), checked on
// the IR: fetch through the softMMU (block mmu_idx, page end, an
// instruction crossing into the next page records phys_page2), F/D and FS,
// illegal instructions raising kExitTrap with the instruction bits, CSR
// writes ending blocks, mret/sret/wfi/sfence.vma by privilege; and that
// user-mode translation refuses the privileged instructions.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "guest/riscv/csr.h"
#include "guest/riscv/mmu.h"
#include "guest/riscv/system.h"
#include "ir/ir.h"
#include "memory/address_space.h"
#include "memory/softmmu.h"

namespace mimic::riscv {
namespace {

constexpr uint64_t kRam = 0x80000000;
constexpr uint32_t kAddi = 0x00150513;     // addi a0, a0, 1
constexpr uint32_t kFaddD = 0x02b57553;    // fadd.d fa0, fa0, fa1, dyn
constexpr uint32_t kMret = 0x30200073;
constexpr uint32_t kSret = 0x10200073;
constexpr uint32_t kWfi = 0x10500073;
constexpr uint32_t kSfenceVma = 0x12000073;  // sfence.vma zero, zero
constexpr uint32_t kCsrwMstatus = 0x30051073;  // csrw mstatus, a0
constexpr uint32_t kCsrwSscratch = 0x14051073; // csrw sscratch, a0
constexpr uint32_t kCsrwFrm = 0x00251073;      // csrw frm, a0

struct SystemHart {
  std::unique_ptr<memory::MemoryRegion> ram = memory::MemoryRegion::make_ram("ram", 1 << 20);
  memory::AddressSpace as;
  memory::SoftMmu mmu;
  RiscvCpu cpu;
  SystemHart() {
    EXPECT_TRUE(as.map(kRam, ram.get()).ok());
    HartConfig config;
    config.as = &as;
    config.reset_pc = kRam;
    hart_init(cpu, mmu, config);
  }
  ~SystemHart() { memory::softmmu_detach(&cpu.common); }
  void put32(uint64_t a, uint32_t v) { std::memcpy(ram->host() + (a - kRam), &v, 4); }
  void put16(uint64_t a, uint16_t v) { std::memcpy(ram->host() + (a - kRam), &v, 2); }
  ir::Block translate(uint64_t pc) {
    const exec::GuestOps& ops = system_guest_ops();
    ir::Block b;
    ops.translate(&cpu.common, pc, ops.tb_flags(&cpu.common), b);
    return b;
  }
};

const ir::Op& last_op(const ir::Block& b) { return b.ops.back(); }

bool stores_const(const ir::Block& b, int32_t env_offset, uint64_t value) {
  // st_env(off, t) where t = const: look for a const temp with the value.
  for (const ir::Op& op : b.ops)
    if (op.opc == ir::Opcode::st_env_i64 && static_cast<int32_t>(op.cst(0)) == env_offset) {
      const uint32_t t = op.args[0];
      if (b.temps[t].kind == ir::TempKind::Const && b.temps[t].value == value) return true;
    }
  return false;
}

void expect_trap(const ir::Block& b, uint64_t cause, uint64_t tval) {
  ASSERT_EQ(last_op(b).opc, ir::Opcode::exit_tb);
  EXPECT_EQ(last_op(b).cst(0), kExitTrap);
  EXPECT_TRUE(stores_const(b, offsetof(RiscvCpu, trap_cause), cause));
  EXPECT_TRUE(stores_const(b, offsetof(RiscvCpu, trap_tval), tval));
}

TEST(RiscvPrivTranslate, FetchThroughSoftMmu) {
  SystemHart h;
  for (uint64_t a = kRam; a < kRam + 0x1000; a += 4) h.put32(a, kAddi);
  ir::Block b = h.translate(kRam + 0xff0);
  EXPECT_EQ(b.mmu_idx, static_cast<int32_t>(kMmuIdxM));
  EXPECT_EQ(b.guest_insns, 4u);  // stops at the page end
  EXPECT_EQ(b.phys_page2, ~uint64_t{0});
  // A 4-byte instruction crossing into the next page: alone in its block.
  h.put16(kRam + 0x1ffe, kAddi & 0xffff);
  h.put16(kRam + 0x2000, kAddi >> 16);
  b = h.translate(kRam + 0x1ffe);
  EXPECT_EQ(b.guest_insns, 1u);
  EXPECT_EQ(b.guest_size, 4u);
  EXPECT_EQ(b.phys_page2, kRam + 0x2000);
  // ... and not fetched as a later instruction.
  h.put16(kRam + 0x1ffc, 0x0001);  // c.nop
  b = h.translate(kRam + 0x1ffc);
  EXPECT_EQ(b.guest_insns, 1u);
  EXPECT_EQ(b.phys_page2, ~uint64_t{0});
}

TEST(RiscvPrivTranslate, DataMmuIndexFromFlags) {
  SystemHart h;
  h.put32(kRam, kAddi);
  h.cpu.priv = kPrivS;
  h.cpu.mstatus |= kMstatusSum;
  EXPECT_EQ(h.translate(kRam).mmu_idx, static_cast<int32_t>(kMmuIdxSSum));
  h.cpu.priv = kPrivU;
  EXPECT_EQ(h.translate(kRam).mmu_idx, static_cast<int32_t>(kMmuIdxU));
}

TEST(RiscvPrivTranslate, FpNeedsFs) {
  SystemHart h;
  h.put32(kRam, kFaddD);
  h.put32(kRam + 4, kAddi);
  expect_trap(h.translate(kRam), kCauseIllegal, kFaddD);  // FS = Off
  h.cpu.mstatus |= uint64_t{1} << kMstatusFsShift;      // Initial
  ir::Block b = h.translate(kRam);
  EXPECT_EQ(b.guest_insns, 1u);  // FS becomes Dirty: the block ends
  ASSERT_EQ(last_op(b).opc, ir::Opcode::exit_tb);
  EXPECT_EQ(last_op(b).cst(0), ir::kExitNormal);
  h.cpu.mstatus |= kMstatusFs;  // Dirty: continues (to the illegal zero halfword)
  EXPECT_EQ(h.translate(kRam).guest_insns, 3u);
}

TEST(RiscvPrivTranslate, IllegalRaisesTrapWithBits) {
  SystemHart h;
  h.put32(kRam, 0x0000000b);  // custom-0
  expect_trap(h.translate(kRam), kCauseIllegal, 0x0000000b);
  h.put16(kRam + 0x10, 0x0000);  // c.unimp (16 bits of zero)
  expect_trap(h.translate(kRam + 0x10), kCauseIllegal, 0);
}

TEST(RiscvPrivTranslate, CsrWritesEndBlocks) {
  SystemHart h;
  h.put32(kRam, kCsrwMstatus);
  h.put32(kRam + 4, kAddi);
  ir::Block b = h.translate(kRam);
  EXPECT_EQ(b.guest_insns, 1u);
  EXPECT_EQ(last_op(b).cst(0), ir::kExitNormal);
  h.put32(kRam, kCsrwSscratch);
  EXPECT_EQ(h.translate(kRam).guest_insns, 3u);  // then addi, then the illegal 0
  h.put32(kRam, kCsrwFrm);
  b = h.translate(kRam);
  EXPECT_EQ(b.guest_insns, 1u);
  EXPECT_EQ(last_op(b).cst(0), ir::kExitNormal);
}

TEST(RiscvPrivTranslate, PrivilegedInstructionsByMode) {
  SystemHart h;
  h.put32(kRam, kMret);
  h.put32(kRam + 0x10, kSret);
  h.put32(kRam + 0x20, kWfi);
  h.put32(kRam + 0x30, kSfenceVma);
  EXPECT_EQ(last_op(h.translate(kRam)).cst(0), ir::kExitNormal);
  EXPECT_EQ(last_op(h.translate(kRam + 0x10)).cst(0), ir::kExitNormal);
  EXPECT_EQ(last_op(h.translate(kRam + 0x20)).cst(0), kExitWfi);
  EXPECT_EQ(last_op(h.translate(kRam + 0x30)).cst(0), ir::kExitNormal);
  h.cpu.priv = kPrivS;
  expect_trap(h.translate(kRam), kCauseIllegal, kMret);
  EXPECT_EQ(last_op(h.translate(kRam + 0x10)).cst(0), ir::kExitNormal);
  EXPECT_EQ(last_op(h.translate(kRam + 0x20)).cst(0), kExitWfi);
  h.cpu.priv = kPrivU;
  expect_trap(h.translate(kRam + 0x10), kCauseIllegal, kSret);
  expect_trap(h.translate(kRam + 0x20), kCauseIllegal, kWfi);
  expect_trap(h.translate(kRam + 0x30), kCauseIllegal, kSfenceVma);
}

TEST(RiscvPrivTranslate, UserModeRefusesPrivileged) {
  std::vector<uint8_t> mem(4096, 0);
  RiscvCpu cpu;
  cpu.common.guest_base = mem.data();
  cpu.common.guest_limit = mem.size();
  for (uint32_t insn : {kMret, kSret, kWfi, kSfenceVma}) {
    std::memcpy(mem.data() + 0x100, &insn, 4);
    ir::Block b;
    guest_ops().translate(&cpu.common, 0x100, guest_ops().tb_flags(&cpu.common), b);
    EXPECT_EQ(b.mmu_idx, -1);
    ASSERT_EQ(last_op(b).opc, ir::Opcode::exit_tb);
    EXPECT_EQ(last_op(b).cst(0), kExitIllegal) << std::hex << insn;
  }
}

}  // namespace
}  // namespace mimic::riscv
