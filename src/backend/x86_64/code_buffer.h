#pragma once
// The JIT's executable memory: one RWX reservation split into regions that
// are filled by bumping a pointer. A region is reused only when every block
// compiled into it has been released, and blocks are released only through
// the TB cache's quiescent-state reclamation (exec/tb_cache.cpp), so no
// thread can still be running code that is overwritten. When no region is
// free the buffer asks exec to invalidate every TB ("flush") and compile()
// falls back to the interpreter until the old regions drain.
//
// Each region also keeps a table of (host address -> guest pc) for every
// host instruction that may fault on guest memory, appended in address order,
// so exec::handle_host_fault can recover the exact guest pc from a signal
// handler (lock-free binary search).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace mimic::backend::x64 {

struct FaultPoint {
  uintptr_t host;
  uint64_t guest_pc;
};

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
  // Under lock(): whether the current region's table has room for n more.
  bool fault_points_fit(size_t n) const;
  // Under lock(): `used` bytes at cursor() now hold a block with these fault
  // points (sorted by host address). Returns the region index.
  unsigned commit(size_t used, const FaultPoint* fps, size_t n_fps);
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

  // Async-signal-safe: the guest pc of the faulting host instruction at
  // host_pc, if it is a recorded fault point.
  bool guest_pc_of(uintptr_t host_pc, uint64_t* guest_pc) const;

 private:
  CodeBuffer();
  struct Region {
    uint8_t* base = nullptr;
    size_t used = 0;
    std::atomic<size_t> live{0};
    FaultPoint* fps = nullptr;
    std::atomic<size_t> n_fps{0};
  };
  std::mutex lock_;
  uint8_t* mem_ = nullptr;
  size_t region_size_ = kDefaultRegionSize;
  size_t max_fault_points_ = kDefaultRegionSize / 16;
  Region regions_[kRegions];
  unsigned cur_ = 0;
  EnterFn enter_ = nullptr;
  const uint8_t* epilogue_ = nullptr;
};

}  // namespace mimic::backend::x64
