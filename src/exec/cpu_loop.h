#pragma once
// The execution loop: find or translate the block at the current pc, run it,
// follow its exit; return to the caller on anything it cannot handle itself
// (guest exceptions, system calls, interrupts, faults).
#include <cstdint>

#include "exec/cpu.h"
#include "ir/ir.h"

namespace mimic::exec {

// What a guest architecture provides to the loop.
struct GuestOps {
  // Translation flags: the CPU state a translation depends on. Blocks are
  // keyed by (pc, flags).
  uint64_t (*tb_flags)(const CpuCommon* cpu);
  // Translates the block at `pc` into `out`. Reads guest code through
  // cpu->guest_base; a fault while fetching is reported as kExitFault.
  // Contract for hot regions (region.h): a goto_tb is emitted only where
  // the translation flags cannot have changed (state changes that affect
  // tb_flags end the block with exit_tb), since a region follows goto_tb
  // targets translated with the same flags; and translate may be called for
  // code the guest has not reached yet, so it must not change guest-visible
  // state other than insn_pc and the fault fields.
  void (*translate)(CpuCommon* cpu, uint64_t pc, uint64_t flags, ir::Block& out);
  // Prints guest registers (-d cpu).
  void (*dump_state)(const CpuCommon* cpu);
  // System mode only (nullptr in user mode): the MMU index instruction
  // fetch uses under these translation flags. The loop then keys blocks by
  // (virtual pc, flags, physical pc) and looks the physical pc up through
  // memory::softmmu_code_ptr; translate reads code the same way.
  uint32_t (*code_mmu_idx)(uint64_t flags) = nullptr;
};

// Runs guest code until an exit the loop does not handle. Returns the exit
// code (ir::ExitCode or a guest code >= kExitGuest); cpu->pc is the pc of the
// instruction to resume at (for exceptions: the one that raised it).
uint64_t cpu_exec(CpuCommon* cpu, const GuestOps& ops);

// Invalidate translations covering guest addresses [start, start+len), or all.
// Safe to call from any guest thread (system calls: munmap, mprotect, fence.i).
void invalidate_range(uint64_t start, uint64_t len);
void invalidate_all();

// Hooks on the set of guest pages holding translated code (user mode's write
// protection of code pages, linux_user/code_wp.h). `first` runs when the TB
// cache registers the first TB overlapping the page at page_addr (4 KiB
// aligned), `last` when the page's last TB is invalidated. Both run under the
// translation lock, so they see the page's TB set change atomically; they must
// not call back into the TB cache. Set once, before guest code runs.
using CodePageHook = void (*)(uint64_t page_addr);
void set_code_page_hooks(CodePageHook first, CodePageHook last);
// The same for system mode's blocks, whose pages are physical (the softMMU's
// code-page tracking, memory/softmmu.cpp). Separate from the user-mode pair
// so both can coexist in one process (tests).
void set_phys_code_page_hooks(CodePageHook first, CodePageHook last);

// Empties the vCPU's jump cache (blocks by virtual pc): the softMMU's
// tlb_flush/tlb_flush_page call it, since in system mode a jump-cache hit
// is trusted without checking the physical pc. Call from the vCPU's own
// thread (or while it is outside cpu_exec).
void flush_jump_cache(CpuCommon* cpu);
// Drops the jump-cache slots that can hold blocks with code on the virtual
// page at `vpage` (4 KiB aligned): blocks starting on it, and blocks starting
// up to 16 bytes before it (system-mode blocks cross a page only with their
// first instruction, at most 16 bytes long). No TB is read.
void flush_jump_cache_page(CpuCommon* cpu, uint64_t vpage);

// Frees the loop's per-vCPU state (CpuCommon::exec_state). Call when the vCPU
// is destroyed (guest thread exit), from its own thread, outside cpu_exec.
void cpu_exec_release(CpuCommon* cpu);

// Runs ir::verify on every translated block (before and after optimization)
// and aborts with the listing on failure. On by default in debug builds and
// when the environment variable MIMIC_VERIFY_IR is set to a non-empty value
// other than 0.
void set_verify_ir(bool on);

}  // namespace mimic::exec
