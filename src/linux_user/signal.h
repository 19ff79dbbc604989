#pragma once
// Guest signals in Linux user mode (riscv64 guest on an x86-64 host).
//
// Model. Every catchable host signal has a host handler (SA_SIGINFO, on a
// per-thread alternate host stack, without SA_RESTART so blocking host calls
// return EINTR). The handler records the signal as pending for the guest —
// in the task's own set when thread-directed (tkill/tgkill), in a
// process-wide set otherwise — sets cpu.common.exit_request, and leaves all
// asynchronous host signals blocked on this thread until
// process_pending_signals() has run, so further instances stay queued in the
// host kernel (real-time signals keep their queue). The host thread mask
// mirrors the guest mask, so the host kernel routes process-directed signals
// to a thread whose guest does not block them.
//
// Signal numbers. Guest (asm-generic) and host (x86-64) share 1..31. Host
// glibc reserves host 32 and 33 (thread cancellation, setxid), so guest
// real-time signals are shifted by two:
//   guest 1..31  <-> host 1..31
//   guest 32..62 <-> host 34..64   (guest 32/33 are the guest libc's own)
//   guest 63, 64: no host signal; they work inside this process (raise,
//   kill/tgkill to own pid/tids, queued in the emulator) but kill() to
//   another process answers -EINVAL.
//
// Contract with the system-call layer and the main loop (linux_user/*):
//  - The syscall layer advances pc past the ecall BEFORE dispatching (as
//    Linux does, epc += 4), then stores the result in a0. Restarts move pc
//    back by 4; rt_sigreturn sets pc and every register itself: after
//    sys_rt_sigreturn the caller writes a0 = its return value (the restored
//    a0, harmless) and must not touch pc.
//  - When a host call returns EINTR and Linux would restart it (-ERESTARTSYS
//    class), the layer sets TaskState::syscall_interrupted = true (a0 = -EINTR
//    and syscall_orig_a0 = a0 at the ecall). process_pending_signals() clears
//    the flag and either restarts (pc -= 4, a0 = syscall_orig_a0) or leaves
//    -EINTR, following SA_RESTART of the handler it runs.
//  - The main loop calls process_pending_signals() after it has handled each
//    return of exec::cpu_exec (after the system call, the fault, ...).
#include <csignal>
#include <cstddef>
#include <cstdint>

#include "linux_user/task.h"

namespace mimic::linux_user {

constexpr int kGuestNsig = 64;  // _NSIG of asm-generic

// Guest si_code values used by the main loop (asm-generic siginfo.h).
constexpr int kGuestSegvMaperr = 1;  // SEGV_MAPERR: address not mapped
constexpr int kGuestSegvAccerr = 2;  // SEGV_ACCERR: permissions
constexpr int kGuestBusAdraln = 1;   // BUS_ADRALN: misaligned address
constexpr int kGuestIllIllopc = 1;   // ILL_ILLOPC: illegal opcode
constexpr int kGuestTrapBrkpt = 1;   // TRAP_BRKPT: ebreak

// ---- start-up, threads, fork ----

// Installs the host handlers for every catchable signal and the main
// thread's alternate host stack. Guest dispositions start as SIG_DFL, except
// signals the host process inherited as ignored (exec keeps SIG_IGN), which
// start as SIG_IGN. Call once, before any guest code runs.
void signal_init();

// Per host thread that runs a guest task, on that thread, before its first
// cpu_exec (after set_current_task): allocates the alternate host stack and the
// per-task signal state, registers the tid for tkill, and applies t->blocked
// to the host thread mask. For clone(CLONE_VM) children the caller copies
// blocked from the parent and leaves altstack disabled (Linux clears it).
// The first task (the main thread) needs this call too, after signal_init().
void signal_thread_init(TaskState* t);
// On the exiting thread, before it ends: unregisters and frees the above.
void signal_thread_exit(TaskState* t);
// In the child of fork()/vfork()/clone without CLONE_VM, on its only thread:
// forget the other threads and the pending signals (Linux clears pending in
// the child; dispositions, mask and altstack are inherited).
void signal_after_fork_child(TaskState* t);

// The guest code of the return trampoline (__vdso_rt_sigreturn:
// `li a7, 139; ecall`), kSigreturnTrampolineSize bytes. The user-mode layer
// maps a small guest page (r-x) at start-up, lets this function write the code
// at `host` (the host address of guest address `guest_addr`), and from then
// on handlers return to `guest_addr` through ra.
constexpr size_t kSigreturnTrampolineSize = 8;
void install_sigreturn_trampoline(uint64_t guest_addr, uint8_t* host);

// ---- numbers ----

// 0 when there is no counterpart (see the mapping above). Both map 0 to 0.
int guest_to_host_signal(int guest_sig);
int host_to_guest_signal(int host_sig);
// A wait status from host wait4/waitpid with signal numbers turned into guest
// numbers (WTERMSIG, WSTOPSIG); other statuses unchanged.
int host_to_guest_wait_status(int host_status);

// ---- from the main loop ----

// A synchronous fault of the guest instruction at cpu.common.pc: SIGSEGV
// (si_addr = faulting data address), SIGBUS, SIGILL (si_addr = pc), SIGTRAP
// (ebreak). si_code is the guest value (kGuest* above). Delivered by the next
// process_pending_signals() before anything else, with pc = the faulting
// instruction; if the guest blocks or ignores it, the process dies of it
// (Linux force_sig).
void queue_sync_signal(TaskState* t, int guest_sig, int si_code, uint64_t addr);

// Delivers what is pending and not blocked: sets up guest handler frames,
// runs default actions (a default-fatal signal ends the whole process with
// that signal and does not return), settles syscall_interrupted (see above)
// and clears cpu.common.exit_request. Call after each return of cpu_exec.
void process_pending_signals(TaskState* t);

// True if a signal is pending and not blocked for `t` (the syscall layer may
// check it before a blocking call to narrow the window in which an arriving
// signal is recorded but the call still blocks).
bool signal_pending(TaskState* t);

// For calls Linux ends with -ERESTARTNOHAND (pause, poll, select, epoll_wait,
// sigsuspend...): after setting syscall_interrupted, the layer calls this so
// the call returns -EINTR whenever a handler runs (whatever SA_RESTART says)
// and is restarted only when none does.
void set_restart_no_handler(TaskState* t);

// A signal mask in force for one system call only (ppoll, pselect6,
// epoll_pwait; Linux's set_user_sigmask / restore_saved_sigmask_unless).
// `mask` is the guest's; SIGKILL and SIGSTOP stay unblocked.
void begin_temporary_sigmask(TaskState* t, GuestSigset mask);
// After the call. `interrupted`: it ended with -EINTR because a signal is
// pending; the old mask is then restored by delivery after the handler's
// frame has saved it. Otherwise it is restored now.
void end_temporary_sigmask(TaskState* t, GuestSigset old_mask, bool interrupted);

// ---- system calls: guest arguments, Linux return convention (-errno) ----

long sys_rt_sigaction(TaskState* t, int sig, uint64_t act, uint64_t oldact,
                      uint64_t sigsetsize);
long sys_rt_sigprocmask(TaskState* t, int how, uint64_t set, uint64_t oldset,
                        uint64_t sigsetsize);
long sys_sigaltstack(TaskState* t, uint64_t ss, uint64_t old_ss);
long sys_rt_sigreturn(TaskState* t);
long sys_rt_sigpending(TaskState* t, uint64_t set, uint64_t sigsetsize);
long sys_rt_sigsuspend(TaskState* t, uint64_t mask, uint64_t sigsetsize);
long sys_rt_sigtimedwait(TaskState* t, uint64_t set, uint64_t info,
                         uint64_t timeout, uint64_t sigsetsize);
long sys_kill(TaskState* t, int pid, int sig);
long sys_tkill(TaskState* t, int tid, int sig);
long sys_tgkill(TaskState* t, int tgid, int tid, int sig);
long sys_rt_sigqueueinfo(TaskState* t, int pid, int sig, uint64_t info);
long sys_rt_tgsigqueueinfo(TaskState* t, int tgid, int tid, int sig,
                           uint64_t info);

}  // namespace mimic::linux_user
