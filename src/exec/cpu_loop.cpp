// The execution loop (see cpu_loop.h): block lookup, translation, chaining
// through cached successors, and the sigsetjmp that faults and helpers use to
// leave guest code.
#include "exec/cpu_loop.h"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "backend/backend.h"
#include "core/log.h"
#include "exec/region.h"
#include "exec/tb.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir/verify.h"
#include "memory/softmmu.h"

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
  b.tb_flags = 0;
  b.guest_size = 0;
  b.guest_insns = 0;
  b.temps.clear();
  b.ops.clear();
  b.n_labels = 0;
  b.mmu_idx = -1;
  b.phys_page2 = ~uint64_t{0};
}

constexpr uint64_t kPageSize = 4096, kPageMask = ~(kPageSize - 1);

// System mode: tb's key and physical ranges (tb.h) from its guest hull
// [vlo, vhi), which lies in the page of tb->pc except for the tail of an
// instruction crossing into the next page, mapped at phys_page2 (the
// translator's Block::phys_page2; probed if it did not say).
void set_phys_ranges(CpuCommon* cpu, const GuestOps& ops, TranslationBlock* tb, uint64_t vlo,
                     uint64_t vhi, uint64_t phys_pc, uint64_t phys_page2) {
  const uint64_t vpage = tb->pc & kPageMask, vend = vpage + kPageSize, ppage = phys_pc & kPageMask;
  tb->phys_pc = phys_pc;
  tb->lo = ppage + (vlo - vpage);
  tb->hi = ppage + (std::min(vhi, vend) - vpage);
  if (vhi > vend) {
    uint64_t p = 0;
    if (phys_page2 == ~uint64_t{0} &&
        memory::softmmu_probe_code(cpu, vend, ops.code_mmu_idx(tb->flags), &p))
      phys_page2 = p & kPageMask;
    if (phys_page2 != ~uint64_t{0}) {
      tb->lo2 = phys_page2;
      tb->hi2 = phys_page2 + (vhi - vend);
    }
  }
}

// System mode: goto_tb from `from` may be chained to `to` only if to's
// translation is valid whenever from's is: same virtual page (so the same
// mapping, checked when `from` was looked up), and `to` does not depend on
// the mapping of a second page.
inline bool chainable(const TranslationBlock* from, const TranslationBlock* to) {
  return ((from->pc ^ to->pc) & kPageMask) == 0 && to->hi2 == to->lo2;
}

// Translates, optimizes and compiles the block at (pc, flags). A fault while
// fetching guest code leaves through cpu->jmp (kExitFault, pc = insn_pc).
// Tiered compilation: when the current backend is not the interpreter, a
// block first runs on the interpreter (translating is then cheap: most code
// at start-up runs only a few times), and is compiled by the current backend
// once it has been entered tier_threshold() times. 0: compile at once.
// MIMIC_TIER_THRESHOLD overrides the default.
uint32_t tier_threshold() {
  static const uint32_t n = [] {
    const char* e = std::getenv("MIMIC_TIER_THRESHOLD");
    if (!e || !*e) return 32u;
    char* end = nullptr;
    unsigned long v = std::strtoul(e, &end, 10);
    return (*end || v > 1000000) ? 32u : static_cast<uint32_t>(v);
  }();
  return n;
}

// The backend a new block starts on, and the hot threshold it counts to.
backend::Backend& first_tier(backend::Backend& be, uint32_t* threshold) {
  static backend::Backend* const interp = backend::by_name("interp");
  if (interp && interp != &be && tier_threshold() > 0) {
    *threshold = tier_threshold();
    return *interp;
  }
  *threshold = region_threshold();
  return be;
}

// Whether first-tier (interpreter) blocks are optimized. They run at most
// tier_threshold() times, so the optimizer's passes cost more than they save:
// off by default (MIMIC_TIER1_OPT=1 turns them on; measured in docs/PERF.md).
bool tier1_optimize() {
  static const bool on = [] {
    const char* e = std::getenv("MIMIC_TIER1_OPT");
    return e && *e && std::strcmp(e, "0") != 0;
  }();
  return on;
}

// Translates and (if `optimize`) optimizes the block at (pc, flags) into
// st->block.
void translate_block(CpuCommon* cpu, const GuestOps& ops, ExecState* st, uint64_t pc, uint64_t flags,
                     bool optimize = true) {
  ir::Block& b = st->block;
  reset_block(b);
  b.guest_pc = pc;
  b.tb_flags = flags;
  cpu->insn_pc = pc;
  ops.translate(cpu, pc, flags, b);
  const bool verify = g_verify.load(std::memory_order_relaxed);
  if (log::enabled(log::kOp)) log::printf("OP:\n%s\n", ir::print(b).c_str());
  if (verify) verify_or_die(b, "from the translator");
  if (!optimize) return;
  ir::optimize(b);
  if (log::enabled(log::kOpOpt)) log::printf("OP after optimization:\n%s\n", ir::print(b).c_str());
  if (verify) verify_or_die(b, "after optimization");
}

TranslationBlock* new_tb(CpuCommon* cpu, const GuestOps& ops, const ir::Block& b, uint64_t pc,
                         uint64_t flags, uint64_t phys, backend::Backend& be, uint32_t threshold) {
  auto* tb = new TranslationBlock;
  tb->pc = pc;
  tb->flags = flags;
  tb->size = b.guest_size;
  tb->n_insns = b.guest_insns;
  tb->lo = pc;
  tb->hi = pc + (b.guest_size ? b.guest_size : 1);
  if (phys != kNoPhys) set_phys_ranges(cpu, ops, tb, tb->lo, tb->hi, phys, b.phys_page2);
  tb->be = &be;
  tb->code = be.compile(b, threshold);
  be.set_owner(tb->code, tb);
  return tb;
}

// A first-tier block became hot: compiles it with the current backend and
// puts it in its place (as install_region does). Gives up quietly if the
// code changes meanwhile.
void install_compiled(CpuCommon* cpu, const GuestOps& ops, ExecState* st, backend::Backend& be,
                      uint64_t pc, uint64_t flags, uint64_t phys) {
  for (int attempt = 0; attempt < 3; attempt++) {
    uint64_t seq = tb_inval_seq();
    translate_block(cpu, ops, st, pc, flags);
    if (tb_replace(st, new_tb(cpu, ops, st->block, pc, flags, phys, be, region_threshold()), seq)) return;
  }
}

TranslationBlock* translate_tb(CpuCommon* cpu, const GuestOps& ops, ExecState* st,
                               backend::Backend& be, uint64_t pc, uint64_t flags, uint64_t phys) {
  for (;;) {
    uint64_t seq = tb_inval_seq();
    uint32_t threshold = 0;
    backend::Backend& tier = first_tier(be, &threshold);
    translate_block(cpu, ops, st, pc, flags, &tier == &be || tier1_optimize());
    TranslationBlock* tb = new_tb(cpu, ops, st->block, pc, flags, phys, tier, threshold);
    if (TranslationBlock* r = tb_insert(st, tb, seq)) return r;
  }
}

void log_region(const RegionInfo& info, uint64_t flags) {
  std::string pcs;
  char buf[32];
  for (uint64_t p : info.block_pcs) {
    std::snprintf(buf, sizeof buf, " 0x%" PRIx64, p);
    pcs += buf;
  }
  log::printf("REGION at 0x%" PRIx64 " flags 0x%" PRIx64 ": %zu blocks, %u insns, %u exits, "
              "%u back edges, covers [0x%" PRIx64 ", 0x%" PRIx64 "); blocks:%s\n",
              info.block_pcs[0], flags, info.block_pcs.size(), info.n_insns, info.n_exits,
              info.n_back_edges, info.lo, info.hi, pcs.c_str());
}

// The block at (pc, flags) became hot: replaces it by a region starting
// there (region.h). Gives up quietly if the code changes meanwhile; the old
// block then keeps running (its counter has passed zero, it does not ask
// again).
void install_region(CpuCommon* cpu, const GuestOps& ops, ExecState* st, backend::Backend& be,
                    uint64_t pc, uint64_t flags, uint64_t phys) {
  for (int attempt = 0; attempt < 3; attempt++) {
    uint64_t seq = tb_inval_seq();
    ir::Block& b = st->block;
    reset_block(b);
    RegionInfo info;
    if (!build_region(cpu, ops, st, pc, flags, region_limits(), b, &info)) return;
    b.tb_flags = flags;
    if (log::g_mask & (log::kInAsm | log::kOp | log::kOpOpt | log::kOutAsm)) log_region(info, flags);
    const bool verify = g_verify.load(std::memory_order_relaxed);
    if (log::enabled(log::kOp)) log::printf("OP (region):\n%s\n", ir::print(b).c_str());
    if (verify) verify_or_die(b, "of a region");
    ir::optimize(b);
    if (log::enabled(log::kOpOpt))
      log::printf("OP after optimization (region):\n%s\n", ir::print(b).c_str());
    if (verify) verify_or_die(b, "of a region after optimization");
    auto* tb = new TranslationBlock;
    tb->pc = pc;
    tb->flags = flags;
    tb->size = b.guest_size;
    tb->n_insns = b.guest_insns;
    tb->lo = info.lo;
    tb->hi = info.hi;
    if (phys != kNoPhys) set_phys_ranges(cpu, ops, tb, info.lo, info.hi, phys, b.phys_page2);
    tb->is_region = true;
    tb->be = &be;
    tb->code = be.compile(b, 0);
    be.set_owner(tb->code, tb);
    if (tb_replace(st, tb, seq)) return;
  }
}

// Runs blocks until an exit the loop does not handle. Holds TB pointers only
// between two exec_sync calls (see tb_cache.cpp).
__attribute__((noinline)) uint64_t run_loop(CpuCommon* cpu, const GuestOps& ops, ExecState* st) {
  backend::Backend& be = backend::current();
  const bool system = ops.code_mmu_idx != nullptr;
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
      if (!system) {
        tb = tb_lookup(st, cpu->pc, flags);
        if (!tb) tb = translate_tb(cpu, ops, st, be, cpu->pc, flags, kNoPhys);
      } else if (!(tb = tb_lookup_jc(st, cpu->pc, flags))) {
        // Blocks are keyed by physical pc too; a fetch fault leaves here
        // through cpu->jmp as the guest's exit (pc = insn_pc).
        cpu->insn_pc = cpu->pc;
        uint64_t phys = 0;
        memory::softmmu_code_ptr(cpu, cpu->pc, ops.code_mmu_idx(flags), &phys);
        tb = tb_lookup_phys(st, cpu->pc, flags, phys);
        if (!tb) tb = translate_tb(cpu, ops, st, be, cpu->pc, flags, phys);
      }
      // goto_tb means the flags did not change, so the successor is valid
      // for every later run of `last`.
      if (last && tb->flags == last->flags && !trace && (!system || chainable(last, tb)))
        tb_link(last, slot, tb);
    }
    if (trace) {
      if (log::enabled(log::kCpu) && ops.dump_state) ops.dump_state(cpu);
      if (log::enabled(log::kExec))
        log::printf("Trace %p [%016" PRIx64 "/%016" PRIx64 "]\n", tb->code, tb->pc, tb->flags);
    }
    backend::RunResult r = tb->be->run(tb->code, cpu);
    if (r.slot >= 0) {
      // With direct chaining the block that left may be a successor of tb.
      last = r.from ? static_cast<TranslationBlock*>(r.from) : tb;
      slot = static_cast<int>(r.slot);
      continue;
    }
    last = nullptr;
    if (r.slot == backend::kSlotHot) {
      // Left before running anything, env pc = its pc.
      auto* hot = r.from ? static_cast<TranslationBlock*>(r.from) : tb;
      if (hot->is_region || hot->invalid.load(std::memory_order_relaxed) || hot->pc != cpu->pc) continue;
      if (hot->be != &be)
        install_compiled(cpu, ops, st, be, hot->pc, hot->flags, hot->phys_pc);
      else
        install_region(cpu, ops, st, be, hot->pc, hot->flags, hot->phys_pc);
      continue;
    }
    if (r.code == ir::kExitInterrupt) {
      // A region's loop saw exit_request (region.h); consume it as above.
      cpu->exit_request.store(0, std::memory_order_relaxed);
      return r.code;
    }
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
  const uint64_t flags = st->ops->tb_flags(cpu);
  TranslationBlock* tb;
  if (!st->ops->code_mmu_idx) {
    tb = tb_lookup(st, cpu->pc, flags);
  } else if (!(tb = tb_lookup_jc(st, cpu->pc, flags))) {
    // System mode: never raise here (a fetch fault is the loop's to raise).
    uint64_t phys = 0;
    if (!memory::softmmu_probe_code(cpu, cpu->pc, st->ops->code_mmu_idx(flags), &phys)) return nullptr;
    tb = tb_lookup_phys(st, cpu->pc, flags, phys);
  }
  // Only blocks of the calling (current) backend: not a first-tier block.
  return tb && tb->be == &backend::current() ? tb->code : nullptr;
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
