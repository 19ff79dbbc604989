#pragma once
// The mon:stdio multiplexer: one backend (the terminal) shared by the guest's
// serial port and the monitor, switched with QEMU's escape keys:
//   Ctrl-a x  quit          Ctrl-a h  list the keys
//   Ctrl-a c  serial <-> monitor        Ctrl-a Ctrl-a  send Ctrl-a
//   Ctrl-a s  save disk data back to file (-snapshot): runs the commit handler
// Guest output always reaches the backend. The device frontend attaches to
// the mux itself (set_frontend), the monitor through set_monitor.
#include <functional>

#include "chardev/chardev.h"

namespace mimic::chardev {

// What the mux hands monitor input to.
class MonitorInput {
 public:
  virtual ~MonitorInput() = default;
  virtual void input(uint8_t byte) = 0;
  // The monitor gained focus: print a prompt.
  virtual void focused() = 0;
};

class MuxChardev final : public Chardev, private CharFrontend {
 public:
  static constexpr uint8_t kEscape = 0x01;  // Ctrl-a

  // `backend` must outlive the mux; on_quit runs on Ctrl-a x.
  MuxChardev(Chardev* backend, std::function<void()> on_quit);
  ~MuxChardev() override;

  void write(const uint8_t* data, size_t len) override { backend_->write(data, len); }
  void set_monitor(MonitorInput* monitor) { monitor_ = monitor; }
  // Ctrl-a s. The handler runs on the loop thread with the big lock held,
  // so it must only queue the work (SystemInstance::commit_snapshots).
  void set_commit_handler(std::function<void()> on_commit) { on_commit_ = std::move(on_commit); }
  bool monitor_focused() const { return monitor_focus_; }
  // Gives the monitor the focus (-monitor stdio with the serial elsewhere).
  void focus_monitor() {
    monitor_focus_ = monitor_ != nullptr;
    if (monitor_focus_) monitor_->focused();
  }
  Chardev* backend() const { return backend_; }

 private:
  size_t can_receive() override { return kMaxBufferedInput; }
  void receive(const uint8_t* data, size_t len) override;
  void forward(uint8_t byte);
  void print_help();

  Chardev* backend_;
  std::function<void()> on_quit_;
  std::function<void()> on_commit_;
  MonitorInput* monitor_ = nullptr;
  bool monitor_focus_ = false;
  bool escape_pending_ = false;
};

}  // namespace mimic::chardev
