// The user-mode main loop: run guest code, turn each exit of the execution
// loop into what Linux does for that trap (arch/riscv/kernel/traps.c), then
// let the signal layer deliver what is pending.
#include <cinttypes>

#include "core/log.h"
#include "exec/cpu_loop.h"
#include "exec/host_fp.h"
#include "guest/riscv/cpu.h"
#include "linux_user/address_space.h"
#include "linux_user/code_wp.h"
#include "linux_user/process.h"
#include "linux_user/signal.h"
#include "linux_user/syscall.h"

namespace mimic::linux_user {

namespace {

constexpr int kSigIll = 4, kSigTrap = 5, kSigBus = 7, kSigSegv = 11;

void log_trap(const char* what, uint64_t pc, uint64_t addr) {
  if (log::enabled(log::kInt)) log::printf("mimic: %s at pc %#" PRIx64 " addr %#" PRIx64 "\n", what, pc, addr);
}

}  // namespace

void cpu_loop(TaskState* task) {
  exec::CpuCommon& c = task->cpu.common;
  const exec::GuestOps& ops = riscv::guest_ops();
  for (;;) {
    // The guest's FP flags pending in the host FP status (exec/host_fp.h):
    // none on entry (nothing of mimic's own leaks in), all taken on exit.
    exec::clear_host_fp_flags();
    uint64_t code = exec::cpu_exec(&c, ops);
    riscv::fold_host_fp_flags(task->cpu);
    switch (code) {
      case riscv::kExitEcall:
        do_syscall(task);
        break;
      case ir::kExitFault: {
        // A store to a write-protected code page (code_wp.h): translations
        // dropped; the store is performed here and pc moves past it, or,
        // for instructions complete_store does not know, it is re-executed
        // (pc = insn_pc, state exact as for a guest fault).
        if (c.fault_write && code_wp::on_write_fault(c.fault_addr)) {
          code_wp::complete_store(task->cpu);
          break;
        }
        // SEGV_ACCERR when a mapping covers the address (wrong
        // permission), SEGV_MAPERR otherwise.
        bool mapped = c.fault_addr < c.guest_limit && address_space().is_mapped(c.fault_addr);
        log_trap("segmentation fault", c.pc, c.fault_addr);
        queue_sync_signal(task, kSigSegv, mapped ? kGuestSegvAccerr : kGuestSegvMaperr, c.fault_addr);
        break;
      }
      case ir::kExitMisaligned:
      case riscv::kExitMisalignedAtomic:
        log_trap("misaligned access", c.pc, c.fault_addr);
        queue_sync_signal(task, kSigBus, kGuestBusAdraln, c.fault_addr);
        break;
      case riscv::kExitIllegal:
        log_trap("illegal instruction", c.pc, c.pc);
        queue_sync_signal(task, kSigIll, kGuestIllIllopc, c.pc);
        break;
      case riscv::kExitEbreak:
        log_trap("breakpoint", c.pc, c.pc);
        queue_sync_signal(task, kSigTrap, kGuestTrapBrkpt, c.pc);
        break;
      case ir::kExitInterrupt:
        break;
      default:
        if (log::enabled(log::kUnimp)) log::printf("mimic: unknown exit %" PRIu64 " at pc %#" PRIx64 "\n", code, c.pc);
        queue_sync_signal(task, kSigIll, kGuestIllIllopc, c.pc);
        break;
    }
    process_pending_signals(task);
  }
}

}  // namespace mimic::linux_user
