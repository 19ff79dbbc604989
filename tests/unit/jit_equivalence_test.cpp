// The x86-64 JIT against the interpreter (the reference): random IR blocks
// from ir_random.h (before and after optimization) must leave identical
// globals, env, memory, exit code and slot, and on faults identical pc,
// insn_pc and fault details. Hand-written tests cover every value op on edge
// values (register and immediate operands), host faults on unmapped guest
// pages inside generated code, and helpers that raise.
//
// MIMIC_JIT_SEEDS=N runs N random seeds instead of the default.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <csignal>
#include <cstdlib>

#include "backend/interp/interp.h"
#include "backend/x86_64/jit.h"
#include "exec/host_fault.h"
#include "ir/eval.h"
#include "ir/helper.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir/verify.h"
#include "ir_random.h"

namespace mimic {
namespace {

using ir::Opcode;

bool is_fault(uint64_t code) { return code == ir::kExitFault || code == ir::kExitMisaligned; }

::testing::AssertionResult same(const test::TestMachine& a, const test::TestMachine& b,
                                const backend::RunResult& ra, const backend::RunResult& rb) {
  auto fail = [](const std::string& what) { return ::testing::AssertionFailure() << what; };
  if (ra.code != rb.code) return fail("exit code " + std::to_string(ra.code) + " vs " + std::to_string(rb.code));
  if (ra.slot != rb.slot) return fail("slot");
  for (int i = 0; i < 16; i++)
    if (a.cpu.r[i] != b.cpu.r[i]) return fail("r" + std::to_string(i));
  for (int i = 0; i < 8; i++)
    if (a.cpu.extra[i] != b.cpu.extra[i]) return fail("extra" + std::to_string(i));
  if (a.cpu.common.pc != b.cpu.common.pc)
    return fail("pc " + std::to_string(a.cpu.common.pc) + " vs " + std::to_string(b.cpu.common.pc) +
                " (exit " + std::to_string(ra.code) + ", fault_addr " + std::to_string(a.cpu.common.fault_addr) +
                " vs " + std::to_string(b.cpu.common.fault_addr) + ")");
  if (is_fault(ra.code)) {
    // Generated code keeps insn_pc exact only where it matters: faults.
    if (a.cpu.common.insn_pc != b.cpu.common.insn_pc) return fail("insn_pc");
    if (a.cpu.common.fault_addr != b.cpu.common.fault_addr) return fail("fault_addr");
    if (a.cpu.common.fault_write != b.cpu.common.fault_write) return fail("fault_write");
  }
  if (a.mem != b.mem) return fail("memory");
  return ::testing::AssertionSuccess();
}

uint64_t seeds() {
  const char* e = std::getenv("MIMIC_JIT_SEEDS");
  return e && *e ? std::strtoull(e, nullptr, 0) : 1500;
}

TEST(JitEquivalence, RandomBlocks) {
  auto& interp = backend::interp_backend();
  auto& jit = backend::jit_backend();
  size_t faults = 0, runs = 0;
  for (uint64_t seed = 1; seed <= seeds(); seed++) {
    test::RandomIr gen(seed);
    ir::Block orig = gen.generate(20 + static_cast<int>(seed % 120));
    ir::Block opt = orig;
    ir::optimize(opt);
    for (const ir::Block* blk : {&orig, &opt}) {
      for (int run = 0; run < 3; run++) {
        test::TestMachine m1;
        gen.randomize(m1);
        test::TestMachine m2(m1);
        auto r1 = test::run_block(interp, *blk, m1);
        auto r2 = test::run_block(jit, *blk, m2);
        runs++;
        if (is_fault(r1.code)) faults++;
        ASSERT_TRUE(same(m1, m2, r1, r2)) << "seed " << seed << (blk == &opt ? " (optimized)" : "")
                                          << "\n" << ir::print(*blk);
      }
    }
  }
  std::printf("%zu runs, %zu ended in a guest memory fault\n", runs, faults);
}

// Every pure op on edge values, with inputs in registers (globals) and as
// constants (immediate forms), against ir::eval.
TEST(JitEquivalence, ValueOpsOnEdgeValues) {
  static const uint64_t kVals[] = {0, 1, 2, 7, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff, 0x7fff, 0x8000,
                                   0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
                                   0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~1ull,
                                   0x123456789abcdef0ull, 0xfffffffe80000000ull};
  auto& jit = backend::jit_backend();
  size_t checked = 0;
  for (int o = 0; o < static_cast<int>(Opcode::kCount); o++) {
    const auto opc = static_cast<Opcode>(o);
    if (!ir::eval::is_pure(opc)) continue;
    const ir::OpInfo& in = ir::info(opc);
    const bool has_cond = in.n_const > 0;
    for (uint64_t cond = 0; cond < (has_cond ? 10u : 1u); cond++)
      for (int form = 0; form < 3; form++)  // 0: registers, 1: b constant, 2: all constant
        for (uint64_t a : kVals)
          for (uint64_t bv : kVals) {
            if (in.n_in < 2 && bv != 0) continue;
            uint64_t vals[4] = {a, bv, a ^ 0x5a5a, bv + 3};
            ir::Block blk;
            ir::Builder b(blk);
            uint32_t args[6];
            for (int i = 0; i < in.n_in; i++) {
              const bool i32 = ir::arg_type(opc, 1 + i) == ir::Type::I32;
              const bool konst = form == 2 || (form == 1 && i == 1);
              const uint64_t v = i32 ? static_cast<uint32_t>(vals[i]) : vals[i];
              if (konst) args[1 + i] = i32 ? b.const_i32(static_cast<uint32_t>(v)).idx : b.const_i64(v).idx;
              else {
                ir::I64 g = b.global(test::reg_off(1 + i), "in");
                args[1 + i] = i32 ? b.trunc(g).idx : g.idx;
              }
            }
            const bool out32 = ir::arg_type(opc, 0) == ir::Type::I32;
            ir::I32 o32 = b.new_i32();
            ir::I64 o64 = b.new_i64();
            args[0] = out32 ? o32.idx : o64.idx;
            ir::Op op{};
            op.opc = opc;
            op.n_args = static_cast<uint8_t>(1 + in.n_in + in.n_const);
            for (int i = 0; i < 1 + in.n_in; i++) op.args[i] = args[i];
            if (has_cond) op.args[1 + in.n_in] = cond;
            blk.ops.push_back(op);
            b.mov(b.global(test::reg_off(0), "r0"), out32 ? b.extu(o32) : o64);
            b.exit_tb(ir::kExitGuest);
            test::TestMachine m;
            for (int i = 0; i < 4; i++) m.cpu.r[1 + i] = vals[i];
            auto r = test::run_block(jit, blk, m);
            ASSERT_EQ(r.code, ir::kExitGuest);
            uint64_t want = ir::eval::eval_pure(opc, vals[0], vals[1], vals[2], vals[3], cond);
            if (out32) want = static_cast<uint32_t>(want);
            ASSERT_EQ(m.cpu.r[0], want) << ir::info(opc).name << " form " << form << " a=0x" << std::hex
                                        << a << " b=0x" << bv << " cond " << cond << "\n"
                                        << ir::print(blk);
            checked++;
          }
  }
  std::printf("%zu op cases\n", checked);
}

// A guest page inside [0, guest_limit) that is not accessible on the host:
// the access faults in hardware inside generated code, and the state must be
// the interpreter's (pc of the faulting instruction, globals written back).
struct HostFaultFixture : ::testing::Test {
  static void on_segv(int sig, siginfo_t* info, void* uc) {
    if (exec::handle_host_fault(sig, info, uc)) return;
    signal(sig, SIG_DFL);
  }
  void SetUp() override {
    struct sigaction sa {};
    sa.sa_sigaction = &on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, &old_);
  }
  void TearDown() override { sigaction(SIGSEGV, &old_, nullptr); }
  struct sigaction old_ {};
};

TEST_F(HostFaultFixture, FaultInGeneratedCodeIsExact) {
  for (int write = 0; write < 2; write++) {
    ir::Block blk;
    ir::Builder b(blk);
    ir::I64 r1 = b.global(test::reg_off(1), "r1"), r2 = b.global(test::reg_off(2), "r2");
    b.insn_start(0x1000);
    b.mov(r1, b.add(r1, b.const_i64(5)));
    b.insn_start(0x1004);
    ir::I64 addr = b.const_i64(0x2008);  // in the protected page
    if (write) b.st(r1, addr, ir::memop(3));
    else b.mov(r2, b.ld(addr, ir::memop(3)));
    b.insn_start(0x1008);
    b.mov(r1, b.const_i64(99));
    b.exit_tb(ir::kExitGuest);
    for (auto* be : {static_cast<backend::Backend*>(&backend::interp_backend()),
                     static_cast<backend::Backend*>(&backend::jit_backend())}) {
      test::TestMachine m;
      m.cpu.r[1] = 10;
      m.cpu.r[2] = 20;
      // Page-aligned view: protect the guest page [0x2000, 0x3000).
      auto* mem = static_cast<uint8_t*>(mmap(nullptr, test::kMemSize, PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
      ASSERT_NE(mem, MAP_FAILED);
      ASSERT_EQ(mprotect(mem + 0x2000, 0x1000, PROT_NONE), 0);
      m.cpu.common.guest_base = mem;
      exec::set_current_cpu(&m.cpu.common);
      auto r = test::run_block(*be, blk, m);
      exec::set_current_cpu(nullptr);
      munmap(mem, test::kMemSize);
      EXPECT_EQ(r.code, ir::kExitFault) << be->name();
      EXPECT_EQ(m.cpu.common.pc, 0x1004u) << be->name();
      EXPECT_EQ(m.cpu.common.fault_addr, 0x2008u) << be->name();
      EXPECT_EQ(m.cpu.common.fault_write, write != 0) << be->name();
      EXPECT_EQ(m.cpu.r[1], 15u) << be->name();
      EXPECT_EQ(m.cpu.r[2], 20u) << be->name();
    }
  }
}

// Backward branches (loops inside a block): locals live across the loop, a
// local defined in the body, a nested forward branch, guest memory and a
// barrier in the body. Random blocks only branch forward.
TEST(JitEquivalence, LoopsInsideABlock) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r[6];
  for (int i = 0; i < 6; i++) r[i] = b.global(test::reg_off(i), "r");
  b.insn_start(0x100);
  ir::I64 sum = b.new_i64(), i = b.new_i64(), k = b.new_i64();
  b.mov(sum, b.const_i64(0));
  b.mov(i, b.and_(r[1], b.const_i64(63)));
  b.mov(k, b.mul(r[2], b.const_i64(3)));
  ir::Label top = b.new_label(), skip = b.new_label(), done = b.new_label();
  b.brcond(ir::Cond::EQ, i, b.const_i64(0), done);
  b.set_label(top);
  b.insn_start(0x104);
  b.mov(sum, b.add(sum, i));
  ir::I64 tmp = b.mul(i, b.const_i64(2));
  b.brcond(ir::Cond::GEU, tmp, b.const_i64(40), skip);
  b.mov(r[3], b.add(r[3], tmp));
  b.mb();
  b.st(r[3], b.and_(b.shl(i, b.const_i64(3)), b.const_i64(test::kMemSize - 8)), ir::memop(3));
  b.set_label(skip);
  b.insn_start(0x108);
  b.mov(i, b.sub(i, b.const_i64(1)));
  b.mov(r[5], b.add(r[5], b.ld(b.and_(r[4], b.const_i64(test::kMemSize - 8)), ir::memop(3))));
  b.brcond(ir::Cond::NE, i, b.const_i64(0), top);
  b.set_label(done);
  b.insn_start(0x10c);
  b.mov(r[4], b.add(sum, k));
  b.exit_tb(ir::kExitGuest);
  for (uint64_t n : {0, 1, 2, 7, 30, 63}) {
    test::TestMachine m1;
    for (int j = 0; j < 6; j++) m1.cpu.r[j] = 0x1000 + j * 0x111;
    m1.cpu.r[1] = n;
    test::TestMachine m2(m1);
    auto r1 = test::run_block(backend::interp_backend(), blk, m1);
    auto r2 = test::run_block(backend::jit_backend(), blk, m2);
    EXPECT_TRUE(same(m1, m2, r1, r2)) << "n = " << n << "\n" << ir::print(blk);
  }
}

uint64_t raising_helper(void* env, uint64_t a, uint64_t, uint64_t, uint64_t) {
  if (a == 3) exec::raise_exit(static_cast<exec::CpuCommon*>(env), ir::kExitGuest + 5);
  return a + 1;
}

TEST(JitEquivalence, HelperRaiseSeesExactState) {
  static const uint32_t h = ir::register_helper(
      {"test_raise", &raising_helper, ir::kHelperMayRaise | ir::kHelperReadsEnv});
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r1 = b.global(test::reg_off(1), "r1"), r2 = b.global(test::reg_off(2), "r2");
  b.insn_start(0x400);
  b.mov(r2, b.mul(r1, b.const_i64(3)));
  b.insn_start(0x404);
  b.mov(r1, b.call(h, {r1}));
  b.insn_start(0x408);
  b.mov(r1, b.call(h, {b.add(r1, b.const_i64(1))}));
  b.exit_tb(ir::kExitGuest);
  for (uint64_t start : {1, 3}) {
    test::TestMachine m1, m2;
    m1.cpu.r[1] = m2.cpu.r[1] = start;
    auto r1r = test::run_block(backend::interp_backend(), blk, m1);
    auto r2r = test::run_block(backend::jit_backend(), blk, m2);
    EXPECT_TRUE(same(m1, m2, r1r, r2r)) << "start " << start;
    if (r1r.code != ir::kExitGuest) {
      EXPECT_EQ(m1.cpu.common.pc, m2.cpu.common.pc);
    }
  }
}

}  // namespace
}  // namespace mimic
