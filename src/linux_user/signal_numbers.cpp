// Guest <-> host signal numbers, sets, siginfo and wait statuses, and the
// default action of each signal (signal(7)).
#include <cstring>

#include "linux_user/signal_internal.h"

namespace mimic::linux_user {
namespace {

// Host glibc hides the first real-time signals for itself (SIGCANCEL,
// SIGSETXID); SIGRTMIN is the first one a program may use (34 on glibc).
int host_rtmin() {
  static const int v = SIGRTMIN;
  return v;
}

constexpr int kGuestRtmin = 32;

}  // namespace

int guest_to_host_signal(int g) {
  if (g >= 0 && g < kGuestRtmin) return g;
  if (g < 0 || g > kGuestNsig) return 0;
  int h = host_rtmin() + (g - kGuestRtmin);
  return h <= SIGRTMAX ? h : 0;
}

int host_to_guest_signal(int h) {
  if (h >= 0 && h < kGuestRtmin) return h;
  if (h < host_rtmin() || h > SIGRTMAX) return 0;
  int g = kGuestRtmin + (h - host_rtmin());
  return g <= kGuestNsig ? g : 0;
}

int host_to_guest_wait_status(int st) {
  if ((st & 0x7f) != 0 && (st & 0x7f) != 0x7f) {  // WIFSIGNALED
    int g = host_to_guest_signal(st & 0x7f);
    return (st & ~0x7f) | (g ? g : (st & 0x7f));
  }
  if ((st & 0xff) == 0x7f) {  // WIFSTOPPED; bits 16.. hold ptrace events
    int g = host_to_guest_signal((st >> 8) & 0xff);
    return (st & ~0xff00) | ((g ? g : (st >> 8) & 0xff) << 8);
  }
  return st;
}

namespace sig {

DefaultAction default_action(int s) {
  switch (s) {
    case kSigQuit: case kSigIll: case kSigTrap: case kSigAbrt: case kSigBus:
    case kSigFpe: case kSigSegv: case kSigXcpu: case kSigXfsz: case kSigSys:
      return DefaultAction::kCore;
    case kSigChld: case kSigUrg: case kSigWinch:
      return DefaultAction::kIgnore;
    case kSigCont:
      return DefaultAction::kContinue;
    case kSigStop: case kSigTstp: case kSigTtin: case kSigTtou:
      return DefaultAction::kStop;
    default:
      return DefaultAction::kTerminate;  // including all real-time signals
  }
}

void guest_to_host_set(GuestSigset g, sigset_t* out) {
  sigemptyset(out);
  for (int s = 1; s <= kGuestNsig; ++s) {
    if (!(g & bit(s))) continue;
    int h = guest_to_host_signal(s);
    if (h) sigaddset(out, h);
  }
}

GuestSigset host_to_guest_set(const sigset_t* h) {
  GuestSigset g = 0;
  for (int hs = 1; hs <= SIGRTMAX; ++hs) {
    if (sigismember(h, hs) != 1) continue;
    int s = host_to_guest_signal(hs);
    if (s) g |= bit(s);
  }
  return g;
}

namespace {
// SIGCHLD codes whose si_status is a signal number (CLD_KILLED..CONTINUED).
bool chld_status_is_signal(int code) { return code >= 2 && code <= 6; }
}  // namespace

void host_to_guest_siginfo(const siginfo_t* h, int guest_sig, GuestSiginfo* out) {
  static_assert(sizeof(siginfo_t) == sizeof(GuestSiginfo));
  std::memcpy(out, h, sizeof(*out));
  out->si_signo = guest_sig;
  if (guest_sig == kSigChld && chld_status_is_signal(out->si_code)) {
    int32_t st;
    std::memcpy(&st, out->fields + kSiginfoStatusOffset - 16, 4);
    int g = host_to_guest_signal(st);
    if (g) std::memcpy(out->fields + kSiginfoStatusOffset - 16, &g, 4);
  }
}

void guest_to_host_siginfo(const GuestSiginfo* g, int host_sig, siginfo_t* out) {
  std::memcpy(out, g, sizeof(*g));
  out->si_signo = host_sig;
}

}  // namespace sig
}  // namespace mimic::linux_user
