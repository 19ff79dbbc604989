// The execution loop with a toy guest: chaining, indirect jumps, exits,
// faults (range check, host SIGSEGV on data and on instruction fetch),
// invalidation of modified code, exit_request, and many threads running and
// invalidating concurrently; hot regions (exec/region.h): loops inside one
// block, more than two exit slots, exit_request on back edges, invalidation
// through any block of a region.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include "backend/backend.h"
#include "exec/cpu_loop.h"
#include "exec/host_fault.h"
#include "exec/region.h"
#include "ir/builder.h"
#include "ir/helper.h"

// The backend these scenarios run on (jit_exec_loop_test.cpp includes this
// file with "jit"); fixed before main, as backend::current() is at first use.
#ifndef MIMIC_EXEC_LOOP_BACKEND
#define MIMIC_EXEC_LOOP_BACKEND "interp"
#endif
namespace {
const bool kExecLoopBackendSelected = mimic::backend::select(MIMIC_EXEC_LOOP_BACKEND, nullptr);
}  // namespace

namespace mimic {
namespace {

// Toy ISA, one 8-byte little-endian word per instruction:
//   bits 0-7 op, 8-11 rd, 12-15 rs, 32-63 signed imm
enum ToyOp : uint8_t { kAddi = 1, kBnez, kJmp, kExit, kLd, kSt, kJr, kSync };
constexpr uint64_t insn(ToyOp op, unsigned rd, unsigned rs, int32_t imm) {
  return op | (rd << 8) | (rs << 12) | (static_cast<uint64_t>(static_cast<uint32_t>(imm)) << 32);
}

struct ToyCpu {
  exec::CpuCommon common;
  uint64_t r[16] = {};
};
constexpr int32_t roff(unsigned i) { return static_cast<int32_t>(offsetof(ToyCpu, r) + 8 * i); }

uint64_t h_sync(void*, uint64_t, uint64_t, uint64_t, uint64_t) {
  exec::invalidate_all();
  return 0;
}

void toy_translate(exec::CpuCommon* cpu, uint64_t pc, uint64_t, ir::Block& out) {
  static const uint32_t kSyncHelper = ir::register_helper({"sync", h_sync, ir::kHelperMemory});
  ir::Builder b(out);
  out.guest_pc = pc;
  for (int n = 0; n < 8; n++) {
    uint64_t w;
    std::memcpy(&w, cpu->guest_base + pc, 8);  // may fault on the host: fetch fault
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
      case kBnez: {
        ir::Label taken = b.new_label();
        b.brcond(ir::Cond::NE, s, b.const_i64(0), taken);
        b.goto_tb(0, pc + 8);
        b.set_label(taken);
        b.goto_tb(1, pc + imm);
        return;
      }
      case kJmp: b.goto_tb(0, pc + imm); return;
      case kJr: b.mov(pcg, s); b.goto_ptr(); return;
      case kSync:
        b.call(kSyncHelper);
        b.mov(pcg, b.const_i64(pc + 8));
        b.exit_tb(ir::kExitNormal);
        return;
      default:  // kExit and anything else
        b.mov(pcg, b.const_i64(pc));
        b.exit_tb(ir::kExitGuest + static_cast<uint64_t>(imm));
        return;
    }
    pc += 8;
  }
  b.goto_tb(0, pc);
}

uint64_t toy_flags(const exec::CpuCommon*) { return 0; }
const exec::GuestOps kToy = {toy_flags, toy_translate, nullptr};

// Guest memory: 4 pages mapped, the last one PROT_NONE; guest_limit covers
// all 4 so accesses to the last page fault on the host.
struct ToyMachine {
  static constexpr uint64_t kPage = 4096, kPages = 4;
  uint8_t* mem;
  ToyCpu cpu;
  ToyMachine() {
    mem = static_cast<uint8_t*>(mmap(nullptr, kPage * kPages, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    mprotect(mem + 3 * kPage, kPage, PROT_NONE);
    cpu.common.guest_base = mem;
    cpu.common.guest_limit = kPage * kPages;
  }
  ~ToyMachine() {
    exec::cpu_exec_release(&cpu.common);
    munmap(mem, kPage * kPages);
  }
  void put(uint64_t addr, std::initializer_list<uint64_t> code) {
    for (uint64_t w : code) {
      std::memcpy(mem + addr, &w, 8);
      addr += 8;
    }
  }
  uint64_t run(uint64_t pc) {
    cpu.common.pc = pc;
    return exec::cpu_exec(&cpu.common, kToy);
  }
};

void on_segv(int signo, siginfo_t* info, void* uc) {
  if (exec::handle_host_fault(signo, info, uc)) return;
  signal(signo, SIG_DFL);
  raise(signo);
}

class ExecLoop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, nullptr);
    exec::set_verify_ir(true);
  }
};

TEST_F(ExecLoop, CountingLoopChains) {
  ToyMachine m;
  m.put(0x100, {insn(kAddi, 1, 0, 100000), insn(kAddi, 1, 1, -1), insn(kAddi, 2, 2, 3),
                insn(kBnez, 0, 1, -16), insn(kExit, 0, 0, 5)});
  EXPECT_EQ(m.run(0x100), ir::kExitGuest + 5);
  EXPECT_EQ(m.cpu.r[2], 300000u);
  EXPECT_EQ(m.cpu.common.pc, 0x120u);
}

TEST_F(ExecLoop, IndirectJumpAndLoadStore) {
  ToyMachine m;
  m.put(0x200, {insn(kAddi, 3, 0, 0x300), insn(kAddi, 4, 0, 77), insn(kSt, 4, 0, 0x800),
                insn(kJr, 0, 3, 0)});
  m.put(0x300, {insn(kLd, 5, 0, 0x800), insn(kExit, 0, 0, 1)});
  EXPECT_EQ(m.run(0x200), ir::kExitGuest + 1);
  EXPECT_EQ(m.cpu.r[5], 77u);
}

TEST_F(ExecLoop, FaultsAreExact) {
  ToyMachine m;
  // Beyond guest_limit: the interpreter's range check.
  m.put(0x400, {insn(kAddi, 1, 0, 1), insn(kLd, 2, 0, 0x10000), insn(kExit, 0, 0, 0)});
  EXPECT_EQ(m.run(0x400), ir::kExitFault);
  EXPECT_EQ(m.cpu.common.pc, 0x408u);
  EXPECT_EQ(m.cpu.common.fault_addr, 0x10000u);
  EXPECT_EQ(m.cpu.r[1], 1u);
  // In range but unmapped on the host: SIGSEGV -> handle_host_fault.
  m.put(0x500, {insn(kAddi, 1, 0, 2), insn(kSt, 1, 0, 0x3010), insn(kExit, 0, 0, 0)});
  EXPECT_EQ(m.run(0x500), ir::kExitFault);
  EXPECT_EQ(m.cpu.common.pc, 0x508u);
  EXPECT_EQ(m.cpu.common.fault_addr, 0x3010u);
  EXPECT_TRUE(m.cpu.common.fault_write);
  EXPECT_EQ(m.cpu.r[1], 2u);
  // Twice, to check SIGSEGV is not left blocked.
  EXPECT_EQ(m.run(0x500), ir::kExitFault);
  // Instruction fetch from the unmapped page.
  m.put(0x600, {insn(kJmp, 0, 0, 0x3000 - 0x600)});
  EXPECT_EQ(m.run(0x600), ir::kExitFault);
  EXPECT_EQ(m.cpu.common.pc, 0x3000u);
  EXPECT_EQ(m.cpu.common.fault_addr, 0x3000u);
  EXPECT_FALSE(m.cpu.common.fault_write);
}

TEST_F(ExecLoop, InvalidateRangeSeesNewCode) {
  ToyMachine m;
  m.put(0x700, {insn(kExit, 0, 0, 1)});
  EXPECT_EQ(m.run(0x700), ir::kExitGuest + 1);
  m.put(0x700, {insn(kExit, 0, 0, 2)});
  EXPECT_EQ(m.run(0x700), ir::kExitGuest + 1);  // stale until invalidated
  exec::invalidate_range(0x700, 8);
  EXPECT_EQ(m.run(0x700), ir::kExitGuest + 2);
  // Code that rewrites the next block and syncs (like fence.i).
  m.put(0xf00, {insn(kExit, 0, 0, 9)});
  m.put(0x800, {insn(kLd, 1, 0, 0xf00), insn(kJmp, 0, 0, 8),
                insn(kSt, 1, 0, 0x820), insn(kSync, 0, 0, 0), insn(kExit, 0, 0, 3)});
  m.put(0x900, {insn(kJmp, 0, 0, 0x820 - 0x900)});
  EXPECT_EQ(m.run(0x900), ir::kExitGuest + 3);  // translates 0x820 as exit 3
  EXPECT_EQ(m.run(0x800), ir::kExitGuest + 9);  // stores exit 9 there, syncs, runs it
}

TEST_F(ExecLoop, ExitRequestStopsInfiniteLoop) {
  ToyMachine m;
  m.put(0xa00, {insn(kAddi, 1, 1, 1), insn(kJmp, 0, 0, -8)});
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    m.cpu.common.exit_request.store(1);
  });
  EXPECT_EQ(m.run(0xa00), ir::kExitInterrupt);
  t.join();
  EXPECT_GT(m.cpu.r[1], 0u);
  EXPECT_EQ(m.cpu.common.exit_request.load(), 0u);
}

// Sets the region threshold for the blocks translated in a scope (0: off).
class RegionThreshold {
 public:
  explicit RegionThreshold(uint32_t n) : saved_(exec::region_threshold()) {
    exec::invalidate_all();
    exec::set_region_threshold(n);
  }
  ~RegionThreshold() {
    exec::invalidate_all();
    exec::set_region_threshold(saved_);
  }

 private:
  uint32_t saved_;
};

// A loop in page 0 that leaves through one of five exits in page 2 (out of
// the region's pages) in turn, each coming back to the loop head: a region
// at the head has five goto_tb exit slots, all taken and chained.
void put_five_exits(ToyMachine& m) {
  m.put(0x100, {insn(kAddi, 1, 0, 3000), insn(kAddi, 10, 0, 1), insn(kJmp, 0, 0, 0x118 - 0x110)});
  m.put(0x118, {insn(kAddi, 1, 1, -1), insn(kBnez, 0, 1, 0x130 - 0x120)});
  m.put(0x128, {insn(kExit, 0, 0, 7)});
  for (int k = 0; k < 5; k++) {
    const uint64_t at = 0x130 + 8 * k, target = 0x2000 + 0x100 * k;
    m.put(at, {insn(kBnez, 0, 10 + k, static_cast<int32_t>(target - at))});
    // target: r(2+k) += 1; selector k off, selector k+1 on; back to the head.
    m.put(target, {insn(kAddi, 2 + k, 2 + k, 1), insn(kAddi, 10 + k, 0, 0),
                   insn(kAddi, 10 + (k + 1) % 5, 0, 1), insn(kJmp, 0, 0, static_cast<int32_t>(0x118 - (target + 24)))});
  }
}

TEST_F(ExecLoop, RegionsWithManyExitsMatchPlainBlocks) {
  for (uint32_t threshold : {0u, 1u, 2u, 7u, 100u}) {
    RegionThreshold rt(threshold);
    ToyMachine m;
    put_five_exits(m);
    EXPECT_EQ(m.run(0x100), ir::kExitGuest + 7) << threshold;
    EXPECT_EQ(m.cpu.common.pc, 0x128u);
    // 2999 dispatches, round robin over five exits.
    EXPECT_EQ(m.cpu.r[2], 600u) << threshold;
    EXPECT_EQ(m.cpu.r[3], 600u);
    EXPECT_EQ(m.cpu.r[4], 600u);
    EXPECT_EQ(m.cpu.r[5], 600u);
    EXPECT_EQ(m.cpu.r[6], 599u);
  }
}

TEST_F(ExecLoop, ExitRequestLeavesRegionLoopAtExactPc) {
  RegionThreshold rt(1);
  ToyMachine m;
  // Two blocks forming the loop: 0xb00 -> 0xb10 -> 0xb00.
  m.put(0xb00, {insn(kAddi, 1, 1, 1), insn(kJmp, 0, 0, 0xb10 - 0xb08)});
  m.put(0xb10, {insn(kAddi, 2, 2, 1), insn(kJmp, 0, 0, 0xb00 - 0xb18)});
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    m.cpu.common.exit_request.store(1);
  });
  EXPECT_EQ(m.run(0xb00), ir::kExitInterrupt);
  t.join();
  EXPECT_EQ(m.cpu.common.exit_request.load(), 0u);
  // Left at a block boundary: both blocks ran equally often.
  EXPECT_EQ(m.cpu.common.pc, 0xb00u);
  EXPECT_GT(m.cpu.r[1], 0u);
  EXPECT_EQ(m.cpu.r[1], m.cpu.r[2]);
  // Resuming continues the same loop.
  m.cpu.common.exit_request.store(0);
  std::thread t2([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    m.cpu.common.exit_request.store(1);
  });
  EXPECT_EQ(exec::cpu_exec(&m.cpu.common, kToy), ir::kExitInterrupt);
  t2.join();
  EXPECT_EQ(m.cpu.r[1], m.cpu.r[2]);
}

TEST_F(ExecLoop, RegionIsInvalidatedThroughAnyOfItsBlocks) {
  RegionThreshold rt(1);
  ToyMachine m;
  // Entry 0xd00; the loop body at 0xc00 lies below it, in the same region.
  m.put(0xc00, {insn(kAddi, 2, 2, 1), insn(kJmp, 0, 0, 0xd00 - 0xc08)});
  m.put(0xd00, {insn(kAddi, 1, 1, -1), insn(kBnez, 0, 1, -0x108), insn(kExit, 0, 0, 1)});
  m.cpu.r[1] = 10;
  EXPECT_EQ(m.run(0xd00), ir::kExitGuest + 1);
  EXPECT_EQ(m.cpu.r[2], 9u);
  m.put(0xc00, {insn(kAddi, 2, 2, 100)});
  m.cpu.r[1] = 10;
  m.cpu.r[2] = 0;
  EXPECT_EQ(m.run(0xd00), ir::kExitGuest + 1);
  EXPECT_EQ(m.cpu.r[2], 9u);  // stale until invalidated
  exec::invalidate_range(0xc00, 8);
  m.cpu.r[1] = 10;
  m.cpu.r[2] = 0;
  EXPECT_EQ(m.run(0xd00), ir::kExitGuest + 1);
  EXPECT_EQ(m.cpu.r[2], 900u);
}

TEST_F(ExecLoop, RegionFormationSkipsUnfetchableTargets) {
  RegionThreshold rt(1);
  ToyMachine m;
  // A conditional branch into the PROT_NONE page 3 (never taken) next to
  // the loop: page 3 is outside the region window from page 2, but a fault
  // while translating a candidate must not reach the guest either way.
  m.put(0x2f00, {insn(kAddi, 1, 1, -1), insn(kBnez, 0, 9, 0x3000 - 0x2f08), insn(kBnez, 0, 1, -0x10),
                 insn(kExit, 0, 0, 2)});
  m.cpu.r[1] = 50;
  EXPECT_EQ(m.run(0x2f00), ir::kExitGuest + 2);
  EXPECT_EQ(m.cpu.r[1], 0u);
}

TEST_F(ExecLoop, ThreadsRunRegionsWhileCodeIsInvalidated) {
  RegionThreshold rt(1);
  constexpr int kThreads = 3;
  std::vector<std::unique_ptr<ToyMachine>> ms;
  for (int i = 0; i < kThreads; i++) {
    ms.push_back(std::make_unique<ToyMachine>());
    // The loop spans two blocks (0x?00 -> 0x?80 -> 0x?00) so each region
    // holds a back edge across blocks.
    const uint64_t base = 0x1000 + 0x200 * i;
    ms.back()->put(base, {insn(kAddi, 1, 1, -1), insn(kJmp, 0, 0, 0x80)});
    ms.back()->put(base + 0x88, {insn(kAddi, 2, 2, i + 1), insn(kBnez, 0, 1, -0x90), insn(kExit, 0, 0, 0)});
    ms.back()->cpu.r[1] = 100000;
  }
  std::atomic<bool> stop{false};
  std::thread inval([&] {
    while (!stop.load()) {
      exec::invalidate_range(0x1200, 0x100);
      std::this_thread::yield();
      exec::invalidate_range(0x1000 + 0x88, 8);
      std::this_thread::yield();
      exec::invalidate_all();
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; i++)
    ts.emplace_back([&, i] { EXPECT_EQ(ms[i]->run(0x1000 + 0x200 * i), ir::kExitGuest); });
  for (auto& t : ts) t.join();
  stop.store(true);
  inval.join();
  for (int i = 0; i < kThreads; i++) EXPECT_EQ(ms[i]->cpu.r[2], 100000u * (i + 1));
}

TEST_F(ExecLoop, ThreadsRunWhileCodeIsInvalidated) {
  constexpr int kThreads = 3;
  std::vector<std::unique_ptr<ToyMachine>> ms;
  for (int i = 0; i < kThreads; i++) {
    ms.push_back(std::make_unique<ToyMachine>());
    // Threads share the TB cache like the threads of one process: each runs
    // its own code address.
    ms.back()->put(0x100 * (i + 1), {insn(kAddi, 1, 0, 200000), insn(kAddi, 1, 1, -1), insn(kAddi, 2, 2, i + 1),
                           insn(kBnez, 0, 1, -16), insn(kExit, 0, 0, 0)});
  }
  std::atomic<bool> stop{false};
  std::thread inval([&] {
    while (!stop.load()) {
      exec::invalidate_range(0x200, 0x40);
      exec::invalidate_all();
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; i++)
    ts.emplace_back([&, i] { EXPECT_EQ(ms[i]->run(0x100 * (i + 1)), ir::kExitGuest); });
  for (auto& t : ts) t.join();
  stop.store(true);
  inval.join();
  for (int i = 0; i < kThreads; i++) EXPECT_EQ(ms[i]->cpu.r[2], 200000u * (i + 1));
}

}  // namespace
}  // namespace mimic
