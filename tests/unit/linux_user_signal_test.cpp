// Guest signal layer: number mapping, wait statuses, the riscv64 frame layout,
// rt_sigaction/rt_sigprocmask/sigaltstack on guest memory, and a delivery +
// rt_sigreturn round trip for a synchronous fault (no host signals involved).
#include <gtest/gtest.h>

#include <cstring>

#include "linux_user/address_space.h"
#include "linux_user/signal.h"
#include "linux_user/signal_internal.h"

namespace mimic::linux_user {
namespace {

using namespace sig;

TEST(SignalNumbers, StandardSignalsAreIdentical) {
  for (int s = 0; s < 32; ++s) {
    EXPECT_EQ(guest_to_host_signal(s), s);
    EXPECT_EQ(host_to_guest_signal(s), s);
  }
}

TEST(SignalNumbers, RealTimeShiftedPastGlibcReserved) {
  EXPECT_EQ(guest_to_host_signal(32), SIGRTMIN);
  EXPECT_EQ(guest_to_host_signal(34), SIGRTMIN + 2);
  EXPECT_EQ(host_to_guest_signal(SIGRTMIN), 32);
  EXPECT_EQ(host_to_guest_signal(32), 0);  // host glibc's SIGCANCEL
  EXPECT_EQ(host_to_guest_signal(33), 0);  // host glibc's SIGSETXID
  for (int g = 32; g <= 64; ++g) {
    int h = guest_to_host_signal(g);
    if (h) {
      EXPECT_EQ(host_to_guest_signal(h), g);
    }
  }
  EXPECT_EQ(guest_to_host_signal(64), 0);  // no room at the top
  EXPECT_EQ(guest_to_host_signal(65), 0);
  EXPECT_EQ(guest_to_host_signal(-1), 0);
}

TEST(SignalNumbers, WaitStatus) {
  int h = guest_to_host_signal(40);
  EXPECT_EQ(host_to_guest_wait_status(h), 40);              // killed
  EXPECT_EQ(host_to_guest_wait_status(h | 0x80), 40 | 0x80);  // with core
  EXPECT_EQ(host_to_guest_wait_status((h << 8) | 0x7f), (40 << 8) | 0x7f);  // stopped
  EXPECT_EQ(host_to_guest_wait_status(3 << 8), 3 << 8);     // exited 3
  EXPECT_EQ(host_to_guest_wait_status(0xffff), 0xffff);     // continued
  EXPECT_EQ(host_to_guest_wait_status(SIGSEGV), SIGSEGV);
}

TEST(SignalNumbers, DefaultActions) {
  EXPECT_EQ(default_action(kSigSegv), DefaultAction::kCore);
  EXPECT_EQ(default_action(kSigTerm), DefaultAction::kTerminate);
  EXPECT_EQ(default_action(kSigChld), DefaultAction::kIgnore);
  EXPECT_EQ(default_action(kSigCont), DefaultAction::kContinue);
  EXPECT_EQ(default_action(kSigTstp), DefaultAction::kStop);
  EXPECT_EQ(default_action(40), DefaultAction::kTerminate);
}

TEST(SignalFrame, LayoutMatchesLinuxRiscv) {
  EXPECT_EQ(sizeof(GuestRtSigframe), 1088u);
  EXPECT_EQ(offsetof(GuestRtSigframe, uc) + offsetof(GuestUcontext, uc_mcontext), 304u);
  EXPECT_EQ(offsetof(GuestSigcontext, fp_f), 256u);
  EXPECT_EQ(offsetof(GuestSigcontext, fp_fcsr), 512u);
  EXPECT_EQ(offsetof(GuestSigcontext, ext_reserved), 256u + 516u);
  EXPECT_EQ(offsetof(GuestStackT, ss_size), 16u);
}

TEST(SignalSiginfo, ChildStatusSignalIsMapped) {
  siginfo_t h{};
  h.si_signo = SIGCHLD;
  h.si_code = CLD_KILLED;
  h.si_pid = 1234;
  h.si_status = guest_to_host_signal(35);
  GuestSiginfo g;
  host_to_guest_siginfo(&h, kSigChld, &g);
  int32_t pid, status;
  std::memcpy(&pid, g.fields + (kSiginfoPidOffset - 16), 4);
  std::memcpy(&status, g.fields + (kSiginfoStatusOffset - 16), 4);
  EXPECT_EQ(g.si_signo, kSigChld);
  EXPECT_EQ(pid, 1234);
  EXPECT_EQ(status, 35);
}

// A guest with one RW page for structures and a stack.
class SignalGuest : public ::testing::Test {
 protected:
  static constexpr uint64_t kData = 0x100000;
  static constexpr uint64_t kStack = 0x200000;
  static constexpr uint64_t kAlt = 0x300000;
  static constexpr uint64_t kTramp = 0x400000;

  static void SetUpTestSuite() {
    AddressSpace& as = address_space();
    if (!as.base()) {
      ASSERT_TRUE(as.init(uint64_t{1} << 32).ok());
    }
    for (uint64_t a : {kData, kStack, kAlt, kTramp})
      ASSERT_EQ(as.mmap(a, 0x10000, kProtRead | kProtWrite, 0x02 | 0x10 | 0x20, -1, 0), int64_t(a));
    install_sigreturn_trampoline(kTramp, static_cast<uint8_t*>(as.g2h(kTramp)));
  }

  void SetUp() override {
    t.cpu.common.guest_base = address_space().base();
    t.cpu.common.guest_limit = address_space().limit();
    t.cpu.x[2] = kStack + 0x8000;
    for (int s = 1; s <= kGuestNsig; ++s) g_actions[s] = Action{};
  }

  template <typename T>
  void put(uint64_t addr, const T& v) {
    std::memcpy(address_space().g2h(addr), &v, sizeof(v));
  }
  template <typename T>
  T get(uint64_t addr) {
    T v;
    std::memcpy(&v, address_space().g2h(addr), sizeof(v));
    return v;
  }

  TaskState t;
};

TEST_F(SignalGuest, SigactionStoresAndReportsOld) {
  put(kData, GuestSigaction{0x1000, kSaSiginfo | kSaRestart | 0x400, bit(kSigUsr2) | bit(kSigKill)});
  EXPECT_EQ(sys_rt_sigaction(&t, kSigUsr1, kData, 0, 8), 0);
  EXPECT_EQ(sys_rt_sigaction(&t, kSigUsr1, 0, kData + 64, 8), 0);
  auto old = get<GuestSigaction>(kData + 64);
  EXPECT_EQ(old.handler, 0x1000u);
  EXPECT_EQ(old.flags, kSaSiginfo | kSaRestart);  // unknown bit 0x400 cleared
  EXPECT_EQ(old.mask, bit(kSigUsr2));             // SIGKILL never in a mask
  EXPECT_EQ(sys_rt_sigaction(&t, kSigKill, kData, 0, 8), -EINVAL);
  EXPECT_EQ(sys_rt_sigaction(&t, kSigKill, 0, kData + 64, 8), 0);
  EXPECT_EQ(sys_rt_sigaction(&t, 0, kData, 0, 8), -EINVAL);
  EXPECT_EQ(sys_rt_sigaction(&t, 65, kData, 0, 8), -EINVAL);
  EXPECT_EQ(sys_rt_sigaction(&t, kSigUsr1, kData, 0, 16), -EINVAL);
  EXPECT_EQ(sys_rt_sigaction(&t, kSigUsr1, 0x10, 0, 8), -EFAULT);
}

TEST_F(SignalGuest, ProcmaskHowAndUnblockable) {
  put(kData, GuestSigset{bit(kSigUsr1) | bit(kSigKill) | bit(kSigStop)});
  EXPECT_EQ(sys_rt_sigprocmask(&t, 0, kData, 0, 8), 0);
  EXPECT_EQ(t.blocked, bit(kSigUsr1));
  put(kData, GuestSigset{bit(kSigUsr2)});
  EXPECT_EQ(sys_rt_sigprocmask(&t, 0, kData, kData + 8, 8), 0);
  EXPECT_EQ(get<GuestSigset>(kData + 8), bit(kSigUsr1));
  put(kData, GuestSigset{bit(kSigUsr1)});
  EXPECT_EQ(sys_rt_sigprocmask(&t, 1, kData, 0, 8), 0);
  EXPECT_EQ(t.blocked, bit(kSigUsr2));
  EXPECT_EQ(sys_rt_sigprocmask(&t, 2, kData, 0, 8), 0);
  EXPECT_EQ(t.blocked, bit(kSigUsr1));
  EXPECT_EQ(sys_rt_sigprocmask(&t, 7, kData, 0, 8), -EINVAL);
  EXPECT_EQ(sys_rt_sigprocmask(&t, 0, kData, 0, 4), -EINVAL);
  t.blocked = 0;
  process_pending_signals(&t);  // resync the host mask
}

TEST_F(SignalGuest, Sigaltstack) {
  put(kData, GuestStackT{kAlt, 0, 0, 100});
  EXPECT_EQ(sys_sigaltstack(&t, kData, 0), -ENOMEM);
  put(kData, GuestStackT{kAlt, 0x55, 0, 0x10000});
  EXPECT_EQ(sys_sigaltstack(&t, kData, 0), -EINVAL);
  put(kData, GuestStackT{kAlt, 0, 0, 0x10000});
  EXPECT_EQ(sys_sigaltstack(&t, kData, kData + 32), 0);
  auto old = get<GuestStackT>(kData + 32);
  EXPECT_EQ(old.ss_flags, kSsDisable);
  EXPECT_EQ(sys_sigaltstack(&t, 0, kData + 32), 0);
  old = get<GuestStackT>(kData + 32);
  EXPECT_EQ(old.ss_sp, kAlt);
  EXPECT_EQ(old.ss_size, 0x10000u);
  EXPECT_EQ(old.ss_flags, 0);
  t.cpu.x[2] = kAlt + 0x100;  // running on it now
  EXPECT_EQ(sys_sigaltstack(&t, 0, kData + 32), 0);
  EXPECT_EQ(get<GuestStackT>(kData + 32).ss_flags, kSsOnstack);
  EXPECT_EQ(sys_sigaltstack(&t, kData, 0), -EPERM);
}

TEST_F(SignalGuest, SyncFaultFrameAndSigreturn) {
  put(kData, GuestSigaction{0x5000, kSaSiginfo | kSaOnstack, bit(kSigUsr2)});
  ASSERT_EQ(sys_rt_sigaction(&t, kSigSegv, kData, 0, 8), 0);
  put(kData, GuestStackT{kAlt, 0, 0, 0x10000});
  ASSERT_EQ(sys_sigaltstack(&t, kData, 0), 0);
  for (int i = 1; i < 32; ++i) t.cpu.x[i] = 0x1000 + i;
  t.cpu.x[2] = kStack + 0x8008;
  for (int i = 0; i < 32; ++i) t.cpu.f[i] = 0x4000000000000000ull + i;
  t.cpu.fflags = 0x3;
  t.cpu.frm = 2;
  t.cpu.common.pc = 0x7000;
  t.blocked = bit(kSigUsr1);

  queue_sync_signal(&t, kSigSegv, kGuestSegvMaperr, 0xdead);
  process_pending_signals(&t);
  const uint64_t frame = t.cpu.x[2];
  EXPECT_EQ(frame % 16, 0u);
  EXPECT_GT(frame, kAlt);  // SA_ONSTACK: on the alternate stack
  EXPECT_LE(frame + sizeof(GuestRtSigframe), kAlt + 0x10000);
  EXPECT_EQ(t.cpu.common.pc, 0x5000u);
  EXPECT_EQ(t.cpu.x[1], kTramp);
  EXPECT_EQ(t.cpu.x[10], uint64_t(kSigSegv));
  EXPECT_EQ(t.cpu.x[11], frame);
  EXPECT_EQ(t.cpu.x[12], frame + 128);
  EXPECT_EQ(t.blocked, bit(kSigUsr1) | bit(kSigUsr2) | bit(kSigSegv));
  auto f = get<GuestRtSigframe>(frame);
  EXPECT_EQ(f.info.si_signo, kSigSegv);
  EXPECT_EQ(f.info.si_code, kGuestSegvMaperr);
  uint64_t addr;
  std::memcpy(&addr, f.info.fields, 8);
  EXPECT_EQ(addr, 0xdeadu);
  EXPECT_EQ(f.uc.uc_sigmask, bit(kSigUsr1));
  EXPECT_EQ(f.uc.uc_stack.ss_sp, kAlt);
  EXPECT_EQ(f.uc.uc_mcontext.sc_regs[0], 0x7000u);
  EXPECT_EQ(f.uc.uc_mcontext.sc_regs[2], kStack + 0x8008);
  EXPECT_EQ(f.uc.uc_mcontext.sc_regs[31], 0x1000u + 31);
  EXPECT_EQ(f.uc.uc_mcontext.fp_f[5], 0x4000000000000005ull);
  EXPECT_EQ(f.uc.uc_mcontext.fp_fcsr, (2u << 5) | 3u);
  // The trampoline: li a7, 139; ecall.
  EXPECT_EQ(get<uint32_t>(kTramp), 0x08b00893u);
  EXPECT_EQ(get<uint32_t>(kTramp + 4), 0x00000073u);

  // The handler patches the saved pc (as siglongjmp-less recovery does) and
  // returns through rt_sigreturn.
  put(frame + 128 + 176, uint64_t{0x7004});
  t.cpu.x[5] = 0;
  t.cpu.f[5] = 0;
  t.cpu.frm = 0;
  long r = sys_rt_sigreturn(&t);
  EXPECT_EQ(r, long(0x1000 + 10));
  EXPECT_EQ(t.cpu.common.pc, 0x7004u);
  EXPECT_EQ(t.cpu.x[2], kStack + 0x8008);
  EXPECT_EQ(t.cpu.x[5], 0x1005u);
  EXPECT_EQ(t.cpu.f[5], 0x4000000000000005ull);
  EXPECT_EQ(t.cpu.frm, 2u);
  EXPECT_EQ(t.cpu.fflags, 3u);
  EXPECT_EQ(t.blocked, bit(kSigUsr1));
  t.blocked = 0;
  process_pending_signals(&t);
}

TEST_F(SignalGuest, InterruptedSyscallRestartsWithSaRestart) {
  put(kData, GuestSigaction{0x5000, kSaRestart, 0});
  ASSERT_EQ(sys_rt_sigaction(&t, kSigTrap, kData, 0, 8), 0);
  t.cpu.common.pc = 0x7004;  // after the ecall
  t.cpu.x[10] = uint64_t(-EINTR);
  t.syscall_interrupted = true;
  t.syscall_orig_a0 = 3;
  queue_sync_signal(&t, kSigTrap, kGuestTrapBrkpt, 0x7000);
  process_pending_signals(&t);
  auto f = get<GuestRtSigframe>(t.cpu.x[2]);
  EXPECT_EQ(f.uc.uc_mcontext.sc_regs[0], 0x7000u);  // back to the ecall
  EXPECT_EQ(f.uc.uc_mcontext.sc_regs[10], 3u);      // original a0
  EXPECT_FALSE(t.syscall_interrupted);

  // Without SA_RESTART the call returns -EINTR.
  put(kData, GuestSigaction{0x5000, 0, 0});
  ASSERT_EQ(sys_rt_sigaction(&t, kSigTrap, kData, 0, 8), 0);
  t.blocked = 0;
  t.cpu.x[2] = kStack + 0x8000;
  t.cpu.common.pc = 0x7004;
  t.cpu.x[10] = uint64_t(-EINTR);
  t.syscall_interrupted = true;
  queue_sync_signal(&t, kSigTrap, kGuestTrapBrkpt, 0x7000);
  process_pending_signals(&t);
  f = get<GuestRtSigframe>(t.cpu.x[2]);
  EXPECT_EQ(f.uc.uc_mcontext.sc_regs[0], 0x7004u);
  EXPECT_EQ(int64_t(f.uc.uc_mcontext.sc_regs[10]), -EINTR);

  // No handler runs: restarted transparently.
  t.blocked = 0;
  t.cpu.common.pc = 0x7004;
  t.syscall_interrupted = true;
  process_pending_signals(&t);
  EXPECT_EQ(t.cpu.common.pc, 0x7000u);
  EXPECT_EQ(t.cpu.x[10], 3u);
}

}  // namespace
}  // namespace mimic::linux_user
