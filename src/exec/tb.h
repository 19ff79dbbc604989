#pragma once
// Translation blocks and the TB cache shared by all vCPU threads.
//
// Concurrency: lookups are lock-free (hash chains of atomic pointers); insert,
// chaining and invalidation are serialized by one translation lock. An
// invalidated TB is unlinked at once but freed only after every vCPU thread
// that was inside cpu_exec has passed a block boundary and dropped its cached
// pointers (quiescent-state reclamation, see tb_cache.cpp).
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "exec/cpu.h"
#include "ir/ir.h"

namespace mimic::backend {
class Backend;
}

namespace mimic::exec {

struct TranslationBlock {
  uint64_t pc = 0;
  uint64_t flags = 0;
  uint32_t size = 0;     // bytes of guest code from pc (the entry block's)
  uint32_t n_insns = 0;
  // Guest addresses whose change invalidates this TB: [lo, hi). A basic
  // block's own range; a hot region's conservative hull of all its blocks
  // (region.h), which may start below pc. System mode: physical addresses,
  // [lo, hi) within the page of phys_pc, and [lo2, hi2) the part on a second
  // page when the last instruction crosses into it (empty: lo2 == hi2).
  uint64_t lo = 0, hi = 0;
  uint64_t lo2 = 0, hi2 = 0;
  // System mode: physical address of pc, part of the key (pc, flags,
  // phys_pc); kNoPhys in user mode.
  uint64_t phys_pc = ~uint64_t{0};
  bool is_region = false;
  void* code = nullptr;  // compiled form, owned by `be`
  // The backend that compiled and runs it: the current backend, or the
  // interpreter for a JIT's first tier (cpu_loop.cpp). Chaining links only
  // blocks of the same backend.
  backend::Backend* be = nullptr;

  std::atomic<bool> invalid{false};  // a byte: probed by generated code
  std::atomic<TranslationBlock*> hash_next{nullptr};
  // Cached successor per goto_tb slot (validated on use: pc and !invalid).
  std::atomic<TranslationBlock*> jmp_next[ir::kMaxGotoTbSlots] = {};
  // Under the translation lock: TBs whose jmp_next[slot] points here.
  std::vector<std::pair<TranslationBlock*, int>> incoming;
  uint64_t retire_gen = 0;
};

// Per-vCPU state behind CpuCommon::exec_state.
constexpr unsigned kJumpCacheBits = 12;
// Slot of `pc` in ExecState::jump_cache. Generated code probes the cache
// inline (the x86-64 JIT's goto_ptr), so this is part of the contract.
constexpr uint32_t jump_cache_index(uint64_t pc) {
  return static_cast<uint32_t>(pc >> 1) & ((1u << kJumpCacheBits) - 1);
}
constexpr uint64_t kOffline = ~uint64_t{0};
struct GuestOps;
struct ExecState {
  CpuCommon* cpu = nullptr;
  const GuestOps* ops = nullptr;  // of the running cpu_exec (lookup_code_for_jump)
  // Last invalidation generation this thread has acknowledged (kOffline when
  // outside cpu_exec); written by the owner, read by reclaimers.
  std::atomic<uint64_t> acked{kOffline};
  uint64_t seen = 0;  // owner only
  TranslationBlock* jump_cache[1u << kJumpCacheBits] = {};
  ir::Block block;  // translation scratch, reused
};

// Returns the vCPU's exec state, creating and registering it on first use.
ExecState* exec_state_of(CpuCommon* cpu);

// Finds a TB without translating (jump cache, then hash table); nullptr if
// absent. Only between enter/leave of the calling thread. User mode.
TranslationBlock* tb_lookup(ExecState* st, uint64_t pc, uint64_t flags);
// phys_pc of user-mode TBs.
constexpr uint64_t kNoPhys = ~uint64_t{0};
// System mode. The jump cache alone (keyed by virtual pc, trusted because
// the softMMU flushes it whenever a mapping may change):
TranslationBlock* tb_lookup_jc(ExecState* st, uint64_t pc, uint64_t flags);
// The hash table by (pc, flags, phys); a TB crossing into a second page
// matches only if the next virtual page still maps to that physical page
// (probed through the softMMU at st->ops->code_mmu_idx(flags)). Fills the
// jump cache on success.
TranslationBlock* tb_lookup_phys(ExecState* st, uint64_t pc, uint64_t flags, uint64_t phys);
// Inserts a freshly compiled TB unless an invalidation happened since
// `inval_seq` (returns nullptr: translate again) or an equal TB already exists
// (returns that one and frees `tb`).
TranslationBlock* tb_insert(ExecState* st, TranslationBlock* tb, uint64_t inval_seq);
// Current invalidation sequence number (read before translating).
uint64_t tb_inval_seq();
// Makes from->jmp_next[slot] = to if both are still valid and run on the
// same backend.
void tb_link(TranslationBlock* from, int slot, TranslationBlock* to);
// Installs the hot region `tb` at (tb->pc, tb->flags): every valid TB there
// (the basic block it replaces) is invalidated — incoming chained jumps are
// unlinked, so predecessors go through the lookup and link to the region —
// and `tb` is inserted. Fails (frees `tb`, returns nullptr) if an
// invalidation happened since `inval_seq`.
TranslationBlock* tb_replace(ExecState* st, TranslationBlock* tb, uint64_t inval_seq);

// For backends that continue at an indirect target (goto_ptr) without
// returning to the loop: the compiled code of the already translated block at
// (cpu->pc, current flags), or nullptr (return to the loop: not translated,
// exit requested, tracing). Call only from code run by cpu_exec on this vCPU.
void* lookup_code_for_jump(CpuCommon* cpu);

// Quiescent-state bookkeeping of the calling vCPU thread.
void exec_enter(ExecState* st);
void exec_leave(ExecState* st);
// At a block boundary: returns true if TBs were invalidated since the last
// call, in which case the caller must drop every TB pointer it holds (the
// jump cache is flushed here).
bool exec_sync(ExecState* st);

}  // namespace mimic::exec
