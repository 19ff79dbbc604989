#pragma once
// The JIT's executable memory: one RWX reservation split into regions that
// are filled by bumping a pointer. A region is reused only when every block
// compiled into it has been released, and blocks are released only through
// the TB cache's quiescent-state reclamation (exec/tb_cache.cpp), so no
// thread can still be running code that is overwritten. When no region is
// free the buffer asks exec to invalidate every TB ("flush") and compile()
// falls back to the interpreter until the old regions drain.
//
// Each region also keeps a table of (host address -> guest pc, recovery list)
// for every host instruction that may fault on guest memory, appended in
// address order, so exec::handle_host_fault can recover the exact guest state
// from a signal handler (lock-free binary search, read-only tables): the pc,
// and the guest registers (globals) that generated code holds in host
// registers newer than env at that point.
//
// Recovery lists live in a per-region pool of 32-bit words: word 0 is the
// count n, then n words (env_offset << 4 | host register). Fault points of
// one block that see the same dirty set share one list.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace mimic::backend::x64 {

// Produced by the compiler for each host instruction that may fault.
struct FaultPoint {
  uintptr_t host;
  uint64_t guest_pc;  // kNoGuestPc: env insn_pc is exact there
  uint32_t regs;      // index of its recovery list in the block's pool, or kNoRegs
};
constexpr uint64_t kNoGuestPc = ~uint64_t{0};
constexpr uint32_t kNoRegs = ~uint32_t{0};
// Largest env offset a recovery list entry can name (28 bits).
constexpr int32_t kMaxRecoverOffset = (1 << 28) - 1;
inline uint32_t recover_entry(int32_t env_offset, int reg) {
  return static_cast<uint32_t>(env_offset) << 4 | static_cast<uint32_t>(reg);
}

class CodeBuffer {
 public:
  // Region size: 32 MiB, or MIMIC_JIT_REGION_KB (>= 64) to exercise the
  // flush path in tests.
  static constexpr size_t kDefaultRegionSize = 32u << 20;
  static constexpr unsigned kRegions = 8;

  static CodeBuffer& get();

  // Serializes code generation: held by compile() while it emits.
  std::mutex& lock() { return lock_; }

  // Under lock(): start of free space and bytes available in the current
  // region, or nullptr if no region can be used (all full and not drained).
  uint8_t* cursor(size_t* avail);
  // Under lock(): whether the current region's tables have room for n more
  // fault points and n_regs more recovery-list words.
  bool fault_points_fit(size_t n, size_t n_regs = 0) const;
  // Under lock(): `used` bytes at cursor() now hold a block with these fault
  // points (sorted by host address) whose `regs` index `pool` (the block's
  // recovery lists, n_pool words). Returns the region index.
  unsigned commit(size_t used, const FaultPoint* fps, size_t n_fps, const uint32_t* pool = nullptr,
                  size_t n_pool = 0);
  // Under lock(): the current region cannot hold the next block; move to a
  // drained region. Returns false if none is free (caller flushes).
  bool next_region();
  // A block of region `r` was released (any thread).
  void release(unsigned r);

  // Shared entry/exit code (at the start of region 0).
  // enter(env, host_code) -> {rax: exit code, rdx: slot word}.
  using EnterFn = unsigned __int128 (*)(void* env, const void* code);
  EnterFn enter() const { return enter_; }
  const uint8_t* epilogue() const { return epilogue_; }

  // Async-signal-safe: if host_pc is a recorded fault point, stores the
  // guest registers held in host registers there (host_regs indexed by x86
  // register number) into env, sets *guest_pc unless env insn_pc is already
  // exact there, and returns true.
  bool recover(uintptr_t host_pc, const uint64_t* host_regs, void* env, uint64_t* guest_pc) const;

 private:
  CodeBuffer();
  struct FaultEntry {  // a FaultPoint in the region's table
    uint32_t host_off;  // from the region base
    uint32_t regs;      // index in the region's pool, or kNoRegs
    uint64_t guest_pc;
  };
  struct Region {
    uint8_t* base = nullptr;
    size_t used = 0;
    std::atomic<size_t> live{0};
    FaultEntry* fps = nullptr;
    std::atomic<size_t> n_fps{0};
    uint32_t* pool = nullptr;
    size_t n_pool = 0;
  };
  std::mutex lock_;
  uint8_t* mem_ = nullptr;
  size_t region_size_ = kDefaultRegionSize;
  size_t max_fault_points_ = kDefaultRegionSize / 16;
  size_t max_pool_ = kDefaultRegionSize / 16;
  Region regions_[kRegions];
  unsigned cur_ = 0;
  EnterFn enter_ = nullptr;
  const uint8_t* epilogue_ = nullptr;
};

}  // namespace mimic::backend::x64
