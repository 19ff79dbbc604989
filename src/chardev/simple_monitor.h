#pragma once
// A minimal human monitor (HMP subset) reached with Ctrl-a c on mon:stdio:
// help, info registers, info version, stop, cont, system_reset, quit. The
// machine side supplies the actions; the full QMP/HMP monitor (monitor/)
// will replace this.
#include <functional>
#include <string>

#include "chardev/chardev.h"
#include "chardev/mux_chardev.h"

namespace mimic::chardev {

struct MonitorHooks {
  std::function<std::string()> info_registers;  // text of all harts' registers
  std::function<void()> stop;
  std::function<void()> cont;
  std::function<void()> system_reset;
  std::function<void()> quit;
};

class SimpleMonitor final : public MonitorInput {
 public:
  static constexpr size_t kMaxLine = 1024;

  // Output goes to `out` (the mux's backend), which must outlive the monitor.
  SimpleMonitor(Chardev* out, MonitorHooks hooks) : out_(out), hooks_(std::move(hooks)) {}
  void input(uint8_t byte) override;
  void focused() override;
  // Runs one command line; returns its output (also used by tests).
  std::string execute(const std::string& line);

 private:
  void print(const std::string& s);
  Chardev* out_;
  MonitorHooks hooks_;
  std::string line_;
};

}  // namespace mimic::chardev
