#pragma once
// Raw mode for the controlling terminal of -nographic / -serial stdio. The
// saved settings are restored however the process ends: normal exit
// (atexit) or a fatal signal (the handler restores, then re-raises with the
// default action). Handlers are installed only for signals nobody else
// handles, so the emulator's own fault handling is left alone.
namespace mimic::chardev {

// Puts fd 0 in raw mode if it is a terminal. With allow_signals false,
// Ctrl-C and Ctrl-Z reach the guest instead of the emulator.
void terminal_enter_raw(bool allow_signals);
// Restores the saved settings (idempotent, async-signal-safe).
void terminal_restore();

}  // namespace mimic::chardev
