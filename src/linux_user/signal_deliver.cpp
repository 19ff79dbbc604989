// Delivery of guest signals: default actions, the riscv64 rt_sigframe
// (arch/riscv/kernel/signal.c setup_rt_frame / sys_rt_sigreturn), system
// call restarts, and synchronous faults (kernel/signal.c force_sig_info).
#include <cstring>

#include "core/log.h"
#include "linux_user/signal_internal.h"

namespace mimic::linux_user {
using namespace sig;

namespace {

constexpr int kGuestEintr = 4;
std::atomic<uint64_t> g_trampoline{0};

int lowest_signal(GuestSigset s) { return __builtin_ctzll(s) + 1; }

// The registers of a delivery or return: Linux clears the LR reservation on
// every return to user mode.
void clear_reservation(TaskState* t) { t->cpu.load_res = ~uint64_t{0}; }

// Builds the frame and points the CPU at the handler. False when the frame
// cannot be written (the caller then forces SIGSEGV, as Linux).
bool setup_rt_frame(TaskState* t, SigTask* st, int s, const GuestSiginfo& info,
                    const Action& a) {
  riscv::RiscvCpu& cpu = t->cpu;
  const uint64_t user_sp = cpu.x[2];
  constexpr uint64_t kFrameSize = sizeof(GuestRtSigframe);
  uint64_t sp = user_sp;
  // get_sigframe: overflowing the alternate stack while on it is fatal.
  if (on_sig_stack(t, sp) && !on_sig_stack(t, sp - kFrameSize)) return false;
  bool altstack_usable = t->altstack.ss_size != 0 && !on_sig_stack(t, sp);
  if ((a.flags & kSaOnstack) && altstack_usable) sp = t->altstack.ss_sp + t->altstack.ss_size;
  const uint64_t frame = (sp - kFrameSize) & ~uint64_t{15};

  auto* f = new GuestRtSigframe{};  // 1 KiB: keep it off the host altstack
  f->info = info;
  f->uc.uc_stack.ss_sp = t->altstack.ss_sp;
  f->uc.uc_stack.ss_flags = t->altstack.ss_flags;
  f->uc.uc_stack.ss_size = t->altstack.ss_size;
  f->uc.uc_sigmask = st->has_saved_mask ? st->saved_mask : t->blocked;
  GuestSigcontext& sc = f->uc.uc_mcontext;
  sc.sc_regs[0] = cpu.common.pc;
  for (int i = 1; i < 32; ++i) sc.sc_regs[i] = cpu.x[i];
  for (int i = 0; i < 32; ++i) sc.fp_f[i] = cpu.f[i];
  sc.fp_fcsr = uint32_t(((cpu.frm & 7) << 5) | riscv::read_fflags(cpu));
  // ext_reserved = 0 and an END header (magic 0, size 0): no vector state.
  bool ok = write_guest(frame, f, sizeof(*f));
  delete f;
  if (!ok) return false;

  if (t->altstack.ss_flags & kSsAutodisarm) {  // sas_ss_reset after saving it
    t->altstack.ss_sp = 0;
    t->altstack.ss_size = 0;
    t->altstack.ss_flags = kSsDisable;
  }
  st->has_saved_mask = false;
  uint64_t tramp = g_trampoline.load(std::memory_order_relaxed);
  if (!tramp) log::printf("mimic: no sigreturn trampoline mapped; handler return will fault\n");
  cpu.x[1] = tramp;  // ra: __vdso_rt_sigreturn
  cpu.x[2] = frame;
  cpu.x[10] = uint64_t(s);
  cpu.x[11] = frame + offsetof(GuestRtSigframe, info);
  cpu.x[12] = frame + offsetof(GuestRtSigframe, uc);
  cpu.common.pc = a.handler;
  clear_reservation(t);
  return true;
}

// Settles an interrupted system call before a handler runs (Linux
// handle_signal: -ERESTARTSYS restarts only with SA_RESTART; -ERESTARTNOHAND
// never when a handler runs).
void settle_syscall_for_handler(TaskState* t, SigTask* st, const Action& a) {
  if (!t->syscall_interrupted) return;
  if (!st->restart_no_handler_only && (a.flags & kSaRestart)) {
    t->cpu.common.pc -= 4;
    t->cpu.x[10] = t->syscall_orig_a0;
  } else {
    t->cpu.x[10] = uint64_t(-kGuestEintr);
  }
  t->syscall_interrupted = false;
  st->restart_no_handler_only = false;
}

void force_sigsegv(TaskState* t, SigTask* st, int failed_sig);

// Acts on one signal taken off a pending set. True if a handler frame was set up.
bool deliver(TaskState* t, SigTask* st, int s, const GuestSiginfo& info) {
  lock_actions();
  Action a = g_actions[s];
  if (a.handler > kSigIgn && (a.flags & kSaResethand))
    g_actions[s].handler = kSigDfl;  // SA_RESETHAND: one-shot (get_signal)
  unlock_actions();
  if (log::enabled(log::kInt))
    log::printf("signal: tid %d delivering %d (code %d) handler %#llx at pc %#llx\n", st->tid, s,
                info.si_code, (unsigned long long)a.handler, (unsigned long long)t->cpu.common.pc);
  if (a.handler == kSigIgn) return false;
  if (a.handler == kSigDfl) {
    switch (default_action(s)) {
      case DefaultAction::kIgnore:
      case DefaultAction::kContinue:
        return false;
      case DefaultAction::kStop:
        stop_for_signal(s);
        return false;
      case DefaultAction::kTerminate:
      case DefaultAction::kCore:
        die_of_signal(s);
    }
  }
  settle_syscall_for_handler(t, st, a);
  if (!setup_rt_frame(t, st, s, info, a)) {
    force_sigsegv(t, st, s);
    return false;
  }
  t->blocked |= a.mask;
  if (!(a.flags & kSaNodefer)) t->blocked |= bit(s);
  t->blocked &= ~kUnblockable;
  return true;
}

// A synchronous signal: blocked or ignored means death (force_sig_info).
bool deliver_forced(TaskState* t, SigTask* st, const GuestSiginfo& info) {
  int s = info.si_signo;
  lock_actions();
  bool blocked = (t->blocked & bit(s)) != 0;
  if (blocked || g_actions[s].handler == kSigIgn) g_actions[s].handler = kSigDfl;
  unlock_actions();
  if (blocked) t->blocked &= ~bit(s);
  return deliver(t, st, s, info);
}

// Linux force_sigsegv: the frame could not be written.
void force_sigsegv(TaskState* t, SigTask* st, int failed_sig) {
  if (failed_sig == kSigSegv) {
    lock_actions();
    g_actions[kSigSegv].handler = kSigDfl;
    unlock_actions();
  }
  GuestSiginfo info{};
  info.si_signo = kSigSegv;
  info.si_code = kSiKernel;
  deliver_forced(t, st, info);
}

}  // namespace

void install_sigreturn_trampoline(uint64_t guest_addr, uint8_t* host) {
  // addi a7, zero, 139 (__NR_rt_sigreturn, asm-generic); ecall
  const uint32_t code[2] = {0x08b00893u, 0x00000073u};
  static_assert(sizeof(code) == kSigreturnTrampolineSize);
  std::memcpy(host, code, sizeof(code));
  g_trampoline.store(guest_addr);
}

void queue_sync_signal(TaskState* t, int guest_sig, int si_code, uint64_t addr) {
  SigTask* st = sig_task(t);
  if (!st) return;
  GuestSiginfo& fi = st->forced_info;
  fi = GuestSiginfo{};
  fi.si_signo = guest_sig;
  fi.si_code = si_code;
  std::memcpy(fi.fields + (kSiginfoAddrOffset - 16), &addr, 8);
  st->forced = true;
}

void set_restart_no_handler(TaskState* t) {
  if (SigTask* st = sig_task(t)) st->restart_no_handler_only = true;
}

void process_pending_signals(TaskState* t) {
  SigTask* st = sig_task(t);
  t->cpu.common.exit_request.store(0, std::memory_order_relaxed);
  if (!st) return;
  bool handler_ran = false;
  if (st->forced) {
    st->forced = false;
    handler_ran |= deliver_forced(t, st, st->forced_info);
  }
  // Like Linux, deliver everything deliverable now: each handler's frame sits
  // on top of the previous one, and the last set up runs first.
  for (int guard = 0; guard < 4 * kGuestNsig; ++guard) {
    GuestSigset own = t->pending.load();
    GuestSigset shared = g_shared_pending.load();
    GuestSigset avail = (own | shared) & ~t->blocked;
    if (!avail) break;
    int s = lowest_signal((avail & kSynchronous) ? (avail & kSynchronous) : avail);
    GuestSiginfo info;
    if (own & bit(s)) {
      info = st->info[s];
      t->pending.fetch_and(~bit(s));
    } else {
      if (!(g_shared_pending.fetch_and(~bit(s)) & bit(s))) continue;  // another thread took it
      info = g_shared_info[s];
    }
    handler_ran |= deliver(t, st, s, info);
  }
  // Process-directed signals this thread blocks: wake a thread that takes them.
  GuestSigset rest = g_shared_pending.load() & t->blocked;
  while (rest) {
    int s = lowest_signal(rest);
    rest &= ~bit(s);
    kick_for(nullptr, s);
  }
  if (t->syscall_interrupted) {  // no handler ran: restart transparently
    t->cpu.common.pc -= 4;
    t->cpu.x[10] = t->syscall_orig_a0;
    t->syscall_interrupted = false;
    st->restart_no_handler_only = false;
  }
  if (st->has_saved_mask && !handler_ran) {  // restore_saved_sigmask
    t->blocked = st->saved_mask;
    st->has_saved_mask = false;
  }
  sync_host_mask(t);
}

long sys_rt_sigreturn(TaskState* t) {
  SigTask* st = sig_task(t);
  riscv::RiscvCpu& cpu = t->cpu;
  const uint64_t frame = cpu.x[2];
  auto* f = new GuestRtSigframe;
  bool ok = read_guest(frame, f, sizeof(*f));
  // Vector or unknown extension state is not supported: Linux rejects a
  // frame whose reserved word is set or whose headers it cannot parse.
  if (ok && (f->uc.uc_mcontext.ext_reserved != 0 || f->uc.uc_mcontext.ext_hdr_magic != 0)) ok = false;
  if (!ok) {
    delete f;
    if (log::enabled(log::kInt)) log::printf("signal: bad rt_sigreturn frame at %#llx\n", (unsigned long long)frame);
    if (st) {
      GuestSiginfo info{};
      info.si_signo = kSigSegv;
      info.si_code = kSiKernel;
      st->forced_info = info;
      st->forced = true;
    }
    return long(cpu.x[10]);
  }
  t->blocked = f->uc.uc_sigmask & ~kUnblockable;
  const GuestSigcontext& sc = f->uc.uc_mcontext;
  cpu.common.pc = sc.sc_regs[0];
  for (int i = 1; i < 32; ++i) cpu.x[i] = sc.sc_regs[i];
  for (int i = 0; i < 32; ++i) cpu.f[i] = sc.fp_f[i];
  riscv::write_fflags(cpu, sc.fp_fcsr);
  cpu.frm = (sc.fp_fcsr >> 5) & 7;
  GuestStackT ss = f->uc.uc_stack;
  delete f;
  (void)do_sigaltstack(t, &ss, nullptr, cpu.x[2]);  // restore_altstack ignores errors
  t->syscall_interrupted = false;
  if (st) {
    st->restart_no_handler_only = false;
    st->has_saved_mask = false;
  }
  clear_reservation(t);
  sync_host_mask(t);
  return long(cpu.x[10]);
}

}  // namespace mimic::linux_user
