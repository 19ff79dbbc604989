#pragma once
// Self-modifying code without fence.i: write protection of guest pages that
// hold translated code (the hardware-like behaviour x86 guests need; RISC-V
// guests are also kept exact by fence.i either way).
//
// Contract. While the TB cache holds a translation in a guest page that the
// guest mapped writable, the host page is read-only (exec's code page hooks,
// called under the translation lock, so protecting and the page's TB set
// change together). A guest store there faults:
//  - from generated code, a helper or the interpreter, the fault leaves
//    cpu_exec as kExitFault with the guest state exact at the store
//    (pc = insn_pc, as for a guest SIGSEGV); cpu_loop then calls
//    on_write_fault(), which invalidates the page's translations (which
//    unprotects it), and complete_store(), which performs the store and moves
//    pc past it. The next block is translated after the store, so no stale
//    instruction runs, even when a block rewrites its own later instructions
//    (QEMU's semantics: the store completes, the block is left at the next
//    instruction boundary). Instructions complete_store() does not know
//    (AMOs, SC, vector) are re-executed instead, which is exact unless they
//    modify their own block (then the page faults kMaxFaults times and is
//    given up, see below);
//  - from mimic's own code outside cpu_exec (rare: copies go through
//    before_write first), handle_in_signal() does the same in the handler
//    and the write is retried by returning.
// System calls whose host kernel writes guest memory would get EFAULT from a
// read-only page instead of a fault: guest_buf()/copy_to_guest()/write_guest
// call before_write() first.
//
// Guest-visible protection stays exact: the guest protection of every page is
// mirrored here (AddressSpace keeps it in step) and the host page only loses
// PROT_WRITE. A page that takes more than kMaxFaults write faults (code and
// hot data sharing a page) is no longer protected until it is remapped; its
// code is then kept exact only by fence.i (RISC-V). MIMIC_NO_CODE_WP=1 turns
// the whole mechanism off.
//
// Known limits. (1) A store by one thread racing with another thread's
// translation of the same, currently unprotected page can leave a stale TB
// (the page is protected only when the TB is inserted, after the code was
// read; the invalidation-sequence check catches invalidations, not plain
// stores). Closing it needs a hook at translation start in exec/cpu_loop.cpp
// (protect before reading, like QEMU's mmap_lock ordering); unsynchronized
// cross-modifying code is undefined on RISC-V and needs serialization on x86
// anyway. (2) Writes through a second (MAP_SHARED) alias of a code page, or
// by another process, are not seen. (3) mimic's own direct writes through
// g2h outside these helpers (futex_death's CAS) rely on handle_in_signal.
#include <csignal>
#include <cstdint>

namespace mimic::riscv {
struct RiscvCpu;
}

namespace mimic::linux_user::code_wp {

constexpr uint32_t kMaxFaults = 64;

// Sets up the mirror for a guest region of `limit` bytes at host `base` and
// registers the exec hooks (unless MIMIC_NO_CODE_WP=1). Once, at start-up.
void init(uint8_t* base, uint64_t limit);
bool enabled();

// Under AddressSpace's lock, before the TB cache is invalidated for the range:
// [addr, addr+len) is now a fresh host mapping with guest protection `prot`
// (mmap, brk, mremap target) / unmapped (munmap, mremap source).
void note_mapped(uint64_t addr, uint64_t len, int prot);
void note_unmapped(uint64_t addr, uint64_t len);
// Guest mprotect of page-aligned [addr, addr+len) at host address `host`:
// records `prot` and applies it to the host pages, keeping
// protected code pages read-only. Returns 0 or -errno.
int apply_mprotect(uint8_t* host, uint64_t addr, uint64_t len, int prot);

// Before mimic or the host kernel writes guest [addr, addr+len): drops the
// protection (and translations) of code pages in the range. Cheap when no
// page is protected.
void before_write(uint64_t addr, uint64_t len);

// cpu_loop, on a kExitFault with fault_write: true if the fault was caused by
// code write protection (the store is to be retried at cpu->pc).
bool on_write_fault(uint64_t guest_addr);
// Then: performs the store instruction at cpu.common.pc (a scalar RISC-V
// store, smc_store.cpp) and advances pc past it, so that the next block is
// translated from the modified memory. False (nothing done: re-execute the
// store) for other instructions.
bool complete_store(riscv::RiscvCpu& cpu);

// Host SIGSEGV handler, for faults outside cpu_exec: true if handled (return
// from the handler to retry the write).
bool handle_in_signal(siginfo_t* info, void* ucontext);

}  // namespace mimic::linux_user::code_wp
