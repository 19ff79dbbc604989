// Threads and processes: clone (one host thread per guest thread; fork for
// clone without CLONE_VM), exit of a thread, set_tid_address, robust futex
// lists and futex itself (guest futex words are host memory at guest_base,
// so futex passes through).
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>

#include "core/log.h"
#include "exec/cpu_loop.h"
#include "linux_user/process.h"
#include "linux_user/signal.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

std::atomic<int> g_live_threads{1};

// A clone child waiting to start: the parent learns its tid through it.
struct CloneStart {
  TaskState* child = nullptr;
  uint64_t flags = 0, ptid = 0, ctid = 0;
  std::mutex m;
  std::condition_variable cv;
  bool started = false;
  int tid = 0;
};

void copy_cpu(const TaskState* from, TaskState* to) {
  const riscv::RiscvCpu& a = from->cpu;
  riscv::RiscvCpu& b = to->cpu;
  for (int i = 0; i < 32; ++i) b.x[i] = a.x[i], b.f[i] = a.f[i];
  b.fflags = a.fflags;
  b.frm = a.frm;
  b.common.pc = a.common.pc;
  b.common.guest_base = a.common.guest_base;
  b.common.guest_limit = a.common.guest_limit;
}

void* thread_main(void* arg) {
  auto* start = static_cast<CloneStart*>(arg);
  TaskState* t = start->child;
  t->tid = static_cast<int>(gettid());
  // CLONE_PARENT_SETTID and CLONE_CHILD_SETTID store the tid in the shared
  // memory before either side goes on (kernel/fork.c).
  if (start->flags & CLONE_PARENT_SETTID) put_guest(start->ptid, t->tid);
  if (start->flags & CLONE_CHILD_SETTID) put_guest(start->ctid, t->tid);
  if (start->flags & CLONE_CHILD_CLEARTID) t->clear_child_tid = start->ctid;
  set_current_task(t);
  signal_thread_init(t);
  {
    std::lock_guard<std::mutex> g(start->m);
    start->tid = t->tid;
    start->started = true;
  }
  start->cv.notify_one();  // `start` belongs to the parent from here on
  cpu_loop(t);
}

int64_t clone_thread(TaskState* parent, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t tls, uint64_t ctid) {
  auto* child = new TaskState();
  copy_cpu(parent, child);
  child->cpu.x[10] = 0;  // the child's clone returns 0
  if (newsp) child->cpu.x[2] = newsp;
  if (flags & CLONE_SETTLS) child->cpu.x[4] = tls;
  child->blocked = parent->blocked;
  CloneStart start;
  start.child = child;
  start.flags = flags;
  start.ptid = ptid;
  start.ctid = ctid;

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 4u << 20);
  // The new host thread starts with every signal blocked;
  // signal_thread_init gives it the guest's mask.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  g_live_threads.fetch_add(1);
  pthread_t th;
  int err = pthread_create(&th, &attr, thread_main, &start);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    g_live_threads.fetch_sub(1);
    delete child;
    return -EAGAIN;
  }
  std::unique_lock<std::mutex> lk(start.m);
  start.cv.wait(lk, [&] { return start.started; });
  return start.tid;
}

int64_t clone_process(TaskState* t, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t tls, uint64_t ctid) {
  int exit_signal = static_cast<int>(flags & CSIGNAL);
  if (exit_signal != SIGCHLD && exit_signal != 0 && log::enabled(log::kUnimp)) {
    log::printf("mimic: clone exit signal %d treated as SIGCHLD\n", exit_signal);
  }
  // vfork (CLONE_VFORK, possibly with CLONE_VM) runs as a plain fork: the
  // child gets a copy of the address space and the parent does not wait.
  address_space().fork_prepare();
  pid_t pid = fork();
  int err = errno;
  address_space().fork_done();
  if (pid < 0) return -err;
  if (pid == 0) {
    t->tid = static_cast<int>(gettid());
    g_live_threads.store(1);
    signal_after_fork_child(t);
    if (newsp) t->cpu.x[2] = newsp;
    if (flags & CLONE_SETTLS) t->cpu.x[4] = tls;
    if (flags & CLONE_CHILD_SETTID) put_guest(ctid, t->tid);
    if (flags & CLONE_CHILD_CLEARTID) t->clear_child_tid = ctid;
    return 0;
  }
  if (flags & CLONE_PARENT_SETTID) put_guest(ptid, static_cast<int>(pid));
  return pid;
}

// riscv64 clone argument order (CONFIG_CLONE_BACKWARDS):
// clone(flags, newsp, parent_tidptr, tls, child_tidptr).
int64_t sys_clone(TaskState* t, const uint64_t* a) {
  uint64_t flags = a[0];
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return -EINVAL;
  if (flags & (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
               CLONE_NEWCGROUP | CLONE_PIDFD)) {
    if (log::enabled(log::kUnimp)) log::printf("mimic: clone flags %#llx not supported\n", (unsigned long long)flags);
    return -EINVAL;
  }
  if ((flags & CLONE_VM) && (flags & CLONE_THREAD)) return clone_thread(t, flags, a[1], a[2], a[3], a[4]);
  if ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) {
    if (log::enabled(log::kUnimp)) log::printf("mimic: clone(CLONE_VM) without CLONE_THREAD not supported\n");
    return -EINVAL;
  }
  return clone_process(t, flags, a[1], a[2], a[3], a[4]);
}

int64_t futex_wake(uint64_t uaddr, int n) {
  void* p = guest_buf(uaddr, 4);
  if (!p) return -EFAULT;
  return host_syscall(SYS_futex, p, FUTEX_WAKE, n, nullptr, nullptr, 0);
}

// Marks a robust futex held by `tid` as owner-died and wakes a waiter
// (kernel/futex/core.c handle_futex_death).
void futex_death(uint64_t uaddr, int tid) {
  if ((uaddr & 3) || !address_space().access_ok(uaddr, 4, kProtRead | kProtWrite)) return;
  auto* word = static_cast<std::atomic<uint32_t>*>(address_space().g2h(uaddr));
  uint32_t v = word->load();
  while ((v & FUTEX_TID_MASK) == static_cast<uint32_t>(tid)) {
    uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (word->compare_exchange_weak(v, nv)) {
      if (v & FUTEX_WAITERS) futex_wake(uaddr, 1);
      return;
    }
  }
}

// Walks the guest's robust list (struct robust_list_head: list.next,
// futex_offset, list_op_pending), bounded like the kernel's.
void exit_robust_list(TaskState* t) {
  if (!t->robust_list) return;
  uint64_t head[3];
  if (!copy_from_guest(head, t->robust_list, sizeof head)) return;
  int64_t offset = static_cast<int64_t>(head[1]);
  uint64_t entry = head[0];
  for (int i = 0; i < 2048 && entry != t->robust_list && entry != 0; ++i) {
    uint64_t next;
    if (!get_guest(entry & ~uint64_t{1}, &next)) break;
    if (entry != head[2]) futex_death((entry & ~uint64_t{1}) + offset, t->tid);
    entry = next;
  }
  if (head[2]) futex_death((head[2] & ~uint64_t{1}) + offset, t->tid);
}

int64_t sys_exit(TaskState* t, const uint64_t* a) {
  exit_robust_list(t);
  if (t->clear_child_tid) {
    // CLONE_CHILD_CLEARTID: zero the tid word and wake one waiter (pthread_join).
    if (put_guest(t->clear_child_tid, 0)) futex_wake(t->clear_child_tid, 1);
  }
  if (g_live_threads.fetch_sub(1) == 1) ::syscall(SYS_exit_group, sarg(a[0]));
  signal_thread_exit(t);
  exec::cpu_exec_release(&t->cpu.common);
  set_current_task(nullptr);
  delete t;
  pthread_exit(nullptr);
}

int64_t sys_set_tid_address(TaskState* t, const uint64_t* a) {
  t->clear_child_tid = a[0];
  return t->tid;
}

int64_t sys_set_robust_list(TaskState* t, const uint64_t* a) {
  if (a[1] != 24) return -EINVAL;  // sizeof(struct robust_list_head)
  t->robust_list = a[0];
  t->robust_list_len = a[1];
  return 0;
}

int64_t sys_get_robust_list(TaskState* t, const uint64_t* a) {
  if (a[0] != 0 && sarg(a[0]) != t->tid) return -EPERM;
  uint64_t len = 24;
  if (!put_guest(a[1], t->robust_list) || !put_guest(a[2], len)) return -EFAULT;
  return 0;
}

int64_t sys_futex(TaskState*, const uint64_t* a) {
  int op = sarg(a[1]);
  int cmd = op & FUTEX_CMD_MASK;
  if (a[0] & 3) return -EINVAL;
  MIMIC_GUEST_BUF(uaddr, a[0], 4);
  void* timeout_or_val2 = reinterpret_cast<void*>(a[3]);
  void* uaddr2 = nullptr;
  switch (cmd) {
    case FUTEX_WAIT: case FUTEX_WAIT_BITSET: case FUTEX_LOCK_PI: case FUTEX_LOCK_PI2:
    case FUTEX_WAIT_REQUEUE_PI: {
      MIMIC_GUEST_OPT_BUF(ts, a[3], 16);
      timeout_or_val2 = ts;
      break;
    }
    default:
      break;
  }
  switch (cmd) {
    case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: case FUTEX_WAKE_OP: case FUTEX_CMP_REQUEUE_PI:
    case FUTEX_WAIT_REQUEUE_PI: {
      if (a[4] & 3) return -EINVAL;
      MIMIC_GUEST_BUF(u2, a[4], 4);
      uaddr2 = u2;
      break;
    }
    case FUTEX_WAIT: case FUTEX_WAKE: case FUTEX_WAIT_BITSET: case FUTEX_WAKE_BITSET:
    case FUTEX_LOCK_PI: case FUTEX_LOCK_PI2: case FUTEX_UNLOCK_PI: case FUTEX_TRYLOCK_PI:
      break;
    default:
      return -ENOSYS;  // FUTEX_FD (removed in Linux 2.6.26) and unknown commands
  }
  return host_syscall(SYS_futex, uaddr, op, static_cast<uint32_t>(a[2]), timeout_or_val2, uaddr2,
                      static_cast<uint32_t>(a[5]));
}

}  // namespace

void register_thread_syscalls(SyscallTable& t) {
  t.fn[nr::kClone] = sys_clone;
  t.fn[nr::kExit] = sys_exit;
  t.fn[nr::kSetTidAddress] = sys_set_tid_address;
  t.fn[nr::kSetRobustList] = sys_set_robust_list;
  t.fn[nr::kGetRobustList] = sys_get_robust_list;
  t.fn[nr::kFutex] = sys_futex;
}

}  // namespace mimic::linux_user
