#include "backend/x86_64/jit.h"

#include <cstddef>
#include <mutex>

#include "backend/interp/interp.h"
#include "backend/x86_64/code_buffer.h"
#include "backend/x86_64/compiler.h"
#include "core/log.h"
#include "exec/cpu.h"
#include "exec/cpu_loop.h"
#include "exec/host_fault.h"

namespace mimic::backend {

using x64::CodeBuffer;
using x64::JitBlock;

namespace {

bool map_host_pc(uintptr_t host_pc, const uint64_t* host_regs, void* env, uint64_t* guest_pc) {
  return CodeBuffer::get().recover(host_pc, host_regs, env, guest_pc);
}

// Set when every region is full and a flush was requested; cleared when a
// region becomes usable again. Under the code buffer lock.
bool g_flush_pending = false;

// Slot bits of the hot exit in the exit's slot word (goto_tb slots are
// below ir::kMaxGotoTbSlots).
constexpr uint64_t kHotSlotBits = 15;
static_assert(ir::kMaxGotoTbSlots <= kHotSlotBits && kHotSlotBits < alignof(JitBlock));

// Entry counting of a block compiled with a hot threshold, emitted at `at`
// before the block's own code:
//   hot:   env pc = guest_pc; rax = kExitNormal; rdx = jb | kHotSlotBits; leave
//   entry: sub dword [&jb->hot_counter], 1; jz hot; (the block follows)
// The stub comes first so the common path falls through. The decrement is
// not atomic: threads racing on one block may lose counts, which only
// delays the exit; it fires once (when the count reaches exactly 0).
// Returns the entry; *used = bytes emitted.
const uint8_t* emit_hot_prologue(uint8_t* at, size_t avail, JitBlock* jb, uint64_t guest_pc,
                                 size_t* used) {
  using namespace Xbyak::util;
  Xbyak::CodeGenerator g(avail, at);
  Xbyak::Label hot;
  g.L(hot);
  g.mov(r11, guest_pc);
  g.mov(qword[rbp + static_cast<int>(offsetof(exec::CpuCommon, pc))], r11);
  g.xor_(eax, eax);
  g.mov(rdx, reinterpret_cast<uint64_t>(jb) | kHotSlotBits);
  g.jmp(CodeBuffer::get().epilogue(), Xbyak::CodeGenerator::T_NEAR);
  const uint8_t* entry = g.getCurr();
  g.mov(r11, reinterpret_cast<uint64_t>(&jb->hot_counter));
  g.sub(dword[r11], 1);
  g.jz(hot);
  g.ready();
  *used = g.getSize();
  return entry;
}

}  // namespace

JitBackend::JitBackend() {
  CodeBuffer::get();
  exec::set_host_pc_map(&map_host_pc);
}

void* JitBackend::compile(const ir::Block& b, uint32_t hot_threshold) {
  auto* jb = new JitBlock;
  CodeBuffer& cb = CodeBuffer::get();
  bool flush = false;
  {
    std::lock_guard<std::mutex> g(cb.lock());
    for (int attempt = 0; attempt < 2; attempt++) {
      size_t avail = 0;
      uint8_t* at = cb.cursor(&avail);
      if (avail >= 4096) {
        try {
          size_t pro = 0;
          const uint8_t* entry = at;
          if (hot_threshold > 0) {
            jb->hot_counter = static_cast<int32_t>(hot_threshold);
            entry = emit_hot_prologue(at, avail, jb, b.guest_pc, &pro);
          }
          x64::Compiler c(at + pro, avail - pro, b, jb);
          c.run();
          if (!cb.fault_points_fit(c.fault_points.size(), c.fault_regs.size())) throw Xbyak::Error(Xbyak::ERR_CODE_IS_TOO_BIG);
          jb->entry = entry;
          jb->size = pro + c.getSize();
          jb->region = cb.commit(jb->size, c.fault_points.data(), c.fault_points.size(), c.fault_regs.data(),
                                 c.fault_regs.size());
          if (log::enabled(log::kOutAsm)) {
            log::printf("OUT: [guest pc 0x%llx, %zu bytes]\n",
                        static_cast<unsigned long long>(b.guest_pc), jb->size);
            log_host_code(at, jb->size);
          }
          return jb;
        } catch (const Xbyak::Error& e) {
          *jb = JitBlock{};
          if (static_cast<int>(e) != Xbyak::ERR_CODE_IS_TOO_BIG) {
            log::printf("jit: %s at pc 0x%llx; interpreting the block\n", e.what(),
                        static_cast<unsigned long long>(b.guest_pc));
            break;
          }
        } catch (const x64::FrameFull&) {
          *jb = JitBlock{};
          break;  // more live values than spill slots: interpret this block
        }
      }
      if (cb.next_region()) {
        g_flush_pending = false;
        continue;
      }
      if (!g_flush_pending) {
        g_flush_pending = true;
        flush = true;
      }
      break;
    }
  }
  // Every region is full: retire all blocks; their regions drain once every
  // vCPU has passed a block boundary. Meanwhile blocks are interpreted.
  if (flush) {
    if (log::enabled(log::kOutAsm)) log::printf("jit: code buffer full: flushing all blocks\n");
    exec::invalidate_all();
  }
  jb->interp = interp_backend().compile(b, hot_threshold);
  return jb;
}

void JitBackend::release(void* code) {
  auto* jb = static_cast<JitBlock*>(code);
  if (jb->entry) CodeBuffer::get().release(jb->region);
  else interp_backend().release(jb->interp);
  delete jb;
}

RunResult JitBackend::run(void* code, exec::CpuCommon* cpu) {
  auto* jb = static_cast<JitBlock*>(code);
  if (!jb->entry) return interp_backend().run(jb->interp, cpu);
  const unsigned __int128 r = CodeBuffer::get().enter()(cpu, jb->entry);
  const auto rax = static_cast<uint64_t>(r), rdx = static_cast<uint64_t>(r >> 64);
  if (rdx == ~uint64_t{0}) return {rax, -1, nullptr};
  auto* from = reinterpret_cast<JitBlock*>(rdx & ~kHotSlotBits);
  void* owner = from == jb ? nullptr : from->owner;
  const uint64_t slot = rdx & kHotSlotBits;
  if (slot == kHotSlotBits) return {ir::kExitNormal, kSlotHot, owner};
  return {rax, static_cast<int64_t>(slot), owner};
}

void JitBackend::set_owner(void* code, void* owner) { static_cast<JitBlock*>(code)->owner = owner; }

// The rel32 is 4-byte aligned (emit_goto_tb), so the store is atomic for
// threads executing the jump concurrently.
void JitBackend::chain(void* from, int slot, void* to) {
  auto* f = static_cast<JitBlock*>(from);
  auto* t = static_cast<JitBlock*>(to);
  if (!f->entry || !t->entry || !f->jmp_disp[slot]) return;
  const auto disp = static_cast<int32_t>(t->entry - (f->jmp_disp[slot] + 4));
  __atomic_store_n(reinterpret_cast<int32_t*>(f->jmp_disp[slot]), disp, __ATOMIC_RELEASE);
}

void JitBackend::unchain(void* from, int slot) {
  auto* f = static_cast<JitBlock*>(from);
  if (!f->entry || !f->jmp_disp[slot]) return;
  const auto disp = static_cast<int32_t>(f->stub[slot] - (f->jmp_disp[slot] + 4));
  __atomic_store_n(reinterpret_cast<int32_t*>(f->jmp_disp[slot]), disp, __ATOMIC_RELEASE);
}

JitBackend& jit_backend() {
  static JitBackend b;
  return b;
}

}  // namespace mimic::backend
