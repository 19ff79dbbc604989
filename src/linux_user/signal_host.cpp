// Host side of guest signals: host handlers, per-thread alternate host
// stacks, the host thread mask mirroring the guest's, the task registry, and
// the host default actions used to end or stop the process.
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/log.h"
#include "exec/host_fault.h"
#include "linux_user/address_space.h"
#include "linux_user/code_wp.h"
#include "linux_user/signal_internal.h"

namespace mimic::linux_user::sig {

Action g_actions[kGuestNsig + 1];
std::atomic<GuestSigset> g_shared_pending{0};
GuestSiginfo g_shared_info[kGuestNsig + 1];
std::atomic<SigTask*> g_tasks[kMaxTasks];

namespace {

std::mutex g_actions_lock;
thread_local SigTask* tls_sig = nullptr;
// Host signals that may be blocked to mirror the guest: all but SIGKILL,
// SIGSTOP, the fault signals (a fault while blocked kills the process) and
// host glibc's reserved real-time signals.
sigset_t g_async_set;
GuestSigset g_initial_blocked = 0;  // the mask inherited through exec
bool g_first_task = true;
constexpr size_t kHostStackSize = 64 * 1024;

bool is_host_fault_signal(int hs) {
  return hs == SIGSEGV || hs == SIGBUS || hs == SIGILL || hs == SIGFPE || hs == SIGTRAP;
}

// Async-signal-safe output of a crash line.
void put_hex(char*& p, uint64_t v) {
  *p++ = '0';
  *p++ = 'x';
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  while (n) *p++ = tmp[--n];
}

[[noreturn]] void host_crash(int hs, siginfo_t* info, ucontext_t* uc) {
  char buf[160];
  char* p = buf;
  const char* head = "mimic: internal error: host signal ";
  for (const char* s = head; *s; ++s) *p++ = *s;
  put_hex(p, uint64_t(hs));
  const char* mid = " at host address ";
  for (const char* s = mid; *s; ++s) *p++ = *s;
  put_hex(p, reinterpret_cast<uint64_t>(info->si_addr));
  const char* mid2 = ", host pc ";
  for (const char* s = mid2; *s; ++s) *p++ = *s;
  put_hex(p, uint64_t(uc->uc_mcontext.gregs[REG_RIP]));
  *p++ = '\n';
  ssize_t r = write(2, buf, size_t(p - buf));
  (void)r;
  struct sigaction sa{};
  sa.sa_handler = SIG_DFL;
  sigaction(hs, &sa, nullptr);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, hs);
  sigprocmask(SIG_UNBLOCK, &s, nullptr);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), hs);
  abort();
}

void host_handler(int hs, siginfo_t* info, void* ucv) {
  int saved_errno = errno;
  auto* uc = static_cast<ucontext_t*>(ucv);
  // si_code > 0: raised by the kernel for this thread's own instruction.
  if (is_host_fault_signal(hs) && info->si_code > 0) {
    // A fault on guest memory during guest execution leaves by siglongjmp.
    if (hs == SIGSEGV || hs == SIGBUS) exec::handle_host_fault(hs, info, ucv);
    // Outside cpu_exec: mimic's own write to a write-protected code page
    // (code_wp.h) is retried by returning.
    if (hs == SIGSEGV && code_wp::handle_in_signal(info, ucv)) {
      errno = saved_errno;
      return;
    }
    host_crash(hs, info, uc);
  }
  int gs = host_to_guest_signal(hs);
  if (gs == 0 || is_ignored(gs)) {
    errno = saved_errno;
    return;
  }
  GuestSiginfo gi;
  host_to_guest_siginfo(info, gs, &gi);
  TaskState* t = tls_sig ? tls_sig->task : nullptr;
  record_pending(info->si_code == SI_TKILL ? t : nullptr, gi);
  if (t) t->cpu.common.exit_request.store(1, std::memory_order_release);
  // Keep the other asynchronous signals queued in the host kernel until
  // process_pending_signals() has taken this one and re-synced the mask.
  sigorset(&uc->uc_sigmask, &uc->uc_sigmask, &g_async_set);
  forget_host_mask();  // the interrupted code resumes with this mask
  errno = saved_errno;
}

void install_host_handler(int hs, int extra_flags) {
  struct sigaction sa{};
  sa.sa_sigaction = host_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | extra_flags;  // no SA_RESTART: EINTR
  sa.sa_mask = g_async_set;
  sigaction(hs, &sa, nullptr);
}

bool register_task(SigTask* st) {
  for (int i = 0; i < kMaxTasks; ++i) {
    SigTask* expected = nullptr;
    if (g_tasks[i].compare_exchange_strong(expected, st)) return true;
  }
  return false;
}

void unregister_task(SigTask* st) {
  for (int i = 0; i < kMaxTasks; ++i) {
    SigTask* expected = st;
    if (g_tasks[i].compare_exchange_strong(expected, nullptr)) return;
  }
}

}  // namespace

void lock_actions() { g_actions_lock.lock(); }
void unlock_actions() { g_actions_lock.unlock(); }

bool is_ignored(int gs) {
  uint64_t h = __atomic_load_n(&g_actions[gs].handler, __ATOMIC_RELAXED);
  if (h == kSigIgn) return true;
  if (h != kSigDfl) return false;
  DefaultAction a = default_action(gs);
  return a == DefaultAction::kIgnore || a == DefaultAction::kContinue;
}

SigTask* sig_task(TaskState* t) {
  if (tls_sig && tls_sig->task == t) return tls_sig;
  SigTask* found = nullptr;
  for_each_task([&](SigTask* s) {
    if (s->task == t) found = s;
  });
  if (found) return found;
  if (!tls_sig) {  // first use on this thread: set it up now
    signal_thread_init(t);
    return tls_sig;
  }
  return nullptr;
}

SigTask* find_tid(int tid) {
  SigTask* found = nullptr;
  for_each_task([&](SigTask* s) {
    if (s->tid == tid) found = s;
  });
  return found;
}

void kick_for(TaskState* t, int s) {
  if (t && !(t->blocked & bit(s))) {
    t->cpu.common.exit_request.store(1, std::memory_order_release);
    return;
  }
  bool done = false;
  for_each_task([&](SigTask* st) {
    if (!done && !(st->task->blocked & bit(s))) {
      st->task->cpu.common.exit_request.store(1, std::memory_order_release);
      done = true;
    }
  });
}

void record_pending(TaskState* t, const GuestSiginfo& info) {
  int s = info.si_signo;
  SigTask* st = nullptr;
  if (t) {
    if (tls_sig && tls_sig->task == t) {
      st = tls_sig;
    } else {
      for_each_task([&](SigTask* x) {
        if (x->task == t) st = x;
      });
    }
  }
  if (st) {
    if (!(t->pending.load() & bit(s))) st->info[s] = info;
    t->pending.fetch_or(bit(s));
  } else {
    t = nullptr;
    if (!(g_shared_pending.load() & bit(s))) g_shared_info[s] = info;
    g_shared_pending.fetch_or(bit(s));
  }
  kick_for(t, s);
}

// The guest set the calling thread's host mask was last made to mirror, so
// that the common case (nothing changed since the last block boundary) costs
// no system call. Anything that changes the host mask by other means calls
// forget_host_mask().
namespace {
thread_local bool t_mask_known = false;
thread_local GuestSigset t_mask_guest = 0;
}  // namespace

void forget_host_mask() { t_mask_known = false; }

void sync_host_mask(TaskState* t) {
  GuestSigset g = t->blocked | t->pending.load() | g_shared_pending.load();
  if (t_mask_known && t_mask_guest == g) return;
  sigset_t h;
  guest_to_host_set(g, &h);
  sigandset(&h, &h, &g_async_set);
  pthread_sigmask(SIG_SETMASK, &h, nullptr);
  t_mask_guest = g;
  t_mask_known = true;
}

bool read_guest(uint64_t addr, void* dst, size_t len) {
  AddressSpace& as = address_space();
  if (!as.in_range(addr, len) || !as.access_ok(addr, len, kProtRead)) return false;
  std::memcpy(dst, as.g2h(addr), len);
  return true;
}

bool write_guest(uint64_t addr, const void* src, size_t len) {
  AddressSpace& as = address_space();
  if (!as.in_range(addr, len) || !as.access_ok(addr, len, kProtWrite)) return false;
  code_wp::before_write(addr, len);
  std::memcpy(as.g2h(addr), src, len);
  return true;
}

void update_host_action(int gs) {
  int hs = guest_to_host_signal(gs);
  if (hs == 0 || hs == SIGKILL || hs == SIGSTOP) return;
  if (is_host_fault_signal(hs)) return;  // always ours
  const Action& a = g_actions[gs];
  if (a.handler == kSigIgn) {
    struct sigaction sa{};
    sa.sa_handler = SIG_IGN;
    sigaction(hs, &sa, nullptr);
    return;
  }
  int extra = 0;
  if (gs == kSigChld) {
    if (a.flags & kSaNocldstop) extra |= SA_NOCLDSTOP;
    if (a.flags & kSaNocldwait) extra |= SA_NOCLDWAIT;
  }
  install_host_handler(hs, extra);
}

[[noreturn]] void die_of_signal(int gs) {
  int hs = guest_to_host_signal(gs);
  if (hs == 0) hs = SIGKILL;  // guest 63/64 have no host number
  if (log::enabled(log::kInt)) log::printf("signal: process killed by guest signal %d\n", gs);
  if (default_action(gs) == DefaultAction::kCore) {
    // The host core would be the emulator's, not the guest's: suppress it.
    struct rlimit rl{0, 0};
    setrlimit(RLIMIT_CORE, &rl);
  }
  struct sigaction sa{};
  sa.sa_handler = SIG_DFL;
  sigaction(hs, &sa, nullptr);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, hs);
  pthread_sigmask(SIG_UNBLOCK, &s, nullptr);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), hs);
  // Not reached for a fatal default action; be sure anyway.
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGKILL);
  _exit(128 + gs);
}

void stop_for_signal(int gs) {
  int hs = guest_to_host_signal(gs);
  if (hs == 0) return;
  struct sigaction sa{}, old{};
  sa.sa_handler = SIG_DFL;
  sigaction(hs, &sa, &old);
  sigset_t s, olds;
  sigemptyset(&s);
  sigaddset(&s, hs);
  pthread_sigmask(SIG_UNBLOCK, &s, &olds);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), hs);  // stops here
  pthread_sigmask(SIG_SETMASK, &olds, nullptr);
  sigaction(hs, &old, nullptr);
}

}  // namespace mimic::linux_user::sig

namespace mimic::linux_user {
using namespace sig;

void signal_init() {
  sigemptyset(&g_async_set);
  for (int hs = 1; hs <= SIGRTMAX; ++hs) {
    if (hs == SIGKILL || hs == SIGSTOP || is_host_fault_signal(hs)) continue;
    if (host_to_guest_signal(hs) == 0) continue;  // glibc's reserved ones
    sigaddset(&g_async_set, hs);
  }
  sigset_t cur;
  pthread_sigmask(SIG_SETMASK, nullptr, &cur);
  g_initial_blocked = host_to_guest_set(&cur) & ~kUnblockable;
  for (int hs = 1; hs <= SIGRTMAX; ++hs) {
    if (hs == SIGKILL || hs == SIGSTOP) continue;
    int gs = host_to_guest_signal(hs);
    if (gs == 0) continue;
    struct sigaction old{};
    sigaction(hs, nullptr, &old);
    if (old.sa_handler == SIG_IGN && !is_host_fault_signal(hs)) {
      g_actions[gs].handler = kSigIgn;  // exec keeps ignored signals ignored
      continue;
    }
    install_host_handler(hs, 0);
  }
}

void signal_thread_init(TaskState* t) {
  auto* st = new SigTask;
  st->task = t;
  st->tid = int(syscall(SYS_gettid));  // runs on the task's own thread
  void* mem = mmap(nullptr, kHostStackSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (mem != MAP_FAILED) {
    stack_t ss{};
    ss.ss_sp = mem;
    ss.ss_size = kHostStackSize;
    sigaltstack(&ss, nullptr);
    st->host_stack = mem;
    st->host_stack_size = kHostStackSize;
  }
  lock_actions();
  if (g_first_task) {
    g_first_task = false;
    t->blocked |= g_initial_blocked;
  }
  unlock_actions();
  t->blocked &= ~kUnblockable;
  if (!register_task(st))
    log::printf("mimic: more than %d guest threads; signals to the rest are not routed\n",
                kMaxTasks);
  tls_sig = st;
  sync_host_mask(t);
}

void signal_thread_exit(TaskState* t) {
  SigTask* st = tls_sig;
  if (!st || st->task != t) return;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  tls_sig = nullptr;
  unregister_task(st);
  if (st->host_stack) {
    stack_t ss{};
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
    munmap(st->host_stack, st->host_stack_size);
  }
  delete st;
}

void signal_after_fork_child(TaskState* t) {
  SigTask* me = sig_task(t);
  for (int i = 0; i < kMaxTasks; ++i) {
    SigTask* s = g_tasks[i].load();
    if (s && s != me) {  // its thread does not exist in the child
      g_tasks[i].store(nullptr);
      if (s->host_stack) munmap(s->host_stack, s->host_stack_size);
      delete s;
    }
  }
  if (me) {
    me->tid = int(syscall(SYS_gettid));
    me->forced = false;
  }
  t->pending.store(0);
  g_shared_pending.store(0);
  sync_host_mask(t);
}

bool signal_pending(TaskState* t) {
  SigTask* st = sig_task(t);
  if (st && st->forced) return true;
  return ((t->pending.load() | g_shared_pending.load()) & ~t->blocked) != 0;
}

}  // namespace mimic::linux_user
