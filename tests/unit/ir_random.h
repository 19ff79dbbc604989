#pragma once
// Random well-typed IR programs for differential tests (interpreter before
// and after optimize(); later the JIT against the interpreter). Programs use
// the TestCpu globals r0..r15, env slots extra[], guest memory [0, kMemSize)
// (with the occasional faulting access), forward branches, helper calls and
// every value op. Locals are always written before they are read on every
// path, so results are deterministic.
#include <cstdint>
#include <random>
#include <vector>

#include "ir/builder.h"
#include "ir/eval.h"
#include "ir/helper.h"
#include "ir_harness.h"

namespace mimic::test {

// Helpers used by random programs (registered once).
struct RandomHelpers {
  uint32_t pure, writes_env, reads_env;
  static const RandomHelpers& get() {
    static const RandomHelpers h = {
        ir::register_helper({"rnd_pure",
                             [](void*, uint64_t a, uint64_t b, uint64_t c, uint64_t d) -> uint64_t {
                               return a * 31 + (b ^ (c >> 3)) - d;
                             },
                             ir::kHelperPure}),
        ir::register_helper({"rnd_writes_env",
                             [](void* env, uint64_t a, uint64_t b, uint64_t, uint64_t) -> uint64_t {
                               auto* cpu = static_cast<TestCpu*>(env);
                               uint64_t old = cpu->r[b & 15];
                               for (int i = 0; i < 16; i++) cpu->r[i] += ((a >> (4 * i)) & 15) | 1;
                               return old;
                             },
                             ir::kHelperWritesEnv | ir::kHelperReadsEnv}),
        ir::register_helper({"rnd_reads_env",
                             [](void* env, uint64_t a, uint64_t, uint64_t, uint64_t) -> uint64_t {
                               return static_cast<TestCpu*>(env)->r[a & 15] * 7;
                             },
                             ir::kHelperReadsEnv}),
    };
    return h;
  }
};

class RandomIr {
 public:
  explicit RandomIr(uint64_t seed) : rng_(seed) {}

  // A block of about n_ops ops ending in exit_tb or goto_tb.
  ir::Block generate(int n_ops) {
    ir::Block blk;
    ir::Builder b(blk);
    b_ = &b;
    l32_.clear();
    l64_.clear();
    scopes_.clear();
    for (int i = 0; i < 16; i++) g_[i] = b.global(reg_off(i), reg_names()[i]);
    uint64_t pc = 0x10000;
    for (int i = 0; i < n_ops; i++) {
      if (pick(8) == 0) b.insn_start(pc += 4);
      if (!scopes_.empty() && pick(6) == 0) close_scope();
      emit_random();
    }
    while (!scopes_.empty()) close_scope();
    if (pick(2)) b.exit_tb(ir::kExitGuest + pick(4));
    else b.goto_tb(static_cast<unsigned>(pick(2)), 0x20000 + 4 * pick(100));
    b_ = nullptr;
    return blk;
  }

  // Random initial state: registers biased to interesting values, memory
  // random.
  void randomize(TestMachine& m) {
    for (auto& r : m.cpu.r) r = value64();
    for (auto& e : m.cpu.extra) e = value64();
    for (auto& w : m.mem) w = rng_();
  }

 private:
  uint64_t pick(uint64_t n) { return rng_() % n; }
  static const char* const* reg_names() {
    static const char* const kNames[16] = {"r0", "r1", "r2",  "r3",  "r4",  "r5",  "r6",  "r7",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    return kNames;
  }
  uint64_t value64() {
    static const uint64_t kSpecial[] = {0, 1, 2, 31, 32, 33, 63, 64, 0x7fffffff, 0x80000000, 0xffffffff,
                                        0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~1ull};
    switch (pick(4)) {
      case 0: return kSpecial[pick(sizeof kSpecial / 8)];
      case 1: return pick(16);
      default: return rng_();
    }
  }

  // --- operands ---
  ir::I64 in64() {
    switch (pick(4)) {
      case 0: return g_[pick(16)];
      case 1: return b_->const_i64(value64());
      default:
        if (!l64_.empty()) return l64_[pick(l64_.size())];
        return g_[pick(16)];
    }
  }
  ir::I32 in32() {
    if (pick(4) == 0 || l32_.empty()) {
      if (pick(2)) return b_->const_i32(static_cast<uint32_t>(value64()));
      ir::I32 t = b_->trunc(g_[pick(16)]);
      l32_.push_back(t);
      return t;
    }
    return l32_[pick(l32_.size())];
  }
  // Output: a fresh local, an existing local, or a global.
  ir::I64 out64() {
    uint64_t p = pick(8);
    if (p == 0) return g_[pick(16)];
    if (p == 1 && !l64_.empty()) return l64_[pick(l64_.size())];
    ir::I64 t = b_->new_i64();
    l64_.push_back(t);
    return t;
  }
  ir::I32 out32() {
    if (pick(6) == 0 && !l32_.empty()) return l32_[pick(l32_.size())];
    ir::I32 t = b_->new_i32();
    l32_.push_back(t);
    return t;
  }
  // Guest address: mostly in range, sometimes misaligned, rarely faulting.
  ir::I64 addr(unsigned size_log2) {
    if (pick(64) == 0) return b_->const_i64(kMemSize - pick(4));
    ir::I64 base = in64();
    ir::I64 masked = b_->and_(base, b_->const_i64((kMemSize - 1) & ~uint64_t{7}));
    if (pick(4) == 0) masked = b_->or_(masked, b_->const_i64(pick(8) & ((1u << size_log2) - 1)));
    return masked;
  }
  ir::MemOp memop(unsigned max_log2) {
    unsigned s = static_cast<unsigned>(pick(max_log2 + 1));
    return ir::memop(s, pick(2) != 0, pick(16) == 0);
  }

  // --- ops ---
  void emit_value_op() {
    static std::vector<ir::Opcode> pure = [] {
      std::vector<ir::Opcode> v;
      for (int i = 0; i < static_cast<int>(ir::Opcode::kCount); i++)
        if (ir::eval::is_pure(static_cast<ir::Opcode>(i))) v.push_back(static_cast<ir::Opcode>(i));
      return v;
    }();
    ir::Opcode opc = pure[pick(pure.size())];
    const ir::OpInfo& in = ir::info(opc);
    uint32_t args[6];
    for (int i = 0; i < in.n_in; i++)
      args[1 + i] = ir::arg_type(opc, 1 + i) == ir::Type::I32 ? in32().idx : in64().idx;
    args[0] = ir::arg_type(opc, 0) == ir::Type::I32 ? out32().idx : out64().idx;
    ir::Op op{};
    op.opc = opc;
    op.n_args = static_cast<uint8_t>(1 + in.n_in + in.n_const);
    for (int i = 0; i < 1 + in.n_in; i++) op.args[i] = args[i];
    if (in.n_const) op.args[1 + in.n_in] = pick(10);  // Cond
    b_->block().ops.push_back(op);
  }

  void emit_random() {
    const RandomHelpers& h = RandomHelpers::get();
    ir::Builder& b = *b_;
    switch (pick(20)) {
      case 0: case 1: case 2: case 3: case 4: case 5: case 6:
        emit_value_op();
        break;
      case 7:  // copies, to exercise copy propagation
        if (pick(2)) b.mov(out64(), in64());
        else b.mov(out32(), in32());
        break;
      case 8: {
        ir::MemOp m = memop(3);
        b.mov(out64(), b.ld(addr(m.size_log2), m));
        break;
      }
      case 9: {
        ir::MemOp m = memop(2);
        ir::I32 v = b.ld32(addr(m.size_log2), m);
        l32_.push_back(v);
        break;
      }
      case 10: {
        ir::MemOp m = memop(3);
        if (m.size_log2 <= 2 && pick(2)) b.st(in32(), addr(m.size_log2), m);
        else b.st(in64(), addr(m.size_log2), m);
        break;
      }
      case 11: {
        unsigned s = 2 + static_cast<unsigned>(pick(2));
        ir::MemOp m = ir::memop(s, pick(2) != 0, true);
        ir::I64 a = b.and_(in64(), b.const_i64((kMemSize - 1) & ~uint64_t{7}));
        if (pick(2)) b.mov(out64(), b.atomic_rmw(static_cast<ir::AtomicOp>(pick(9)), a, in64(), m));
        else b.mov(out64(), b.atomic_cmpxchg(a, in64(), in64(), m));
        break;
      }
      case 12:
        if (pick(2)) b.mov(out64(), b.ld_env(extra_off(static_cast<int>(pick(8)))));
        else b.st_env(extra_off(static_cast<int>(pick(8))), in64());
        break;
      case 13:
        if (pick(4) == 0) b.st_env(reg_off(static_cast<int>(pick(16))), in64());  // aliases a global
        else l32_.push_back(b.ld_env32(extra_off(static_cast<int>(pick(8)))));
        break;
      case 14: {
        uint64_t w = pick(3);
        uint32_t hi = w == 0 ? h.pure : w == 1 ? h.writes_env : h.reads_env;
        b.mov(out64(), b.call(hi, {in64(), in64(), in64()}));
        break;
      }
      case 15: case 16:
        open_scope();
        break;
      case 17:  // conditional early exit
        if (pick(3) == 0) {
          ir::Label l = b.new_label();
          b.brcond(static_cast<ir::Cond>(pick(10)), in64(), in64(), l);
          b.exit_tb(ir::kExitGuest + 7);
          b.set_label(l);
        }
        break;
      case 18:
        b.mov(g_[pick(16)], in64());
        break;
      default:
        if (pick(8) == 0) b.mb();
        else emit_value_op();
        break;
    }
  }

  void open_scope() {
    ir::Label l = b_->new_label();
    if (pick(2)) b_->brcond(static_cast<ir::Cond>(pick(10)), in64(), in64(), l);
    else b_->brcond(static_cast<ir::Cond>(pick(10)), in32(), in32(), l);
    scopes_.push_back({l, l32_.size(), l64_.size()});
  }
  // Locals first written inside the skipped region are not visible after
  // the label.
  void close_scope() {
    Scope s = scopes_.back();
    scopes_.pop_back();
    b_->set_label(s.label);
    l32_.resize(s.n32);
    l64_.resize(s.n64);
  }

  struct Scope {
    ir::Label label;
    size_t n32, n64;
  };
  std::mt19937_64 rng_;
  ir::Builder* b_ = nullptr;
  ir::I64 g_[16];
  std::vector<ir::I32> l32_;
  std::vector<ir::I64> l64_;
  std::vector<Scope> scopes_;
};

}  // namespace mimic::test
