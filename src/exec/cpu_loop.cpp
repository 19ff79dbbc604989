// The execution loop (see cpu_loop.h): block lookup, translation, chaining
// through cached successors, and the sigsetjmp that faults and helpers use to
// leave guest code.
#include "exec/cpu_loop.h"

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "backend/backend.h"
#include "core/log.h"
#include "exec/tb.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir/verify.h"

namespace mimic::exec {

namespace {

bool default_verify() {
  const char* e = std::getenv("MIMIC_VERIFY_IR");
  if (e) return *e && std::strcmp(e, "0") != 0;
#ifdef NDEBUG
  return false;
#else
  return true;
#endif
}
std::atomic<bool> g_verify{default_verify()};

void verify_or_die(const ir::Block& b, const char* stage) {
  Result<void> r = ir::verify(b);
  if (r) return;
  std::fprintf(stderr, "mimic: invalid IR %s at pc 0x%" PRIx64 ": %s\n%s", stage, b.guest_pc,
               r.error().message.c_str(), ir::print(b).c_str());
  std::abort();
}

void reset_block(ir::Block& b) {
  b.guest_pc = 0;
  b.guest_size = 0;
  b.guest_insns = 0;
  b.temps.clear();
  b.ops.clear();
  b.n_labels = 0;
}

// Translates, optimizes and compiles the block at (pc, flags). A fault while
// fetching guest code leaves through cpu->jmp (kExitFault, pc = insn_pc).
TranslationBlock* translate_tb(CpuCommon* cpu, const GuestOps& ops, ExecState* st,
                               backend::Backend& be, uint64_t pc, uint64_t flags) {
  for (;;) {
    uint64_t seq = tb_inval_seq();
    ir::Block& b = st->block;
    reset_block(b);
    b.guest_pc = pc;
    cpu->insn_pc = pc;
    ops.translate(cpu, pc, flags, b);
    const bool verify = g_verify.load(std::memory_order_relaxed);
    if (log::enabled(log::kOp)) log::printf("OP:\n%s\n", ir::print(b).c_str());
    if (verify) verify_or_die(b, "from the translator");
    ir::optimize(b);
    if (log::enabled(log::kOpOpt)) log::printf("OP after optimization:\n%s\n", ir::print(b).c_str());
    if (verify) verify_or_die(b, "after optimization");
    auto* tb = new TranslationBlock;
    tb->pc = pc;
    tb->flags = flags;
    tb->size = b.guest_size;
    tb->n_insns = b.guest_insns;
    tb->code = be.compile(b);
    be.set_owner(tb->code, tb);
    if (TranslationBlock* r = tb_insert(st, tb, seq)) return r;
  }
}

// Runs blocks until an exit the loop does not handle. Holds TB pointers only
// between two exec_sync calls (see tb_cache.cpp).
__attribute__((noinline)) uint64_t run_loop(CpuCommon* cpu, const GuestOps& ops, ExecState* st) {
  backend::Backend& be = backend::current();
  TranslationBlock* last = nullptr;  // block that left by goto_tb(slot)
  int slot = 0;
  for (;;) {
    if (cpu->exit_request.load(std::memory_order_relaxed)) {
      cpu->exit_request.store(0, std::memory_order_relaxed);
      return ir::kExitInterrupt;
    }
    if (exec_sync(st)) last = nullptr;
    const bool trace = (log::g_mask & (log::kExec | log::kCpu)) != 0;
    TranslationBlock* tb = nullptr;
    if (last) {
      tb = last->jmp_next[slot].load(std::memory_order_acquire);
      if (tb && (tb->pc != cpu->pc || tb->invalid.load(std::memory_order_relaxed))) tb = nullptr;
    }
    if (!tb) {
      uint64_t flags = ops.tb_flags(cpu);
      tb = tb_lookup(st, cpu->pc, flags);
      if (!tb) tb = translate_tb(cpu, ops, st, be, cpu->pc, flags);
      // goto_tb means the flags did not change, so the successor is valid
      // for every later run of `last`.
      if (last && tb->flags == last->flags && !trace) tb_link(last, slot, tb);
    }
    if (trace) {
      if (log::enabled(log::kCpu) && ops.dump_state) ops.dump_state(cpu);
      if (log::enabled(log::kExec))
        log::printf("Trace %p [%016" PRIx64 "/%016" PRIx64 "]\n", tb->code, tb->pc, tb->flags);
    }
    backend::RunResult r = be.run(tb->code, cpu);
    if (r.slot >= 0) {
      // With direct chaining the block that left may be a successor of tb.
      last = r.from ? static_cast<TranslationBlock*>(r.from) : tb;
      slot = static_cast<int>(r.slot);
      continue;
    }
    last = nullptr;
    if (r.code != ir::kExitNormal) return r.code;
  }
}

// sigsetjmp lives in its own frame so no local of the loop is live across it.
__attribute__((noinline)) uint64_t exec_protected(CpuCommon* cpu, const GuestOps& ops, ExecState* st) {
  sigjmp_buf jb;
  if (sigsetjmp(jb, 0) != 0) return cpu->exception;
  cpu->jmp = &jb;
  return run_loop(cpu, ops, st);
}

}  // namespace

// Safe without exec_sync: the jump cache holds only TBs found after this
// thread's last acknowledgement, which cannot be freed before its next one,
// and tb_lookup skips invalidated TBs.
void* lookup_code_for_jump(CpuCommon* cpu) {
  auto* st = static_cast<ExecState*>(cpu->exec_state);
  if (!st || !st->ops || cpu->exit_request.load(std::memory_order_relaxed)) return nullptr;
  if ((log::g_mask & (log::kExec | log::kCpu)) != 0) return nullptr;
  TranslationBlock* tb = tb_lookup(st, cpu->pc, st->ops->tb_flags(cpu));
  return tb ? tb->code : nullptr;
}

void set_verify_ir(bool on) { g_verify.store(on, std::memory_order_relaxed); }

uint64_t cpu_exec(CpuCommon* cpu, const GuestOps& ops) {
  ExecState* st = exec_state_of(cpu);
  CpuCommon* prev_cpu = current_cpu();
  sigjmp_buf* prev_jmp = cpu->jmp;
  set_current_cpu(cpu);
  const GuestOps* prev_ops = st->ops;
  st->ops = &ops;
  exec_enter(st);
  uint64_t ret = exec_protected(cpu, ops, st);
  cpu->jmp = prev_jmp;
  exec_leave(st);
  st->ops = prev_ops;
  set_current_cpu(prev_cpu);
  return ret;
}

}  // namespace mimic::exec
