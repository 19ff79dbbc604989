// The IR interpreter: pre-decoding (compile) and the dispatch loop (run).
#include "backend/interp/interp.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "backend/interp/interp_mem.h"
#include "backend/interp/interp_softmmu.h"
#include "ir/eval.h"
#include "ir/eval_fp.h"
#include "ir/helper.h"

namespace mimic::backend {

namespace {

// Operand reference: (byte offset << 2) | base.
enum Base : uint32_t { kEnv = 0, kFrame = 1, kConst = 2 };

// One pre-decoded op (32 bytes). Field use per op:
//   o[0..]  outputs then inputs, as in ir::Op
//   c0      Cond (setcond/movcond/brcond), MemOp (memory), goto_tb slot
//   c1      AtomicOp
//   imm     branch target (op index), env offset, helper fn, pc, exit code
struct IOp {
  uint16_t opc;
  uint8_t c0, c1;
  uint32_t o[5];
  uint64_t imm;
};
static_assert(sizeof(IOp) == 32);

struct InterpCode {
  std::vector<IOp> ops;
  std::vector<uint64_t> consts;
  uint32_t n_locals = 0;
  // Entry counting (Backend::compile's hot_threshold): counts down to 0.
  bool counting = false;
  std::atomic<int32_t> hot{0};
  uint64_t guest_pc = 0;
  // Block::mmu_idx: -1 user mode, else system mode through the softMMU TLB.
  int32_t mmu_idx = -1;
};

// Blocks with more locals than this use a per-thread heap frame instead of
// the host stack.
constexpr uint32_t kMaxStackLocals = 8192;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "mimic: interpreter: %s\n", what);
  std::abort();
}

}  // namespace

void* InterpBackend::compile(const ir::Block& b, uint32_t hot_threshold) {
  auto* code = new InterpCode;
  code->counting = hot_threshold > 0;
  code->hot.store(static_cast<int32_t>(hot_threshold), std::memory_order_relaxed);
  code->guest_pc = b.guest_pc;
  code->mmu_idx = b.mmu_idx;
  // Operand references for every temp.
  std::vector<uint32_t> ref(b.temps.size());
  for (size_t t = 0; t < b.temps.size(); t++) {
    const ir::TempInfo& ti = b.temps[t];
    switch (ti.kind) {
      case ir::TempKind::Global:
        ref[t] = (static_cast<uint32_t>(ti.env_offset) << 2) | kEnv;
        break;
      case ir::TempKind::Local:
        ref[t] = (code->n_locals++ * 8u) << 2 | kFrame;
        break;
      case ir::TempKind::Const:
        ref[t] = static_cast<uint32_t>(code->consts.size() * 8u) << 2 | kConst;
        code->consts.push_back(ti.type == ir::Type::I32 ? static_cast<uint32_t>(ti.value) : ti.value);
        break;
    }
  }
  // Label -> index of the first op after it (set_label emits nothing).
  std::vector<uint32_t> label_pos(b.n_labels, 0);
  uint32_t n = 0;
  for (const ir::Op& op : b.ops) {
    if (op.opc == ir::Opcode::set_label) label_pos[op.cst(0)] = n;
    else n++;
  }
  code->ops.reserve(n + 1);
  for (const ir::Op& op : b.ops) {
    if (op.opc == ir::Opcode::set_label) continue;
    const ir::OpInfo& in = op.inf();
    IOp d{};
    d.opc = static_cast<uint16_t>(op.opc);
    unsigned nt = in.n_out + in.n_in;
    for (unsigned i = 0; i < nt && i < 5; i++) d.o[i] = ref[op.args[i]];
    switch (op.opc) {
      case ir::Opcode::br: d.imm = label_pos[op.cst(0)]; break;
      case ir::Opcode::brcond_i32:
      case ir::Opcode::brcond_i64:
        d.c0 = static_cast<uint8_t>(op.cst(0));
        d.imm = label_pos[op.cst(1)];
        break;
      case ir::Opcode::atomic_rmw_i64:
        d.c0 = static_cast<uint8_t>(op.cst(0));
        d.c1 = static_cast<uint8_t>(op.cst(1));
        break;
      case ir::Opcode::call:
        d.imm = reinterpret_cast<uint64_t>(ir::helper(static_cast<uint32_t>(op.cst(0))).fn);
        break;
      case ir::Opcode::goto_tb:
        d.c0 = static_cast<uint8_t>(op.cst(0));
        d.imm = op.cst(1);
        break;
      default:
        if (in.n_const > 0) {
          d.c0 = static_cast<uint8_t>(op.cst(0));  // Cond / MemOp
          d.imm = op.cst(0);
        }
        break;
    }
    code->ops.push_back(d);
  }
  // Sentinel: running past the end of an (unverified, malformed) block.
  IOp end{};
  end.opc = static_cast<uint16_t>(ir::Opcode::kCount);
  code->ops.push_back(end);
  return code;
}

void InterpBackend::release(void* code) { delete static_cast<InterpCode*>(code); }

namespace {

MIMIC_ALWAYS_INLINE uint64_t rd(uint8_t* const* bases, uint32_t o) {
  uint64_t v;
  std::memcpy(&v, bases[o & 3] + (o >> 2), 8);
  return v;
}
MIMIC_ALWAYS_INLINE void wr(uint8_t* const* bases, uint32_t o, uint64_t v) {
  std::memcpy(bases[o & 3] + (o >> 2), &v, 8);
}

// The dispatch loop. Holds no objects with destructors: faults in guest
// memory accesses that hit unmapped host pages and helpers that raise leave
// through siglongjmp. kSystem: guest memory through the softMMU at
// code->mmu_idx (interp_softmmu.h), else user mode (interp_mem.h); one
// instance each, so user mode pays nothing for system mode.
template <bool kSystem>
__attribute__((noinline)) RunResult interp_run(const InterpCode* code, exec::CpuCommon* cpu,
                                               uint8_t* frame) {
  const uint32_t mmu_idx = static_cast<uint32_t>(code->mmu_idx);
  uint8_t* bases[4] = {reinterpret_cast<uint8_t*>(cpu), frame,
                       reinterpret_cast<uint8_t*>(const_cast<uint64_t*>(code->consts.data())), nullptr};
  const IOp* const ops = code->ops.data();
  const IOp* ip = ops;
#define R(i) rd(bases, op->o[i])
#define W(i, v) wr(bases, op->o[i], (v))
  for (;;) {
    const IOp* op = ip++;
    switch (static_cast<ir::Opcode>(op->opc)) {
#define MIMIC_X(name)                                                                     \
  case ir::Opcode::name:                                                                  \
    W(0, ir::eval::eval_pure(ir::Opcode::name, R(1), R(2), R(3), R(4), op->c0));         \
    break;
      MIMIC_IR_PURE_OPS(MIMIC_X)
#undef MIMIC_X
      // IEEE ops: flags accrue into this thread's MXCSR, as in JIT code.
#define MIMIC_X(name)                                                                     \
  case ir::Opcode::name:                                                                  \
    W(0, ir::eval::eval_fp(ir::Opcode::name, R(1), R(2), R(3), op->imm));                \
    break;
      MIMIC_IR_FP_OPS(MIMIC_X)
#undef MIMIC_X

      case ir::Opcode::set_label:
        break;  // not emitted by compile
      case ir::Opcode::br:
        ip = ops + op->imm;
        break;
      case ir::Opcode::brcond_i32:
        if (ir::eval::compare<uint32_t>(op->c0, static_cast<uint32_t>(R(0)), static_cast<uint32_t>(R(1))))
          ip = ops + op->imm;
        break;
      case ir::Opcode::brcond_i64:
        if (ir::eval::compare<uint64_t>(op->c0, R(0), R(1))) ip = ops + op->imm;
        break;

      case ir::Opcode::ld_i32:
      case ir::Opcode::ld_i64: {
        uint64_t addr = R(1), v;
        if constexpr (kSystem) {
          v = sys_load(cpu, addr, op->c0, mmu_idx);
        } else {
          if (!interp_load(cpu, addr, op->c0, &v)) return {cpu->exception, -1};
        }
        W(0, op->opc == static_cast<uint16_t>(ir::Opcode::ld_i32) ? static_cast<uint32_t>(v) : v);
        break;
      }
      case ir::Opcode::st_i32:
      case ir::Opcode::st_i64:
        if constexpr (kSystem) {
          sys_store(cpu, R(1), op->c0, R(0), mmu_idx);
        } else {
          if (!interp_store(cpu, R(1), op->c0, R(0))) return {cpu->exception, -1};
        }
        break;
      case ir::Opcode::atomic_rmw_i64: {
        uint64_t v;
        if constexpr (kSystem) {
          v = sys_atomic_rmw(cpu, R(1), op->c0, op->c1, R(2), mmu_idx);
        } else {
          if (!interp_atomic_rmw(cpu, R(1), op->c0, op->c1, R(2), &v)) return {cpu->exception, -1};
        }
        W(0, v);
        break;
      }
      case ir::Opcode::atomic_cmpxchg_i64: {
        uint64_t v;
        if constexpr (kSystem) {
          v = sys_cmpxchg(cpu, R(1), op->c0, R(2), R(3), mmu_idx);
        } else {
          if (!interp_cmpxchg(cpu, R(1), op->c0, R(2), R(3), &v)) return {cpu->exception, -1};
        }
        W(0, v);
        break;
      }
      case ir::Opcode::mb:
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        break;

      case ir::Opcode::ld_env_i64: {
        uint64_t v;
        std::memcpy(&v, reinterpret_cast<uint8_t*>(cpu) + op->imm, 8);
        W(0, v);
        break;
      }
      case ir::Opcode::ld_env_i32: {
        uint32_t v;
        std::memcpy(&v, reinterpret_cast<uint8_t*>(cpu) + op->imm, 4);
        W(0, v);
        break;
      }
      case ir::Opcode::st_env_i64: {
        uint64_t v = R(0);
        std::memcpy(reinterpret_cast<uint8_t*>(cpu) + op->imm, &v, 8);
        break;
      }
      case ir::Opcode::st_env_i32: {
        uint32_t v = static_cast<uint32_t>(R(0));
        std::memcpy(reinterpret_cast<uint8_t*>(cpu) + op->imm, &v, 4);
        break;
      }

      case ir::Opcode::call: {
        auto fn = reinterpret_cast<ir::HelperFn>(op->imm);
        W(0, fn(cpu, R(1), R(2), R(3), R(4)));
        break;
      }

      case ir::Opcode::insn_start:
        cpu->insn_pc = op->imm;
        break;
      case ir::Opcode::goto_tb:
        cpu->pc = op->imm;
        return {ir::kExitNormal, op->c0};
      case ir::Opcode::goto_ptr:
        return {ir::kExitNormal, -1};
      case ir::Opcode::exit_tb:
        return {op->imm, -1};
      case ir::Opcode::kCount:
        die("block ran past its end (no goto_tb/goto_ptr/exit_tb)");
    }
  }
#undef R
#undef W
}

thread_local std::vector<uint64_t> t_big_frame;

MIMIC_ALWAYS_INLINE RunResult interp_dispatch(const InterpCode* code, exec::CpuCommon* cpu, uint8_t* frame) {
  if (code->mmu_idx < 0) return interp_run<false>(code, cpu, frame);
  return interp_run<true>(code, cpu, frame);
}

}  // namespace

RunResult InterpBackend::run(void* c, exec::CpuCommon* cpu) {
  auto* code = static_cast<InterpCode*>(c);
  if (code->counting) {
    // A plain load and store: a count lost to another thread only delays.
    const int32_t left = code->hot.load(std::memory_order_relaxed) - 1;
    code->hot.store(left, std::memory_order_relaxed);
    if (left == 0) {
      cpu->pc = code->guest_pc;
      return {ir::kExitNormal, kSlotHot};
    }
  }
  if (code->n_locals <= kMaxStackLocals) {
    // Locals are always written before they are read (ir::verify), so the
    // frame needs no initialisation.
    auto* frame = static_cast<uint8_t*>(__builtin_alloca(code->n_locals * 8 + 8));
    return interp_dispatch(code, cpu, frame);
  }
  if (t_big_frame.size() < code->n_locals) t_big_frame.resize(code->n_locals);
  return interp_dispatch(code, cpu, reinterpret_cast<uint8_t*>(t_big_frame.data()));
}

InterpBackend& interp_backend() {
  static InterpBackend b;
  return b;
}

}  // namespace mimic::backend
