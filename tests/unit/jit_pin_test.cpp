// The JIT's pinned globals and lazy state recovery against the interpreter:
// random IR blocks (ir_random.h) with closed stretches wrapped in bounded
// loops (labels with backward branches, so pinned registers live across
// back edges, helper calls and exits inside loops), run with a guest page
// that faults in hardware (so recovery lists are used); plus hand-written blocks for recovery-list
// edge cases (more dirty globals than registers, lists shared by consecutive fault points).
//
// MIMIC_JIT_SEEDS=N runs N random seeds instead of the default; the JIT's
// own switches (MIMIC_JIT_NO_PIN, MIMIC_JIT_PINS, MIMIC_JIT_EAGER_SYNC) apply.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <random>

#include "backend/interp/interp.h"
#include "backend/x86_64/jit.h"
#include "exec/host_fault.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir_random.h"

namespace mimic {
namespace {

using ir::Opcode;

constexpr uint64_t kHole = 0x2000;  // guest page [kHole, kHole + 4096) faults on the host

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
  return e && *e ? std::strtoull(e, nullptr, 0) : 600;
}

uint32_t add_temp(ir::Block& b, ir::TempKind kind, uint64_t value = 0) {
  ir::TempInfo t{};
  t.type = ir::Type::I64;
  t.kind = kind;
  t.value = value;
  b.temps.push_back(t);
  return static_cast<uint32_t>(b.temps.size() - 1);
}

ir::Op make_op(Opcode opc, std::initializer_list<uint64_t> args) {
  ir::Op op{};
  op.opc = opc;
  op.n_args = static_cast<uint8_t>(args.size());
  int i = 0;
  for (uint64_t a : args) op.args[i++] = a;
  return op;
}

uint64_t branch_label(const ir::Op& op) {
  if (op.opc == Opcode::br) return op.cst(0);
  if (op.opc == Opcode::brcond_i32 || op.opc == Opcode::brcond_i64) return op.cst(1);
  return UINT64_MAX;
}

// [s, e) can be repeated as a whole: no branch into or out of it.
bool closed(const ir::Block& b, size_t s, size_t e) {
  for (size_t i = 0; i < b.ops.size(); i++) {
    const ir::Op& op = b.ops[i];
    const bool inside = i >= s && i < e;
    const uint64_t l = branch_label(op);
    for (size_t j = 0; j < b.ops.size(); j++) {
      const ir::Op& o = b.ops[j];
      if (o.opc != Opcode::set_label) continue;
      const bool lin = j >= s && j < e;
      if (l != UINT64_MAX && o.cst(0) == l && inside != lin) return false;
    }
  }
  return true;
}

// Wraps up to two closed stretches of the body (nested or not) in loops run
// 1..4 times: c = n; top: <stretch>; c = c - 1; brcond c > 0, top. (An outer
// stretch may start at an inner `top`, leaving c's reset outside: the signed
// test still ends the inner loop.)
void add_loops(ir::Block& b, std::mt19937_64& rng) {
  const int loops = static_cast<int>(rng() % 3);
  for (int k = 0; k < loops; k++) {
    const size_t n = b.ops.size() - 1;  // the last op is the exit
    if (n == 0) return;
    for (int tries = 0; tries < 30; tries++) {
      size_t s = rng() % n, e = s + 1 + rng() % (n - s);
      if (!closed(b, s, e)) continue;
      const uint32_t c = add_temp(b, ir::TempKind::Local);
      const uint32_t count = add_temp(b, ir::TempKind::Const, 1 + rng() % 4);
      const uint32_t one = add_temp(b, ir::TempKind::Const, 1);
      const uint32_t zero = add_temp(b, ir::TempKind::Const, 0);
      const uint32_t label = b.n_labels++;
      b.ops.insert(
          b.ops.begin() + static_cast<long>(e),
          {make_op(Opcode::sub_i64, {c, c, one}),
           make_op(Opcode::brcond_i64, {c, zero, static_cast<uint64_t>(ir::Cond::GT), label})});
      b.ops.insert(b.ops.begin() + static_cast<long>(s),
                   {make_op(Opcode::mov_i64, {c, count}), make_op(Opcode::set_label, {label})});
      break;
    }
  }
}

void on_segv(int sig, siginfo_t* info, void* uc) {
  if (exec::handle_host_fault(sig, info, uc)) return;
  signal(sig, SIG_DFL);
}

// Runs blk on be with guest memory in a host mapping whose page at kHole is
// inaccessible (its bytes in m.mem are left as they were).
backend::RunResult run_with_hole(backend::Backend& be, const ir::Block& blk, test::TestMachine& m) {
  auto* mem = static_cast<uint8_t*>(
      mmap(nullptr, test::kMemSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  EXPECT_NE(mem, MAP_FAILED);
  auto* bytes = reinterpret_cast<uint8_t*>(m.mem.data());
  std::memcpy(mem, bytes, test::kMemSize);
  mprotect(mem + kHole, 0x1000, PROT_NONE);
  m.cpu.common.guest_base = mem;
  exec::set_current_cpu(&m.cpu.common);
  auto r = test::run_block(be, blk, m);
  exec::set_current_cpu(nullptr);
  std::memcpy(bytes, mem, kHole);
  std::memcpy(bytes + kHole + 0x1000, mem + kHole + 0x1000, test::kMemSize - kHole - 0x1000);
  munmap(mem, test::kMemSize);
  m.cpu.common.guest_base = bytes;
  return r;
}

struct PinFixture : ::testing::Test {
  void SetUp() override {
    struct sigaction sa {};
    sa.sa_sigaction = &on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old_);
  }
  void TearDown() override { sigaction(SIGSEGV, &old_, nullptr); }
  struct sigaction old_ {};
};

TEST_F(PinFixture, RandomBlocksWithLoopsAndHostFaults) {
  auto& interp = backend::interp_backend();
  auto& jit = backend::jit_backend();
  size_t runs = 0, host_faults = 0, looped = 0;
  for (uint64_t seed = 1; seed <= seeds(); seed++) {
    test::RandomIr gen(seed);
    std::mt19937_64 rng(seed * 7919);
    ir::Block orig = gen.generate(20 + static_cast<int>(seed % 100));
    ir::Block opt = orig;
    ir::optimize(opt);
    for (ir::Block* blk : {&orig, &opt}) {
      const uint32_t labels = blk->n_labels;
      add_loops(*blk, rng);
      if (blk->n_labels != labels) looped++;
      for (int run = 0; run < 3; run++) {
        test::TestMachine m1;
        gen.randomize(m1);
        test::TestMachine m2(m1);
        const bool hole = run != 0;
        auto r1 = hole ? run_with_hole(interp, *blk, m1) : test::run_block(interp, *blk, m1);
        auto r2 = hole ? run_with_hole(jit, *blk, m2) : test::run_block(jit, *blk, m2);
        runs++;
        if (r1.code == ir::kExitFault && m1.cpu.common.fault_addr >= kHole &&
            m1.cpu.common.fault_addr < kHole + 0x1000)
          host_faults++;
        ASSERT_TRUE(same(m1, m2, r1, r2))
            << "seed " << seed << (blk == &opt ? " (optimized)" : "") << " hole " << hole << "\n"
            << ir::print(*blk);
      }
    }
  }
  std::printf("%zu runs, %zu blocks with loops, %zu host faults\n", runs, looped, host_faults);
  EXPECT_GT(host_faults, runs / 20);
  EXPECT_GT(looped, seeds() / 2);
}

// All 16 globals dirty at a host fault, several sharing one host register
// (copies), more than the registers the JIT can pin; then a second fault
// point with the same dirty set and a third with a different one.
TEST_F(PinFixture, RecoveryListEdgeCases) {
  for (int variant = 0; variant < 3; variant++) {
    ir::Block blk;
    ir::Builder b(blk);
    ir::I64 r[16];
    for (int i = 0; i < 16; i++) r[i] = b.global(test::reg_off(i), "r");
    b.insn_start(0x500);
    for (int i = 0; i < 16; i++) {
      if (i % 3 == 2)
        b.mov(r[i], r[i - 1]);  // shares r[i-1]'s register
      else
        b.mov(r[i], b.add(r[i], b.const_i64(0x100 * (i + 1))));
    }
    b.insn_start(0x504);
    ir::I64 ok = b.and_(r[0], b.const_i64(0xff8));  // below kHole
    b.mov(r[1], b.ld(ok, ir::memop(3)));
    b.insn_start(0x508);
    if (variant >= 1) b.mov(r[2], b.ld(b.add(ok, b.const_i64(8)), ir::memop(3)));  // same dirty set
    b.insn_start(0x50c);
    b.mov(r[3], b.add(r[3], b.const_i64(1)));
    ir::I64 bad =
        b.const_i64(variant == 2 ? kHole + 16 : test::kMemSize - 4);  // host fault / range check
    b.st(r[4], bad, ir::memop(3));
    b.insn_start(0x510);
    b.mov(r[5], b.const_i64(0));
    b.exit_tb(ir::kExitGuest);
    test::TestMachine m1;
    for (int i = 0; i < 16; i++) m1.cpu.r[i] = 0x1000 * i + 3;
    test::TestMachine m2(m1);
    auto r1 = run_with_hole(backend::interp_backend(), blk, m1);
    auto r2 = run_with_hole(backend::jit_backend(), blk, m2);
    EXPECT_EQ(r1.code, ir::kExitFault);
    EXPECT_EQ(m1.cpu.common.pc, 0x50cu);
    EXPECT_TRUE(same(m1, m2, r1, r2)) << "variant " << variant << "\n" << ir::print(blk);
  }
}

}  // namespace
}  // namespace mimic
