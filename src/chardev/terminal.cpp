#include "chardev/terminal.h"

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <initializer_list>
#include <cstdlib>

namespace mimic::chardev {

namespace {
termios g_saved;
volatile sig_atomic_t g_raw = 0;

void on_fatal_signal(int sig) {
  terminal_restore();
  signal(sig, SIG_DFL);
  raise(sig);
}
}  // namespace

void terminal_restore() {
  if (g_raw) {
    tcsetattr(0, TCSANOW, &g_saved);
    g_raw = 0;
  }
}

void terminal_enter_raw(bool allow_signals) {
  if (g_raw || !isatty(0) || tcgetattr(0, &g_saved) != 0) return;
  termios t = g_saved;
  t.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_oflag |= OPOST;  // keep "\n" -> "\r\n" so guest output stays readable
  t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | IEXTEN);
  if (!allow_signals) t.c_lflag &= ~static_cast<tcflag_t>(ISIG);
  t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (tcsetattr(0, TCSANOW, &t) != 0) return;
  g_raw = 1;
  static bool installed = false;
  if (!installed) {
    installed = true;
    std::atexit(terminal_restore);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
      struct sigaction old {};
      if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO)) {
        struct sigaction sa {};
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sig, &sa, nullptr);
      }
    }
  }
}

}  // namespace mimic::chardev
