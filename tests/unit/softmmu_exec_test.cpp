// System-mode execution on the interpreter (exec/cpu_loop.h with
// GuestOps::code_mmu_idx): blocks with mmu_idx >= 0 access memory through
// the softMMU TLB; blocks are keyed by physical pc; data and fetch faults
// come out of cpu_exec as exits; stores and DMA into code pages invalidate
// translations; blocks crossing into a second page are checked against its
// current mapping; hot regions keep the memory model.
#include <gtest/gtest.h>

#include "backend/backend.h"
#include "exec/cpu_loop.h"
#include "exec/region.h"
#include "ir/builder.h"
#include "softmmu_harness.h"

namespace {
const bool kBackendSelected = mimic::backend::select("interp", nullptr);
}  // namespace

namespace mimic {
namespace {

using namespace test;

// Toy ISA, one 8-byte little-endian word per instruction (at any address):
//   bits 0-7 op, 8-11 rd, 12-15 rs, 32-63 signed imm
enum ToyOp : uint8_t { kAddi = 1, kBnez, kJmp, kExit, kLd, kSt, kAmoAdd };
constexpr uint64_t insn(ToyOp op, unsigned rd, unsigned rs, int32_t imm) {
  return op | (rd << 8) | (rs << 12) | (static_cast<uint64_t>(static_cast<uint32_t>(imm)) << 32);
}
constexpr uint32_t kIdx = 1;  // MMU index of every access and fetch

struct SysCpu {
  FakeGuest g;  // first: its CpuCommon is the env
  uint64_t r[16] = {};
};
// SysCpu is not standard-layout (FakeGuest owns regions), but has no bases
// or virtual members: offsetof is exact here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
constexpr int32_t roff(unsigned i) { return static_cast<int32_t>(offsetof(SysCpu, r) + 8 * i); }
#pragma GCC diagnostic pop

int g_translations = 0;

void sys_translate(exec::CpuCommon* cpu, uint64_t pc, uint64_t, ir::Block& out) {
  g_translations++;
  ir::Builder b(out);
  out.guest_pc = pc;
  out.mmu_idx = kIdx;
  for (int n = 0; n < 8; n++) {
    // The first instruction's fetch fault is the block's; later ones end it.
    uint64_t pa = 0, w = 0;
    const uint64_t in_page = memory::kTlbPageSize - (pc & ~memory::kTlbPageMask);
    const uint8_t* p = n == 0 ? memory::softmmu_code_ptr(cpu, pc, kIdx, &pa)
                              : memory::softmmu_probe_code(cpu, pc, kIdx, &pa);
    const uint8_t* p2 = nullptr;
    if (p && in_page < 8) {
      p2 = n == 0 ? memory::softmmu_code_ptr(cpu, pc + in_page, kIdx, &pa)
                  : memory::softmmu_probe_code(cpu, pc + in_page, kIdx, &pa);
      if (p2) out.phys_page2 = pa & memory::kTlbPageMask;
    }
    if (!p || (in_page < 8 && !p2)) {
      b.goto_tb(0, pc);
      return;
    }
    std::memcpy(&w, p, std::min<uint64_t>(8, in_page));
    if (in_page < 8) std::memcpy(reinterpret_cast<uint8_t*>(&w) + in_page, p2, 8 - in_page);
    auto op = static_cast<ToyOp>(w & 0xff);
    unsigned rd = (w >> 8) & 15, rs = (w >> 12) & 15;
    int64_t imm = static_cast<int32_t>(w >> 32);
    b.insn_start(pc);
    out.guest_insns++;
    out.guest_size += 8;
    ir::I64 d = b.global(roff(rd), "rd"), s = b.global(roff(rs), "rs");
    ir::I64 pcg = b.global(0, "pc");
    switch (op) {
      case kAddi: b.mov(d, b.add(s, b.const_i64(imm))); break;
      case kLd: b.mov(d, b.ld(b.add(s, b.const_i64(imm)), ir::memop(3))); break;
      case kSt: b.st(d, b.add(s, b.const_i64(imm)), ir::memop(3)); break;
      case kAmoAdd:
        b.mov(d, b.atomic_rmw(ir::AtomicOp::Add, b.add(s, b.const_i64(imm)), d, ir::memop(3, false, true)));
        break;
      case kBnez: {
        ir::Label taken = b.new_label();
        b.brcond(ir::Cond::NE, s, b.const_i64(0), taken);
        b.goto_tb(0, pc + 8);
        b.set_label(taken);
        b.goto_tb(1, pc + imm);
        return;
      }
      case kJmp: b.goto_tb(0, pc + imm); return;
      default:  // kExit and anything else
        b.mov(pcg, b.const_i64(pc));
        b.exit_tb(ir::kExitGuest + static_cast<uint64_t>(imm));
        return;
    }
    pc += 8;
  }
  b.goto_tb(0, pc);
}

uint64_t sys_flags(const exec::CpuCommon*) { return 0x200; }
uint32_t sys_code_idx(uint64_t) { return kIdx; }
const exec::GuestOps kSys = {sys_flags, sys_translate, nullptr, sys_code_idx};

struct SysMachine {
  SysCpu s;
  SysMachine() { exec::invalidate_all(); }
  ~SysMachine() { exec::cpu_exec_release(&s.g.cpu); }
  void put(uint64_t pa, std::initializer_list<uint64_t> code) {
    for (uint64_t w : code) {
      std::memcpy(s.g.ram_at(pa), &w, 8);
      pa += 8;
    }
  }
  uint64_t ram64(uint64_t pa) {
    uint64_t v;
    std::memcpy(&v, s.g.ram_at(pa), 8);
    return v;
  }
  uint64_t run(uint64_t pc) {
    s.g.cpu.pc = pc;
    return exec::cpu_exec(&s.g.cpu, kSys);
  }
};

constexpr uint64_t kCodeV = 0x10000, kDataV = 0x20000;
constexpr uint64_t kCodeP = kRamBase + 0x8000, kDataP = kRamBase + 0x1000;

TEST(SoftMmuExec, LoadsStoresAtomicsGoThroughTheTlb) {
  SysMachine m;
  m.s.g.map(kCodeV, kCodeP, kRX);
  m.s.g.map(kDataV, kDataP, kRW);
  uint64_t forty = 40;
  std::memcpy(m.s.g.ram_at(kDataP + 8), &forty, 8);
  std::memcpy(m.s.g.ram_at(kDataP + 24), &forty, 8);
  m.put(kCodeP, {insn(kAddi, 1, 0, kDataV), insn(kLd, 2, 1, 8), insn(kAddi, 2, 2, 2), insn(kSt, 2, 1, 16),
                 insn(kAmoAdd, 2, 1, 24), insn(kExit, 0, 0, 3)});
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 3);
    EXPECT_EQ(m.s.g.cpu.pc, kCodeV + 40);
  }
  EXPECT_EQ(m.ram64(kDataP + 16), 42u);
  EXPECT_EQ(m.ram64(kDataP + 24), 40u + 3 * 42);
  EXPECT_EQ(m.s.r[2], 40u + 2 * 42);  // old value of the last amoadd
  // One translation per page and access kind: the rest hit inline.
  EXPECT_EQ(m.s.g.translations, 2);
}

TEST(SoftMmuExec, DataAndFetchFaultsAreExits) {
  SysMachine m;
  m.s.g.map(kCodeV, kCodeP, kRX);
  m.put(kCodeP, {insn(kAddi, 1, 0, 0x30000), insn(kAddi, 3, 0, 1), insn(kLd, 2, 1, 0), insn(kExit, 0, 0, 0)});
  EXPECT_EQ(m.run(kCodeV), kFaultExit);
  EXPECT_EQ(m.s.g.cpu.pc, kCodeV + 16);  // the load
  EXPECT_EQ(m.s.g.fault_vaddr, 0x30000u);
  EXPECT_EQ(m.s.g.fault_access, MmuAccess::kLoad);
  EXPECT_EQ(m.s.r[3], 1u);  // state before the load is exact
  // A misaligned atomic.
  m.s.g.map(kDataV, kDataP, kRW);
  m.put(kCodeP + 0x100, {insn(kAddi, 1, 0, kDataV + 4), insn(kAmoAdd, 2, 1, 0), insn(kExit, 0, 0, 0)});
  EXPECT_EQ(m.run(kCodeV + 0x100), kFaultExit);
  EXPECT_EQ(m.s.g.fault, MmuFault::kMisaligned);
  EXPECT_EQ(m.s.g.cpu.pc, kCodeV + 0x108);
  // A jump to an unmapped page: the fetch fault at the target.
  m.put(kCodeP + 0x200, {insn(kJmp, 0, 0, 0x8000)});
  EXPECT_EQ(m.run(kCodeV + 0x200), kFaultExit);
  EXPECT_EQ(m.s.g.cpu.pc, kCodeV + 0x8200);
  EXPECT_EQ(m.s.g.fault_access, MmuAccess::kFetch);
  EXPECT_EQ(m.s.g.fault_vaddr, kCodeV + 0x8200);
  // Non-executable page.
  EXPECT_EQ(m.run(kDataV), kFaultExit);
  EXPECT_EQ(m.s.g.fault_access, MmuAccess::kFetch);
  EXPECT_EQ(m.s.g.cpu.pc, kDataV);
}

TEST(SoftMmuExec, StoreIntoCodePageInvalidates) {
  SysMachine m;
  m.s.g.map(kCodeV, kCodeP, kRWX);
  m.s.g.map(kCodeV + 0x1000, kCodeP + 0x1000, kRX);
  m.put(kCodeP, {insn(kAddi, 5, 5, 1), insn(kExit, 0, 0, 1)});
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 1);
  // The page holds code now: the write tag says so.
  EXPECT_EQ(m.s.g.entry(kIdx, kCodeV).addr_write, kCodeV | memory::kTlbNotDirty);
  EXPECT_TRUE(m.s.g.as.is_code_page(kCodeP));
  // Code on another page overwrites the exit.
  m.put(kCodeP + 0x1000, {insn(kSt, 2, 1, 0), insn(kExit, 0, 0, 2)});
  m.s.r[1] = kCodeV + 8;
  m.s.r[2] = insn(kExit, 0, 0, 7);
  EXPECT_EQ(m.run(kCodeV + 0x1000), ir::kExitGuest + 2);
  EXPECT_FALSE(m.s.g.as.is_code_page(kCodeP));  // its only block is gone
  EXPECT_EQ(m.s.g.entry(kIdx, kCodeV).addr_write, kCodeV);  // stores hit inline again
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 7);
  EXPECT_EQ(m.s.r[5], 2u);
  EXPECT_EQ(m.s.g.entry(kIdx, kCodeV).addr_write, kCodeV | memory::kTlbNotDirty);
}

TEST(SoftMmuExec, DmaIntoCodeInvalidates) {
  SysMachine m;
  m.s.g.map(kCodeV, kCodeP, kRX);
  m.put(kCodeP, {insn(kExit, 0, 0, 1)});
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 1);
  const uint64_t w = insn(kExit, 0, 0, 3);
  ASSERT_TRUE(m.s.g.as.write(kCodeP, &w, 8));
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 3);
  const uint64_t w4 = insn(kExit, 0, 0, 4);
  ASSERT_TRUE(m.s.g.as.write_rom_or_ram(kCodeP, &w4, 8));
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 4);
}

TEST(SoftMmuExec, BlocksAreKeyedByPhysicalPc) {
  SysMachine m;
  const uint64_t p1 = kRamBase + 0xa000, p2 = kRamBase + 0xb000;
  m.put(p1, {insn(kExit, 0, 0, 1)});
  m.put(p2, {insn(kExit, 0, 0, 2)});
  m.s.g.map(kCodeV, p1, kRX);
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 1);
  m.s.g.map(kCodeV, p2, kRX);
  memory::tlb_flush(&m.s.g.cpu);
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 2);
  const int before = g_translations;
  m.s.g.map(kCodeV, p1, kRX);
  memory::tlb_flush_page(&m.s.g.cpu, kCodeV);
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 1);
  EXPECT_EQ(g_translations, before);  // found again by physical pc
}

TEST(SoftMmuExec, BlockCrossingIntoASecondPageFollowsItsMapping) {
  SysMachine m;
  const uint64_t p1 = kRamBase + 0xc000, p2 = kRamBase + 0xd000, p3 = kRamBase + 0xe000;
  m.s.g.map(kCodeV, p1, kRX);
  m.s.g.map(kCodeV + 0x1000, p2, kRX);
  // addi r5, r5, imm at 0x10ffc: its imm (high word) lies on the second page.
  const uint64_t a = insn(kAddi, 5, 5, 0);
  std::memcpy(m.s.g.ram_at(p1 + 0xffc), &a, 4);
  const uint64_t ex = insn(kExit, 0, 0, 1);
  auto put_tail = [&](uint64_t pa, uint32_t imm) {
    std::memcpy(m.s.g.ram_at(pa), &imm, 4);
    std::memcpy(m.s.g.ram_at(pa + 4), &ex, 8);
  };
  put_tail(p2, 10);
  put_tail(p3, 20);
  EXPECT_EQ(m.run(kCodeV + 0xffc), ir::kExitGuest + 1);
  EXPECT_EQ(m.s.r[5], 10u);
  // Remap only the second page: the block (same physical pc) must not be reused.
  m.s.g.map(kCodeV + 0x1000, p3, kRX);
  memory::tlb_flush_page(&m.s.g.cpu, kCodeV + 0x1000);
  EXPECT_EQ(m.run(kCodeV + 0xffc), ir::kExitGuest + 1);
  EXPECT_EQ(m.s.r[5], 30u);
  // A write to the second page invalidates the block.
  const uint32_t imm = 100;
  ASSERT_TRUE(m.s.g.as.write(p3, &imm, 4));
  EXPECT_EQ(m.run(kCodeV + 0xffc), ir::kExitGuest + 1);
  EXPECT_EQ(m.s.r[5], 130u);
}

TEST(SoftMmuExec, CodeOnAPageMarksOtherVcpusWriteEntries) {
  SysMachine m;
  FakeGuest other;  // a second vCPU on the same address space
  memory::softmmu_attach(&other.cpu, &other.mmu, &m.s.g.as, &FakeGuest::kHooks);
  other.map(0x40000, kCodeP, kRW);
  memory::softmmu_store(&other.cpu, 0x40000, insn(kExit, 0, 0, 1), 3, 0);
  EXPECT_EQ(other.entry(0, 0x40000).addr_write, 0x40000u);
  m.s.g.map(kCodeV, kCodeP, kRX);
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 1);
  // The first translation on the page tagged the other vCPU's entry.
  EXPECT_EQ(other.entry(0, 0x40000).addr_write, 0x40000 | memory::kTlbNotDirty);
  memory::softmmu_store(&other.cpu, 0x40000, insn(kExit, 0, 0, 5), 3, 0);
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 5);
  exec::cpu_exec_release(&other.cpu);
}

TEST(SoftMmuExec, HotRegionsKeepTheMemoryModel) {
  SysMachine m;
  exec::set_region_threshold(2);
  m.s.g.map(kCodeV, kCodeP, kRWX);
  m.s.g.map(kDataV, kDataP, kRW);
  // r1 = data, r2 = 100; loop: [r1] += 1 (ld/addi/st); r2 -= 1; bnez r2 loop
  m.put(kCodeP, {insn(kAddi, 1, 0, kDataV), insn(kAddi, 2, 0, 100), insn(kLd, 3, 1, 0), insn(kAddi, 3, 3, 1),
                 insn(kSt, 3, 1, 0), insn(kAddi, 2, 2, -1), insn(kBnez, 0, 2, -32), insn(kExit, 0, 0, 9)});
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 9);
  EXPECT_EQ(m.ram64(kDataP), 100u);
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 9);
  EXPECT_EQ(m.ram64(kDataP), 200u);
  // Patch the loop body (addi r3, r3, 2) through the guest's own store path.
  memory::softmmu_store(&m.s.g.cpu, kCodeV + 24, insn(kAddi, 3, 3, 2), 3, kIdx);
  EXPECT_EQ(m.run(kCodeV), ir::kExitGuest + 9);
  EXPECT_EQ(m.ram64(kDataP), 400u);
  exec::set_region_threshold(exec::kDefaultRegionThreshold);
}

}  // namespace
}  // namespace mimic
