#pragma once
// State shared by the signal files (signal_host.cpp, signal_deliver.cpp,
// signal_syscalls.cpp, signal_numbers.cpp). Not for other layers: they use
// linux_user/signal.h.
#include <signal.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "linux_user/signal.h"
#include "linux_user/signal_frame.h"
#include "linux_user/task.h"

namespace mimic::linux_user::sig {

// asm-generic signal numbers and flags (include/uapi/asm-generic/signal*.h).
enum GuestSignal : int {
  kSigHup = 1, kSigInt = 2, kSigQuit = 3, kSigIll = 4, kSigTrap = 5, kSigAbrt = 6,
  kSigBus = 7, kSigFpe = 8, kSigKill = 9, kSigUsr1 = 10, kSigSegv = 11,
  kSigUsr2 = 12, kSigPipe = 13, kSigAlrm = 14, kSigTerm = 15, kSigStkflt = 16,
  kSigChld = 17, kSigCont = 18, kSigStop = 19, kSigTstp = 20, kSigTtin = 21,
  kSigTtou = 22, kSigUrg = 23, kSigXcpu = 24, kSigXfsz = 25, kSigVtalrm = 26,
  kSigProf = 27, kSigWinch = 28, kSigIo = 29, kSigPwr = 30, kSigSys = 31,
};
constexpr uint64_t kSaNocldstop = 0x1;
constexpr uint64_t kSaNocldwait = 0x2;
constexpr uint64_t kSaSiginfo = 0x4;
constexpr uint64_t kSaExposeTagbits = 0x800;
constexpr uint64_t kSaOnstack = 0x08000000;
constexpr uint64_t kSaRestart = 0x10000000;
constexpr uint64_t kSaNodefer = 0x40000000;
constexpr uint64_t kSaResethand = 0x80000000;
// Flags Linux keeps (UAPI_SA_FLAGS); unknown bits are cleared so a program
// can probe for support (kernel/signal.c do_sigaction).
constexpr uint64_t kSaKnownFlags = kSaNocldstop | kSaNocldwait | kSaSiginfo |
                                   kSaExposeTagbits | kSaOnstack | kSaRestart |
                                   kSaNodefer | kSaResethand;
constexpr uint64_t kSigDfl = 0;
constexpr uint64_t kSigIgn = 1;
constexpr int kSsOnstack = 1;
constexpr int kSsDisable = 2;
constexpr int kSsAutodisarm = int(1u << 31);
constexpr uint64_t kMinSigStkSz = 2048;  // asm-generic MINSIGSTKSZ

// si_code values (asm-generic siginfo.h; same on x86-64).
constexpr int kSiUser = 0;
constexpr int kSiKernel = 0x80;
constexpr int kSiQueue = -1;
constexpr int kSiTkill = -6;
constexpr int kCldExited = 1;

constexpr GuestSigset bit(int sig) { return GuestSigset{1} << (sig - 1); }
// SIGKILL and SIGSTOP can never be blocked, caught or ignored.
constexpr GuestSigset kUnblockable = bit(kSigKill) | bit(kSigStop);
// Dequeued before other signals (kernel/signal.c SYNCHRONOUS_MASK).
constexpr GuestSigset kSynchronous = bit(kSigSegv) | bit(kSigBus) | bit(kSigIll) |
                                     bit(kSigTrap) | bit(kSigFpe) | bit(kSigSys);

enum class DefaultAction { kTerminate, kCore, kIgnore, kStop, kContinue };
DefaultAction default_action(int guest_sig);

// One guest disposition (process-wide, shared by all threads).
struct Action {
  uint64_t handler = kSigDfl;
  uint64_t flags = 0;
  GuestSigset mask = 0;
};
// Index = guest signal number (0 unused). Written under actions_lock();
// the host handler only reads `handler` (a relaxed 64-bit load).
extern Action g_actions[kGuestNsig + 1];
void lock_actions();
void unlock_actions();
// Whether a signal with this disposition is discarded on arrival.
bool is_ignored(int guest_sig);

// Process-directed pending signals not yet taken by a thread, with the
// siginfo of each (non-real-time signals coalesce; so do real-time ones here:
// the host kernel keeps the rest queued while the first is recorded).
extern std::atomic<GuestSigset> g_shared_pending;
extern GuestSiginfo g_shared_info[kGuestNsig + 1];

// Per-thread signal state beyond TaskState (found by task or tid).
struct SigTask {
  TaskState* task = nullptr;
  int tid = 0;
  GuestSiginfo info[kGuestNsig + 1] = {};  // for bits of task->pending
  // A synchronous fault waiting for delivery (queue_sync_signal).
  bool forced = false;
  GuestSiginfo forced_info = {};
  // rt_sigsuspend: mask to restore after the handler (Linux saved_sigmask).
  bool has_saved_mask = false;
  GuestSigset saved_mask = 0;
  // The interrupted call returns -EINTR whenever a handler runs and is only
  // restarted when none does (-ERESTARTNOHAND), whatever SA_RESTART says.
  bool restart_no_handler_only = false;
  void* host_stack = nullptr;  // alternate host signal stack
  size_t host_stack_size = 0;
};
// The SigTask of `t`, creating it (and registering t) when t runs on this
// thread and has none yet. nullptr for an unknown task of another thread.
SigTask* sig_task(TaskState* t);
// The task with guest/host tid `tid` in this process, or nullptr.
SigTask* find_tid(int tid);
// Calls fn(SigTask*) for every registered task.
template <typename Fn>
void for_each_task(Fn fn);

// Sets exit_request of `t`, or of some task not blocking `sig` when t is
// nullptr or blocks it, so the signal is noticed at a block boundary.
void kick_for(TaskState* t, int guest_sig);

// Makes the host mask of the calling thread mirror the guest's: guest
// blocked signals, plus recorded-but-undelivered ones (so more instances stay
// queued in the host kernel), never the host's synchronous fault signals nor
// host glibc's reserved ones.
// Cached: a no-op when the guest set is unchanged since the last call on
// this thread.
void sync_host_mask(TaskState* t);
// Drops that cache: call after changing this thread's host mask directly.
void forget_host_mask();
// Host sigset for a guest set (signals without a host counterpart dropped).
void guest_to_host_set(GuestSigset g, sigset_t* out);
GuestSigset host_to_guest_set(const sigset_t* h);
// siginfo conversions: signal numbers only (the layouts are the same).
void host_to_guest_siginfo(const siginfo_t* h, int guest_sig, GuestSiginfo* out);
void guest_to_host_siginfo(const GuestSiginfo* g, int host_sig, siginfo_t* out);

// Records a guest signal as pending for `t` (thread-directed) or for the
// process (t == nullptr), keeping the first siginfo, and kicks a thread.
// Async-signal-safe.
void record_pending(TaskState* t, const GuestSiginfo& info);

// Guest memory access for mimic's own reads and writes (frames, structs):
// false when a page is not mapped with the needed protection.
bool read_guest(uint64_t addr, void* dst, size_t len);
bool write_guest(uint64_t addr, const void* src, size_t len);

// Ends the whole process with guest signal `sig` as its wait status (host
// default action raised at the host). Never returns.
[[noreturn]] void die_of_signal(int guest_sig);
// Stops the process with `sig` as a group stop seen by the parent; returns
// after SIGCONT.
void stop_for_signal(int guest_sig);

// sigaltstack for `t` whose user stack pointer is `sp` (kernel/signal.c
// do_sigaltstack): `ss` (may be null) is the new stack, `old` (may be null)
// receives the previous one. Returns 0 or -errno.
long do_sigaltstack(TaskState* t, const GuestStackT* ss, GuestStackT* old, uint64_t sp);
// On the alternate stack now (never with SS_AUTODISARM, as Linux).
bool on_sig_stack(const TaskState* t, uint64_t sp);

// Updates the host disposition of the host signal for `guest_sig` after a
// guest rt_sigaction: host SIG_IGN when the guest ignores it explicitly (the
// host kernel then discards it and auto-reaps for SIGCHLD), the mimic
// handler otherwise (with SA_NOCLDSTOP/SA_NOCLDWAIT passed on for SIGCHLD).
void update_host_action(int guest_sig);

constexpr int kMaxTasks = 1024;  // guest threads tracked at once
extern std::atomic<SigTask*> g_tasks[kMaxTasks];

template <typename Fn>
void for_each_task(Fn fn) {
  for (int i = 0; i < kMaxTasks; ++i) {
    SigTask* s = g_tasks[i].load(std::memory_order_acquire);
    if (s) fn(s);
  }
}

}  // namespace mimic::linux_user::sig
