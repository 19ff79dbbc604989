// The JIT's IEEE ops (backend/x86_64/emit_fp.cpp) against the interpreter
// (ir/eval_fp.h) and the soft-float reference: results and the flags taken
// from the host FP status must be identical, for every op on edge operands
// (from env, in registers, constants), in random FP blocks before and after
// optimization, and across a host fault (flags of the interrupted code are
// taken from its signal context).
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <csignal>
#include <random>

#include "backend/interp/interp.h"
#include "backend/x86_64/jit.h"
#include "exec/host_fault.h"
#include "exec/host_fp.h"
#include "ir/eval_fp.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir_fp_test_values.h"
#include "ir_harness.h"
#include "ir_random.h"

namespace mimic {
namespace {

using ir::Opcode;

struct FpRun {
  backend::RunResult r;
  uint32_t flags;
};

// run_block, with the host FP flags cleared before and taken after the run
// only (compilation is not part of it).
__attribute__((noinline)) FpRun run_fp(backend::Backend& be, const ir::Block& b, test::TestMachine& m) {
  void* code = be.compile(b);
  sigjmp_buf jb;
  backend::RunResult r;
  exec::clear_host_fp_flags();
  if (sigsetjmp(jb, 0) == 0) {
    m.cpu.common.jmp = &jb;
    r = be.run(code, &m.cpu.common);
  } else {
    r = {m.cpu.common.exception, -1};
  }
  const uint32_t flags = exec::take_host_fp_flags() | m.cpu.common.host_fp_flags;
  m.cpu.common.jmp = nullptr;
  be.release(code);
  return {r, flags};
}

std::vector<Opcode> fp_ops() {
  std::vector<Opcode> v;
  for (int i = 0; i < static_cast<int>(Opcode::kCount); i++) {
    const auto o = static_cast<Opcode>(i);
    if (!ir::eval::is_fp(o)) continue;
    if ((o == Opcode::fma_f64 || o == Opcode::fma_f32) && !ir::eval::host_has_fma()) continue;
    v.push_back(o);
  }
  return v;
}

std::vector<uint64_t> pool_for(test::FpIn kind) {
  if (kind == test::FpIn::F64) return test::f64_pool();
  if (kind == test::FpIn::Int) return test::int_pool();
  std::vector<uint64_t> v;
  for (uint32_t x : test::f32_pool()) v.push_back(0xffffffff00000000ull | x);  // NaN-boxed
  return v;
}

// Third operands of fma: quiet and signaling NaNs, an infinity, one, and
// `other` from the pool; just `other` for the other ops.
std::vector<uint64_t> addends(Opcode o, uint64_t other) {
  if (o == Opcode::fma_f64) return {0x7ff8000000000000, 0x7ff0000000000001, 0xfff0000000000000, 0x3ff0000000000000, other};
  if (o == Opcode::fma_f32) return {0xffffffff7fc00000, 0xffffffff7f800001, 0xffffffffff800000, 0xffffffff3f800000, other};
  return {other};
}

// Every op, operands from env (form 0), from registers (1) and constants
// (2), against the interpreter and the reference.
TEST(JitFp, EveryOpOnEdgeValues) {
  auto& jit = backend::jit_backend();
  auto& interp = backend::interp_backend();
  size_t checked = 0;
  for (Opcode o : fp_ops()) {
    const ir::OpInfo& in = ir::info(o);
    const std::vector<uint64_t> pool = pool_for(test::fp_input_kind(o));
    const size_t nb = in.n_in >= 2 ? pool.size() : 1;
    for (uint64_t k : test::fp_consts(o))
      for (int form = 0; form < 3; form++)
        for (size_t i = 0; i < pool.size(); i++)
          for (size_t j = 0; j < nb; j += (in.n_in >= 3 ? 2 : 1))
            for (uint64_t c : addends(o, pool[(i * 7 + j) % pool.size()])) {
            const uint64_t vals[3] = {pool[i], pool[j], c};
            ir::Block blk;
            ir::Builder b(blk);
            b.insn_start(0x1000);
            uint32_t args[4];
            for (int a = 0; a < in.n_in; a++) {
              const ir::I64 g = b.global(test::reg_off(1 + a), "in");
              if (form == 0) args[1 + a] = g.idx;
              else if (form == 1) args[1 + a] = b.xor_(g, b.const_i64(0)).idx;  // in a register
              else args[1 + a] = b.const_i64(vals[a]).idx;
            }
            const ir::I64 out = b.new_i64();
            args[0] = out.idx;
            ir::Op op{};
            op.opc = o;
            op.n_args = static_cast<uint8_t>(1 + in.n_in + in.n_const);
            for (int a = 0; a < 1 + in.n_in; a++) op.args[a] = args[a];
            if (in.n_const) op.args[1 + in.n_in] = k;
            blk.ops.push_back(op);
            b.mov(b.global(test::reg_off(0), "r0"), out);
            b.exit_tb(ir::kExitGuest);
            test::TestMachine m1;
            for (int a = 0; a < 3; a++) m1.cpu.r[1 + a] = vals[a];
            test::TestMachine m2(m1);
            const FpRun rj = run_fp(jit, blk, m1);
            const FpRun ri = run_fp(interp, blk, m2);
            const test::FpRef want = test::fp_reference(o, vals[0], vals[1], vals[2], k);
            ASSERT_EQ(rj.r.code, ir::kExitGuest);
            ASSERT_EQ(m1.cpu.r[0], want.value) << in.name << " form " << form << " k " << k << std::hex
                                               << " a=0x" << vals[0] << " b=0x" << vals[1] << " c=0x"
                                               << vals[2] << "\n" << ir::print(blk);
            ASSERT_EQ(rj.flags, want.flags) << in.name << " form " << form << " k " << k << std::hex
                                            << " a=0x" << vals[0] << " b=0x" << vals[1] << " c=0x" << vals[2];
            ASSERT_EQ(m2.cpu.r[0], want.value) << "interp " << in.name;
            ASSERT_EQ(ri.flags, want.flags) << "interp " << in.name;
            checked++;
          }
  }
  std::printf("%zu op cases\n", checked);
}

// Random blocks of FP ops (plus sign flips, NaN-boxing, moves and forward
// branches) over globals holding interesting values.
ir::Block random_fp_block(std::mt19937_64& rng, int n_ops) {
  auto pick = [&](uint64_t n) { return rng() % n; };
  const std::vector<Opcode> ops = fp_ops();
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 g[16];
  for (int i = 0; i < 16; i++) g[i] = b.global(test::reg_off(i), "r");
  std::vector<ir::I64> locals;
  std::vector<std::pair<ir::Label, size_t>> scopes;
  auto in = [&]() -> ir::I64 {
    if (!locals.empty() && pick(2)) return locals[pick(locals.size())];
    if (pick(6) == 0) {
      const auto& p = test::f64_pool();
      return b.const_i64(p[pick(p.size())]);
    }
    return g[pick(16)];
  };
  auto out = [&]() -> ir::I64 {
    if (pick(3) == 0) return g[pick(16)];
    ir::I64 t = b.new_i64();
    locals.push_back(t);
    return t;
  };
  uint64_t pc = 0x1000;
  for (int n = 0; n < n_ops; n++) {
    if (pick(6) == 0) b.insn_start(pc += 4);
    if (!scopes.empty() && pick(5) == 0) {
      b.set_label(scopes.back().first);
      locals.resize(scopes.back().second);
      scopes.pop_back();
    }
    switch (pick(13)) {
      case 10: {  // guest memory (in range, 8-byte aligned)
        const ir::I64 a = b.and_(in(), b.const_i64((test::kMemSize - 1) & ~uint64_t{7}));
        if (pick(2)) b.mov(out(), b.ld(a, ir::memop(3)));
        else b.st(in(), a, ir::memop(3));
        break;
      }
      case 11: {  // helpers clobber every caller-saved register (xmm included)
        const test::RandomHelpers& h = test::RandomHelpers::get();
        b.mov(out(), b.call(pick(2) ? h.pure : h.writes_env, {in(), in(), in()}));
        break;
      }
      case 0:
        b.mov(out(), b.xor_(in(), b.const_i64(pick(2) ? 0x8000000000000000ull : 0x80000000u)));
        break;
      case 1:
        b.mov(out(), b.or_(in(), b.const_i64(0xffffffff00000000ull)));
        break;
      case 2: {
        ir::Label l = b.new_label();
        b.brcond(static_cast<ir::Cond>(pick(10)), in(), in(), l);
        scopes.push_back({l, locals.size()});
        break;
      }
      default: {
        const Opcode o = ops[pick(ops.size())];
        const ir::OpInfo& inf = ir::info(o);
        uint32_t args[4];
        for (int a = 0; a < inf.n_in; a++) args[1 + a] = in().idx;
        args[0] = out().idx;
        ir::Op op{};
        op.opc = o;
        op.n_args = static_cast<uint8_t>(1 + inf.n_in + inf.n_const);
        for (int a = 0; a < 1 + inf.n_in; a++) op.args[a] = args[a];
        if (inf.n_const) op.args[1 + inf.n_in] = test::fp_consts(o)[pick(test::fp_consts(o).size())];
        blk.ops.push_back(op);
        break;
      }
    }
  }
  while (!scopes.empty()) {
    b.set_label(scopes.back().first);
    scopes.pop_back();
  }
  b.exit_tb(ir::kExitGuest);
  return blk;
}

TEST(JitFp, RandomBlocksMatchInterpreter) {
  auto& jit = backend::jit_backend();
  auto& interp = backend::interp_backend();
  size_t runs = 0, flagged = 0;
  for (uint64_t seed = 1; seed <= 400; seed++) {
    std::mt19937_64 rng(seed);
    ir::Block orig = random_fp_block(rng, 10 + static_cast<int>(seed % 60));
    ir::Block opt = orig;
    ir::optimize(opt);
    for (const ir::Block* blk : {&orig, &opt}) {
      for (int run = 0; run < 3; run++) {
        test::TestMachine m1;
        for (auto& r : m1.cpu.r) {
          const auto& p = rng() % 2 ? test::f64_pool() : test::int_pool();
          r = p[rng() % p.size()];
          if (rng() % 3 == 0) r = 0xffffffff00000000ull | test::f32_pool()[rng() % test::f32_pool().size()];
        }
        test::TestMachine m2(m1);
        const FpRun ri = run_fp(interp, *blk, m1);
        const FpRun rj = run_fp(jit, *blk, m2);
        runs++;
        if (ri.flags) flagged++;
        for (int i = 0; i < 16; i++)
          ASSERT_EQ(m1.cpu.r[i], m2.cpu.r[i]) << "r" << i << " seed " << seed
                                              << (blk == &opt ? " (optimized)\n" : "\n") << ir::print(*blk);
        ASSERT_TRUE(m1.mem == m2.mem) << "memory, seed " << seed;
        ASSERT_EQ(ri.flags, rj.flags) << "seed " << seed << (blk == &opt ? " (optimized)\n" : "\n")
                                      << ir::print(*blk);
        ASSERT_EQ(ri.r.code, rj.r.code);
      }
    }
  }
  std::printf("%zu runs, %zu raised flags\n", runs, flagged);
  EXPECT_GT(flagged, runs / 4);
}

// The optimizer must keep FP ops whose results are dead: their flags are
// their effect.
TEST(JitFp, DeadOpsStillRaiseFlags) {
  ir::Block blk;
  ir::Builder b(blk);
  const ir::I64 t = b.new_i64();
  b.emit(Opcode::fdiv_f64, {t.idx, b.const_i64(0x3ff0000000000000).idx, b.const_i64(0).idx},
         {ir::kFpNanCanonical});
  b.exit_tb(ir::kExitGuest);
  ir::optimize(blk);
  for (auto* be : {static_cast<backend::Backend*>(&backend::interp_backend()),
                   static_cast<backend::Backend*>(&backend::jit_backend())}) {
    test::TestMachine m;
    EXPECT_EQ(run_fp(*be, blk, m).flags, exec::kFpDivByZero) << be->name() << "\n" << ir::print(blk);
  }
}

// A host fault after an FP op in the same block: the handler leaves through
// siglongjmp with the kernel's fresh FP status, so the op's flags must come
// from the signal context (CpuCommon::host_fp_flags).
struct FpFaultFixture : ::testing::Test {
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

TEST_F(FpFaultFixture, FlagsPendingAtAHostFaultAreKept) {
  ir::Block blk;
  ir::Builder b(blk);
  const ir::I64 r1 = b.global(test::reg_off(1), "r1"), r2 = b.global(test::reg_off(2), "r2");
  b.insn_start(0x1000);
  const ir::I64 q = b.new_i64();
  b.emit(Opcode::fdiv_f64, {q.idx, r1.idx, r2.idx}, {ir::kFpNanCanonical});  // 1/3: inexact
  b.mov(r1, q);
  b.insn_start(0x1004);
  b.mov(r2, b.ld(b.const_i64(0x2008), ir::memop(3)));  // protected page
  b.exit_tb(ir::kExitGuest);
  for (auto* be : {static_cast<backend::Backend*>(&backend::interp_backend()),
                   static_cast<backend::Backend*>(&backend::jit_backend())}) {
    test::TestMachine m;
    m.cpu.r[1] = 0x3ff0000000000000;
    m.cpu.r[2] = 0x4008000000000000;
    auto* mem = static_cast<uint8_t*>(
        mmap(nullptr, test::kMemSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(mem, MAP_FAILED);
    ASSERT_EQ(mprotect(mem + 0x2000, 0x1000, PROT_NONE), 0);
    m.cpu.common.guest_base = mem;
    exec::set_current_cpu(&m.cpu.common);
    const FpRun r = run_fp(*be, blk, m);
    exec::set_current_cpu(nullptr);
    munmap(mem, test::kMemSize);
    EXPECT_EQ(r.r.code, ir::kExitFault) << be->name();
    EXPECT_EQ(m.cpu.common.host_fp_flags, exec::kFpInexact) << be->name();
    EXPECT_EQ(r.flags, exec::kFpInexact) << be->name();
  }
}

}  // namespace
}  // namespace mimic
