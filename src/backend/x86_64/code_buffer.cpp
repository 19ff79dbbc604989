#include "backend/x86_64/code_buffer.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <xbyak/xbyak.h>

#include "backend/x86_64/frame.h"
#include "exec/cpu.h"

namespace mimic::backend::x64 {

namespace {

void* map_or_die(size_t size, int prot) {
  void* p = mmap(nullptr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    std::fprintf(stderr, "mimic: jit: cannot map %zu bytes for generated code\n", size);
    std::abort();
  }
  return p;
}

// Entry: saves the callee-saved registers, reserves the spill frame, loads
// the reserved registers (env; r15 = softmmu if set, else guest_base:
// frame.h) and jumps to the block. Exit: the
// block leaves rax = exit code, rdx = slot word and jumps to the epilogue.
class EntryExit : public Xbyak::CodeGenerator {
 public:
  EntryExit(uint8_t* at, size_t size) : Xbyak::CodeGenerator(size, at) {
    using namespace Xbyak::util;
    push(rbx);
    push(rbp);
    push(r12);
    push(r13);
    push(r14);
    push(r15);
    sub(rsp, kFrameBytes + 8);  // 16-byte aligned for helper calls
    mov(rbp, rdi);
    mov(r15, ptr[rdi + static_cast<int>(offsetof(exec::CpuCommon, guest_base))]);
    mov(r11, ptr[rdi + static_cast<int>(offsetof(exec::CpuCommon, softmmu))]);
    test(r11, r11);
    cmovnz(r15, r11);
    xor_(eax, eax);
    for (int k = 0; k < 4; k++) {
      mov(r11, ptr[rdi + static_cast<int>(offsetof(exec::CpuCommon, guest_limit))]);
      sub(r11, (1 << k) - 1);
      cmovb(r11, rax);
      mov(ptr[rsp + kLimitOffset + 8 * k], r11);
    }
    jmp(rsi);
    align(16);
    epilogue = getCurr();
    add(rsp, kFrameBytes + 8);
    pop(r15);
    pop(r14);
    pop(r13);
    pop(r12);
    pop(rbp);
    pop(rbx);
    ret();
  }
  const uint8_t* epilogue = nullptr;
};

constexpr size_t kStubBytes = 256;

}  // namespace

CodeBuffer& CodeBuffer::get() {
  static CodeBuffer* b = new CodeBuffer;  // never destroyed: threads may run code at exit
  return *b;
}

CodeBuffer::CodeBuffer() {
  if (const char* e = std::getenv("MIMIC_JIT_REGION_KB"); e && *e) {
    size_t kb = std::strtoull(e, nullptr, 0);
    if (kb >= 64 && kb <= (1u << 20)) region_size_ = kb << 10;
  }
  max_fault_points_ = region_size_ / 16;
  max_pool_ = region_size_ / 16;
  mem_ = static_cast<uint8_t*>(map_or_die(region_size_ * kRegions, PROT_READ | PROT_WRITE | PROT_EXEC));
  for (unsigned r = 0; r < kRegions; r++) {
    regions_[r].base = mem_ + r * region_size_;
    regions_[r].fps = static_cast<FaultEntry*>(
        map_or_die(max_fault_points_ * sizeof(FaultEntry), PROT_READ | PROT_WRITE));
    regions_[r].pool = static_cast<uint32_t*>(
        map_or_die(max_pool_ * sizeof(uint32_t), PROT_READ | PROT_WRITE));
  }
  EntryExit ee(mem_, kStubBytes);
  enter_ = reinterpret_cast<EnterFn>(mem_);
  epilogue_ = ee.epilogue;
  regions_[0].used = kStubBytes;
}

uint8_t* CodeBuffer::cursor(size_t* avail) {
  Region& r = regions_[cur_];
  *avail = region_size_ - r.used;
  return r.base + r.used;
}

bool CodeBuffer::fault_points_fit(size_t n, size_t n_regs) const {
  const Region& r = regions_[cur_];
  return r.n_fps.load(std::memory_order_relaxed) + n <= max_fault_points_ &&
         r.n_pool + n_regs <= max_pool_;
}

// The pool words are written before n_fps is published (release), so a
// signal handler that sees an entry sees its list.
unsigned CodeBuffer::commit(size_t used, const FaultPoint* fps, size_t n_fps, const uint32_t* pool,
                            size_t n_pool) {
  Region& r = regions_[cur_];
  const size_t pool_base = r.n_pool;
  const bool pool_fits = pool_base + n_pool <= max_pool_;
  if (pool_fits) {
    for (size_t i = 0; i < n_pool; i++) r.pool[pool_base + i] = pool[i];
    r.n_pool += n_pool;
  }
  size_t n = r.n_fps.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n_fps && n < max_fault_points_; i++) {
    uint32_t regs = kNoRegs;
    if (fps[i].regs != kNoRegs && pool_fits) regs = static_cast<uint32_t>(pool_base + fps[i].regs);
    r.fps[n++] = {static_cast<uint32_t>(fps[i].host - reinterpret_cast<uintptr_t>(r.base)), regs,
                  fps[i].guest_pc};
  }
  r.n_fps.store(n, std::memory_order_release);
  r.used += (used + 15) & ~size_t{15};
  if (r.used > region_size_) r.used = region_size_;
  r.live.fetch_add(1, std::memory_order_relaxed);
  return cur_;
}

bool CodeBuffer::next_region() {
  for (unsigned i = 1; i <= kRegions; i++) {
    unsigned c = (cur_ + i) % kRegions;
    if (c == cur_ || regions_[c].live.load(std::memory_order_acquire) != 0) continue;
    Region& r = regions_[c];
    r.n_fps.store(0, std::memory_order_release);
    r.n_pool = 0;
    r.used = c == 0 ? kStubBytes : 0;
    cur_ = c;
    return true;
  }
  return false;
}

void CodeBuffer::release(unsigned r) { regions_[r].live.fetch_sub(1, std::memory_order_release); }

bool CodeBuffer::recover(uintptr_t host_pc, const uint64_t* host_regs, void* env,
                         uint64_t* guest_pc) const {
  auto base = reinterpret_cast<uintptr_t>(mem_);
  if (host_pc < base || host_pc - base >= region_size_ * kRegions) return false;
  const Region& r = regions_[(host_pc - base) / region_size_];
  const auto off = static_cast<uint32_t>(host_pc - reinterpret_cast<uintptr_t>(r.base));
  const size_t n = r.n_fps.load(std::memory_order_acquire);
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r.fps[mid].host_off < off) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= n || r.fps[lo].host_off != off) return false;
  const FaultEntry& e = r.fps[lo];
  if (e.guest_pc != kNoGuestPc) *guest_pc = e.guest_pc;
  if (e.regs != kNoRegs) {
    const uint32_t* list = r.pool + e.regs;
    for (uint32_t i = 1; i <= list[0]; i++) {
      uint64_t v = host_regs[list[i] & 15];
      std::memcpy(static_cast<uint8_t*>(env) + (list[i] >> 4), &v, sizeof v);
    }
  }
  return true;
}

}  // namespace mimic::backend::x64
