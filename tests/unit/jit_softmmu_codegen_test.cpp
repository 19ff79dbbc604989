// The x86-64 JIT's system-mode code generation (emit_softmmu.cpp) in
// isolation: the softMMU slow paths are replaced by a test double defined
// here, which performs the access on the flat test memory exactly as the
// user-mode interpreter does (range and alignment faults included) and fills
// the TLB per page policy. So random blocks compiled with mmu_idx >= 0 must
// leave the state the interpreter leaves for the same block in user mode;
// decoy TLB entries (other MMU indexes, other pages of the same index) catch
// a wrong index or tag; hand-written blocks count which accesses reach the
// slow path; InlinePathCost measures the inline check.
// (The double links because nothing in this binary needs another symbol of
// memory/softmmu_access.cpp; jit_softmmu_test.cpp tests with the real one.)
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "backend/interp/interp.h"
#include "backend/interp/interp_mem.h"
#include "backend/x86_64/jit.h"
#include "core/log.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir_random.h"
#include "memory/softmmu.h"

namespace mimic {
namespace {

// Per page of the test memory: what the slow path does on a miss.
struct PagePolicy {
  bool fill_read, fill_write;  // cache the translation for loads / stores
  uint64_t write_flags;        // flag bits added to the write tag when filled
};

struct Fake {
  PagePolicy page[test::kMemSize / memory::kTlbPageSize];
  size_t loads = 0, stores = 0, atomics = 0;
} g_fake;

void fill(exec::CpuCommon* cpu, uint64_t addr, uint32_t idx) {
  const uint64_t page = addr & memory::kTlbPageMask;
  if (page >= test::kMemSize) return;
  const PagePolicy& p = g_fake.page[page >> memory::kTlbPageBits];
  memory::TlbEntry& e = cpu->softmmu->tlb[idx][memory::tlb_index(addr)];
  e.addr_read = p.fill_read ? page : memory::kTlbInvalid;
  e.addr_write = p.fill_write ? page | p.write_flags : memory::kTlbInvalid;
  e.addend = reinterpret_cast<uint64_t>(cpu->guest_base);
}

[[noreturn]] void leave(exec::CpuCommon* cpu) { exec::raise_exit(cpu, cpu->exception); }

}  // namespace

// --- the test double of the slow paths (memory/softmmu.h) ---
namespace memory {
uint64_t softmmu_load(exec::CpuCommon* cpu, uint64_t addr, uint32_t memop, uint32_t mmu_idx) {
  g_fake.loads++;
  uint64_t v = 0;
  if (!backend::interp_load(cpu, addr, static_cast<uint8_t>(memop), &v)) leave(cpu);
  fill(cpu, addr, mmu_idx);
  return v;
}
void softmmu_store(exec::CpuCommon* cpu, uint64_t addr, uint64_t value, uint32_t memop, uint32_t mmu_idx) {
  g_fake.stores++;
  if (!backend::interp_store(cpu, addr, static_cast<uint8_t>(memop), value)) leave(cpu);
  fill(cpu, addr, mmu_idx);
}
uint8_t* softmmu_atomic_host(exec::CpuCommon* cpu, uint64_t addr, uint32_t memop, uint32_t mmu_idx) {
  g_fake.atomics++;
  uint8_t* p = backend::interp_host_addr(cpu, addr, ir::MemOp::decode(memop), true);
  if (!p) leave(cpu);
  fill(cpu, addr, mmu_idx);
  return p;
}
}  // namespace memory

namespace {

bool is_fault(uint64_t code) { return code == ir::kExitFault || code == ir::kExitMisaligned; }

::testing::AssertionResult same(const test::TestMachine& a, const test::TestMachine& b,
                                const backend::RunResult& ra, const backend::RunResult& rb) {
  auto fail = [] { return ::testing::AssertionFailure(); };
  if (ra.code != rb.code) return fail() << "exit code " << ra.code << " vs " << rb.code;
  if (ra.slot != rb.slot) return fail() << "slot";
  for (int i = 0; i < 16; i++)
    if (a.cpu.r[i] != b.cpu.r[i]) return fail() << "r" << i;
  for (int i = 0; i < 8; i++)
    if (a.cpu.extra[i] != b.cpu.extra[i]) return fail() << "extra" << i;
  if (a.cpu.common.pc != b.cpu.common.pc) return fail() << "pc";
  if (is_fault(ra.code)) {
    if (a.cpu.common.insn_pc != b.cpu.common.insn_pc) return fail() << "insn_pc";
    if (a.cpu.common.fault_addr != b.cpu.common.fault_addr) return fail() << "fault_addr";
    if (a.cpu.common.fault_write != b.cpu.common.fault_write) return fail() << "fault_write";
  }
  if (a.mem != b.mem) return fail() << "memory";
  return ::testing::AssertionSuccess();
}

uint64_t seeds() {
  const char* e = std::getenv("MIMIC_JIT_SEEDS");
  return e && *e ? std::strtoull(e, nullptr, 0) : 1000;
}

// A TLB with the test pages' entries set per policy (or left invalid) at
// mmu_idx, and decoys everywhere else: other MMU indexes and other pages
// that share an index hold tags that must not match, or match with an
// addend pointing at garbage.
struct Tlb {
  std::unique_ptr<memory::SoftMmu> mmu = std::make_unique<memory::SoftMmu>();
  std::vector<uint8_t> garbage = std::vector<uint8_t>(2 * test::kMemSize, 0xa5);
  void init(std::mt19937_64& rng, uint32_t idx, uint8_t* base) {
    for (unsigned k = 0; k < memory::kMaxMmuIdx; k++)
      for (unsigned i = 0; i < memory::kTlbEntries; i++) {
        memory::TlbEntry& e = mmu->tlb[k][i];
        const uint64_t page = static_cast<uint64_t>(i) << memory::kTlbPageBits;
        // Same index, another page (or this page at another MMU index).
        const uint64_t decoy = k == idx ? page + (uint64_t{1 + rng() % 7} << 20) : page;
        e.addr_read = rng() % 4 ? decoy : memory::kTlbInvalid;
        e.addr_write = rng() % 4 ? decoy : memory::kTlbInvalid;
        e.addr_code = memory::kTlbInvalid;
        e.addend = reinterpret_cast<uint64_t>(garbage.data()) - page;
      }
    static const uint64_t kFlags[] = {0, 0, memory::kTlbNotDirty, memory::kTlbMmio};
    for (uint64_t p = 0; p < test::kMemSize / memory::kTlbPageSize; p++) {
      PagePolicy& pol = g_fake.page[p];
      pol.fill_read = rng() % 4 != 0;
      pol.fill_write = rng() % 4 != 0;
      pol.write_flags = kFlags[rng() % 4];
      if (rng() % 2) {  // start filled, else start with a miss
        memory::TlbEntry& e = mmu->tlb[idx][p];
        e.addr_read = pol.fill_read ? p << memory::kTlbPageBits : memory::kTlbInvalid;
        e.addr_write = pol.fill_write ? (p << memory::kTlbPageBits) | pol.write_flags : memory::kTlbInvalid;
        e.addend = reinterpret_cast<uint64_t>(base);
      }
    }
  }
};

backend::RunResult run_system(const ir::Block& blk, test::TestMachine& m, std::mt19937_64& rng) {
  Tlb tlb;
  tlb.init(rng, static_cast<uint32_t>(blk.mmu_idx), m.cpu.common.guest_base);
  m.cpu.common.softmmu = tlb.mmu.get();
  auto r = test::run_block(backend::jit_backend(), blk, m);
  m.cpu.common.softmmu = nullptr;
  for (uint8_t g : tlb.garbage) EXPECT_EQ(g, 0xa5) << "a store went through a decoy entry";
  return r;
}

TEST(JitSoftmmuCodegen, RandomBlocksMatchTheInterpreter) {
  auto& interp = backend::interp_backend();
  size_t runs = 0, faults = 0;
  g_fake = Fake{};
  for (uint64_t seed = 1; seed <= seeds(); seed++) {
    test::RandomIr gen(seed);
    std::mt19937_64 rng(seed * 104729);
    ir::Block orig = gen.generate(20 + static_cast<int>(seed % 120));
    ir::Block opt = orig;
    ir::optimize(opt);
    for (const ir::Block* user : {&orig, &opt}) {
      ir::Block sys = *user;
      sys.mmu_idx = static_cast<int32_t>(rng() % memory::kMaxMmuIdx);
      for (int run = 0; run < 3; run++) {
        test::TestMachine m1;
        gen.randomize(m1);
        test::TestMachine m2(m1);
        auto r1 = test::run_block(interp, *user, m1);
        auto r2 = run_system(sys, m2, rng);
        runs++;
        if (is_fault(r1.code)) faults++;
        ASSERT_TRUE(same(m1, m2, r1, r2)) << "seed " << seed << (user == &opt ? " (optimized)" : "")
                                          << " mmu_idx " << sys.mmu_idx << "\n" << ir::print(sys);
      }
    }
  }
  std::printf("%zu runs, %zu faults; slow paths: %zu loads, %zu stores, %zu atomics\n", runs, faults,
              g_fake.loads, g_fake.stores, g_fake.atomics);
  EXPECT_GT(g_fake.loads, runs);
  EXPECT_GT(g_fake.stores, runs / 2);
  EXPECT_GT(g_fake.atomics, runs / 20);
  EXPECT_GT(faults, runs / 50);
}

// --- hand-written blocks: which accesses take the slow path ---

struct Counts {
  size_t loads, stores, atomics;
};
Counts counts() { return {g_fake.loads, g_fake.stores, g_fake.atomics}; }

// Runs blk (mmu_idx 2) on the JIT with every test page's TLB entry set from
// the policy (`filled`: present from the start) and returns the slow-path
// calls; checks the result against the interpreter in user mode.
Counts run_counted(ir::Block blk, const PagePolicy& pol, bool filled, test::TestMachine& m) {
  blk.mmu_idx = -1;
  test::TestMachine ref(m);
  auto r1 = test::run_block(backend::interp_backend(), blk, ref);
  blk.mmu_idx = 2;
  auto mmu = std::make_unique<memory::SoftMmu>();
  for (auto& per_idx : mmu->tlb)
    for (auto& e : per_idx) e = {memory::kTlbInvalid, memory::kTlbInvalid, memory::kTlbInvalid, 0};
  for (uint64_t p = 0; p < test::kMemSize / memory::kTlbPageSize; p++) {
    g_fake.page[p] = pol;
    if (!filled) continue;
    memory::TlbEntry& e = mmu->tlb[2][p];
    e.addr_read = pol.fill_read ? p << memory::kTlbPageBits : memory::kTlbInvalid;
    e.addr_write = pol.fill_write ? (p << memory::kTlbPageBits) | pol.write_flags : memory::kTlbInvalid;
    e.addend = reinterpret_cast<uint64_t>(m.cpu.common.guest_base);
  }
  m.cpu.common.softmmu = mmu.get();
  const Counts before = counts();
  auto r2 = test::run_block(backend::jit_backend(), blk, m);
  m.cpu.common.softmmu = nullptr;
  EXPECT_TRUE(same(ref, m, r1, r2)) << ir::print(blk);
  const Counts after = counts();
  return {after.loads - before.loads, after.stores - before.stores, after.atomics - before.atomics};
}

// r1 = ld [r0 + off1]; r2 = ld [r0 + off2] of 2^size bytes (signed if asked).
ir::Block two_loads(unsigned size, bool sign, uint64_t off1, uint64_t off2, bool i32 = false) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r0 = b.global(test::reg_off(0), "r0"), r1 = b.global(test::reg_off(1), "r1"),
          r2 = b.global(test::reg_off(2), "r2");
  b.insn_start(0x100);
  const ir::MemOp m = ir::memop(size, sign);
  if (i32) b.mov(r1, b.extu(b.ld32(b.add(r0, b.const_i64(off1)), m)));
  else b.mov(r1, b.ld(b.add(r0, b.const_i64(off1)), m));
  b.insn_start(0x104);
  if (i32) b.mov(r2, b.extu(b.ld32(b.add(r0, b.const_i64(off2)), m)));
  else b.mov(r2, b.ld(b.add(r0, b.const_i64(off2)), m));
  b.exit_tb(ir::kExitGuest);
  return blk;
}

void reset(test::TestMachine& m) {
  for (size_t i = 0; i < m.mem.size(); i++) m.mem[i] = 0x8070605040302010ull * (i + 1) ^ (i << 56);
  m.cpu.r[0] = 0x1000;
  m.cpu.r[3] = 0x0123456789abcdefull;
}

TEST(JitSoftmmuCodegen, LoadsHitMissAndFill) {
  const PagePolicy all{true, true, 0};
  for (int i32 = 0; i32 < 2; i32++)
    for (unsigned size = 0; size < (i32 ? 3u : 4u); size++)
      for (int sign = 0; sign < 2; sign++) {
        const uint64_t last = 0x1000 - (1u << size);  // the last aligned slot of the page
        test::TestMachine m;
        reset(m);
        Counts c = run_counted(two_loads(size, sign, 0, last, i32), all, true, m);
        EXPECT_EQ(c.loads, 0u) << "size " << size << ": both hit";
        reset(m);
        c = run_counted(two_loads(size, sign, 0, last, i32), all, false, m);
        EXPECT_EQ(c.loads, 1u) << "size " << size << ": miss, fill, hit";
        reset(m);
        c = run_counted(two_loads(size, sign, 0, 0x1000, i32), PagePolicy{false, true, 0}, true, m);
        EXPECT_EQ(c.loads, 2u) << "size " << size << ": no read permission cached";
        if (size > 0) {
          reset(m);
          c = run_counted(two_loads(size, sign, 1, last + 1, i32), all, true, m);
          EXPECT_EQ(c.loads, 2u) << "size " << size << ": misaligned, then page-crossing";
        }
      }
}

ir::Block two_stores(unsigned size, uint64_t off1, uint64_t off2) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r0 = b.global(test::reg_off(0), "r0"), r3 = b.global(test::reg_off(3), "r3");
  b.insn_start(0x200);
  b.st(r3, b.add(r0, b.const_i64(off1)), ir::memop(size));
  b.insn_start(0x204);
  b.st(b.trunc(r3), b.add(r0, b.const_i64(off2)), ir::memop(size));
  b.exit_tb(ir::kExitGuest);
  return blk;
}

TEST(JitSoftmmuCodegen, StoresTakeTheWriteTag) {
  for (unsigned size = 0; size < 4; size++) {
    const uint64_t last = 0x1000 - (1u << size);
    test::TestMachine m;
        reset(m);
    EXPECT_EQ(run_counted(two_stores(size, 0, last), PagePolicy{true, true, 0}, true, m).stores, 0u);
    reset(m);
    EXPECT_EQ(run_counted(two_stores(size, 0, last), PagePolicy{true, true, 0}, false, m).stores, 1u);
    reset(m);
    EXPECT_EQ(run_counted(two_stores(size, 0, last), PagePolicy{true, false, 0}, true, m).stores, 2u)
        << "read permission only";
    for (uint64_t flag : {memory::kTlbNotDirty, memory::kTlbMmio}) {
      reset(m);
      EXPECT_EQ(run_counted(two_stores(size, 0, last), PagePolicy{true, true, flag}, true, m).stores, 2u)
          << "flag " << flag;
    }
    if (size > 0) {
      reset(m);
      EXPECT_EQ(run_counted(two_stores(size, 1, last + 1), PagePolicy{true, true, 0}, true, m).stores, 2u);
    }
  }
}

TEST(JitSoftmmuCodegen, AtomicsTakeTheWriteTag) {
  for (unsigned size = 2; size < 4; size++)
    for (int cas = 0; cas < 2; cas++)
      for (int aop = 0; aop < 9; aop += cas ? 9 : 1) {
        ir::Block blk;
        ir::Builder b(blk);
        ir::I64 r0 = b.global(test::reg_off(0), "r0"), r1 = b.global(test::reg_off(1), "r1"),
                r3 = b.global(test::reg_off(3), "r3");
        const ir::MemOp m = ir::memop(size, true, true);
        b.insn_start(0x300);
        for (int k = 0; k < 2; k++) {
          ir::I64 a = b.add(r0, b.const_i64(8 * k));
          if (cas) b.mov(r1, b.atomic_cmpxchg(a, b.const_i64(0x2828282818181818ull), r3, m));
          else b.mov(r1, b.atomic_rmw(static_cast<ir::AtomicOp>(aop), a, r3, m));
          b.mov(r3, b.add(r3, r1));
        }
        b.exit_tb(ir::kExitGuest);
        test::TestMachine mm;
        reset(mm);
        EXPECT_EQ(run_counted(blk, PagePolicy{true, true, 0}, true, mm).atomics, 0u);
        reset(mm);
        EXPECT_EQ(run_counted(blk, PagePolicy{true, true, 0}, false, mm).atomics, 1u);
        for (uint64_t flag : {memory::kTlbNotDirty, memory::kTlbMmio}) {
          reset(mm);
          EXPECT_EQ(run_counted(blk, PagePolicy{true, true, flag}, true, mm).atomics, 2u);
        }
        reset(mm);
        EXPECT_EQ(run_counted(blk, PagePolicy{true, false, 0}, true, mm).atomics, 2u) << "read only";
      }
}

// The cost of the inline TLB check: a loop of 8 loads per iteration over a
// 4 KiB window, user mode ([guest_base + addr]) against system mode (every
// load hits the TLB). Prints ns per load; MIMIC_JIT_SOFTMMU_DUMP=1 also
// prints the host code.
ir::Block load_loop(bool chase) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r0 = b.global(test::reg_off(0), "r0"), r1 = b.global(test::reg_off(1), "r1");
  b.insn_start(0x400);
  ir::I64 i = b.new_i64(), sum = b.new_i64();
  b.mov(i, b.const_i64(0));
  b.mov(sum, b.const_i64(0));
  ir::Label top = b.new_label();
  b.set_label(top);
  for (int k = 0; k < 8; k++) {
    // chase: the address depends on the previous load (latency).
    ir::I64 a = b.and_(b.add(chase ? sum : i, b.const_i64(8 * k)), b.const_i64(0xff8));
    b.mov(sum, b.add(sum, b.ld(b.add(a, r0), ir::memop(3))));
  }
  b.mov(i, b.add(i, b.const_i64(64)));
  b.brcond(ir::Cond::LTU, i, b.const_i64(64 << 20), top);
  b.mov(r1, sum);
  b.exit_tb(ir::kExitGuest);
  return blk;
}

TEST(JitSoftmmuCodegen, InlinePathCost) {
  for (bool chase : {false, true}) {
  const ir::Block blk = load_loop(chase);
  const PagePolicy all{true, true, 0};
  double ns[2];
  uint64_t result[2];
  const char* dump = std::getenv("MIMIC_JIT_SOFTMMU_DUMP");
  if (dump && *dump == '1') log::g_mask |= log::kOutAsm;
  for (int sys = 0; sys < 2; sys++) {
    ir::Block x = blk;
    x.mmu_idx = sys ? 1 : -1;
    test::TestMachine m;
    reset(m);
    auto mmu = std::make_unique<memory::SoftMmu>();
    for (uint64_t p = 0; p < test::kMemSize / memory::kTlbPageSize; p++)
      mmu->tlb[1][p] = {p << memory::kTlbPageBits, p << memory::kTlbPageBits, memory::kTlbInvalid,
                        reinterpret_cast<uint64_t>(m.cpu.common.guest_base)};
    g_fake.page[1] = all;
    if (sys) m.cpu.common.softmmu = mmu.get();
    const Counts before = counts();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = test::run_block(backend::jit_backend(), x, m);
    const auto t1 = std::chrono::steady_clock::now();
    m.cpu.common.softmmu = nullptr;
    EXPECT_EQ(r.code, ir::kExitGuest);
    EXPECT_EQ(counts().loads, before.loads) << "every load hits";
    ns[sys] = std::chrono::duration<double, std::nano>(t1 - t0).count() / (8 << 20);
    result[sys] = m.cpu.r[1];
  }
  log::g_mask &= ~log::kOutAsm;
  EXPECT_EQ(result[0], result[1]);
  std::printf("%s: ns per load: user mode %.3f, system mode (TLB hit) %.3f\n",
              chase ? "dependent loads" : "independent loads", ns[0], ns[1]);
  }
}

}  // namespace
}  // namespace mimic
