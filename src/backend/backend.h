#pragma once
// The host-code backends seen by the execution loop. A backend turns an IR
// Block into something it can run (interpreter: pre-decoded ops; JIT: host
// code) and runs it against a vCPU's env. The interpreter is the portable
// implementation and the reference the JIT is tested against.
#include <cstdint>
#include <string>

#include "exec/cpu.h"
#include "ir/ir.h"

namespace mimic::backend {

// How a block left. slot >= 0 (< ir::kMaxGotoTbSlots): goto_tb(slot, target)
// ran and env pc = target (the loop may follow a cached successor).
// slot == kSlotHot: a block compiled with a hot threshold was entered for the
// threshold-th time and left before running anything (code = kExitNormal,
// env pc = its guest_pc): the loop may replace it by a hot region.
// Otherwise (slot == -1): exit_tb(code) or goto_ptr (code = kExitNormal),
// continue at env pc.
// from: with chained execution the block that took the goto_tb (or became
// hot) may not be the one passed to run(); then from is its owner
// (set_owner), else nullptr.
constexpr int64_t kSlotHot = -2;
struct RunResult {
  uint64_t code;
  int64_t slot;
  void* from = nullptr;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Prepares a verified, optimized block. The result is owned by the caller
  // and released with release(); it must not refer to `b` afterwards. May be
  // called from several threads at once.
  // hot_threshold > 0: the block counts its entries (racy across threads:
  // a lost count only delays) and leaves with kSlotHot on the
  // hot_threshold-th, once; 0: no counting (regions, regions disabled).
  virtual void* compile(const ir::Block& b, uint32_t hot_threshold) = 0;
  void* compile(const ir::Block& b) { return compile(b, 0); }
  virtual void release(void* code) = 0;
  // Runs compiled code. Faults and helper exits leave through cpu->jmp
  // (siglongjmp); the backend's frame holds no objects with destructors.
  virtual RunResult run(void* code, exec::CpuCommon* cpu) = 0;

  // Direct chaining (backends that jump between blocks without returning).
  // set_owner records the exec-level object reported in RunResult::from.
  // chain makes goto_tb `slot` (< ir::kMaxGotoTbSlots) of `from` go straight
  // to `to`; unchain undoes
  // it. Both are called under exec's translation lock, while other threads
  // may be running `from`.
  virtual void set_owner(void* code, void* owner) {}
  virtual void chain(void* from, int slot, void* to) {}
  virtual void unchain(void* from, int slot) {}
};

// The backend the execution loop uses: chosen by select() (from -accel
// tcg,backend=NAME), else the MIMIC_BACKEND environment variable, else
// "interp". Fixed at first use. Names: "interp", "jit" (x86-64 hosts).
Backend& current();
// Chooses the backend by name before the first block runs. Returns false with
// a message for an unknown name.
bool select(const std::string& name, std::string* error);
// The backend with this name, or nullptr (tests compare backends).
Backend* by_name(const std::string& name);

}  // namespace mimic::backend
