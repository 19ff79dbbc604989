#include "exec/cpu.h"

#include <pthread.h>
#include <ucontext.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "exec/host_fault.h"
#include "exec/host_fp.h"

namespace mimic::exec {

namespace {
thread_local CpuCommon* t_current_cpu = nullptr;
std::atomic<HostPcMap> g_host_pc_map{nullptr};
}

void set_host_pc_map(HostPcMap map) { g_host_pc_map.store(map, std::memory_order_release); }

CpuCommon* current_cpu() { return t_current_cpu; }
void set_current_cpu(CpuCommon* cpu) { t_current_cpu = cpu; }

void raise_exit(CpuCommon* cpu, uint64_t code) {
  if (!cpu->jmp) {
    std::fprintf(stderr, "mimic: raise_exit(%llu) outside the execution loop\n",
                 static_cast<unsigned long long>(code));
    std::abort();
  }
  cpu->exception = code;
  cpu->pc = cpu->insn_pc;
  siglongjmp(*cpu->jmp, 1);
}

bool handle_host_fault(int signo, siginfo_t* info, void* ucontext) {
  CpuCommon* cpu = t_current_cpu;
  if (!cpu || !cpu->jmp || !info) return false;
  auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  auto base = reinterpret_cast<uintptr_t>(cpu->guest_base);
  if (addr < base || addr - base >= cpu->guest_limit) return false;
  cpu->fault_addr = addr - base;
  cpu->fault_write = false;
  auto* uc = static_cast<ucontext_t*>(ucontext);
#if defined(__x86_64__)
  if (uc) cpu->fault_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
  HostPcMap map = g_host_pc_map.load(std::memory_order_acquire);
  if (uc && map) {
    // General registers by x86-64 number (rax = 0 ... r15 = 15): the JIT
    // stores the guest registers it held there back into env.
    static constexpr int kGreg[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                      REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                      REG_R12, REG_R13, REG_R14, REG_R15};
    uint64_t regs[16];
    for (int i = 0; i < 16; i++) regs[i] = static_cast<uint64_t>(uc->uc_mcontext.gregs[kGreg[i]]);
    uint64_t guest_pc = cpu->insn_pc;
    if (map(static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]), regs, cpu, &guest_pc))
      cpu->insn_pc = guest_pc;
  }
#endif
  cpu->exception = ir::kExitFault;
  cpu->pc = cpu->insn_pc;
  // The kernel gave this handler a fresh FP status: the guest's pending FP
  // flags are only in the interrupted context (exec/host_fp.h).
  cpu->host_fp_flags |= host_fp_flags_of_context(uc);
  // The loop's sigsetjmp does not save the mask (a system call per entry);
  // leaving the handler by siglongjmp would keep this signal blocked, so
  // restore the mask of the interrupted code first.
  if (uc) pthread_sigmask(SIG_SETMASK, &uc->uc_sigmask, nullptr);
  siglongjmp(*cpu->jmp, 1);
}

}  // namespace mimic::exec
