#pragma once
// Turning host faults on guest memory into guest exceptions.
#include <csignal>
#include <cstdint>

namespace mimic::exec {

// Call first from the host SIGSEGV/SIGBUS handler. If this thread is running
// guest code (current_cpu() with jmp set) and the fault address lies in
// [guest_base, guest_base + guest_limit), records fault_addr (guest address),
// fault_write (x86-64: bit 1 of the page-fault error code), exception =
// kExitFault, pc = insn_pc, restores the signal mask of the interrupted code
// and siglongjmps to the execution loop (does not return). Otherwise returns
// false and the caller handles the signal.
bool handle_host_fault(int signo, siginfo_t* info, void* ucontext);

// A JIT registers how to recover the guest state at the host pc of a
// faulting guest memory access in its generated code: it returns false for
// host pcs it does not know; otherwise it sets *guest_pc to the guest pc of
// the instruction (which replaces insn_pc: generated code does not keep
// insn_pc up to date) unless env insn_pc is already exact there, and stores
// into env the guest registers that the code held only in host registers at
// that point. host_regs: the interrupted general registers, indexed by x86-64
// register number (rax = 0 ... r15 = 15). Must be async-signal-safe.
using HostPcMap = bool (*)(uintptr_t host_pc, const uint64_t* host_regs, void* env, uint64_t* guest_pc);
void set_host_pc_map(HostPcMap map);

}  // namespace mimic::exec
