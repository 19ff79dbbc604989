#pragma once
// What a machine offers to devices that power it off or reset it
// (sifive_test, syscon-poweroff). The machine decides what happens: the
// run loop stops and the process exits, or (unless -no-reboot) resets.
namespace mimic::hw {

class PowerControl {
 public:
  virtual ~PowerControl() = default;
  // Guest-requested power off; exit_code becomes the process exit status.
  virtual void request_shutdown(int exit_code) = 0;
  virtual void request_reset() = 0;
};

}  // namespace mimic::hw
