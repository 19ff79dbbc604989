#include "chardev/mux_chardev.h"

namespace mimic::chardev {

MuxChardev::MuxChardev(Chardev* backend, std::function<void()> on_quit)
    : backend_(backend), on_quit_(std::move(on_quit)) {
  backend_->set_frontend(this);
}

MuxChardev::~MuxChardev() {
  if (backend_->frontend() == this) backend_->set_frontend(nullptr);
}

void MuxChardev::print_help() {
  Chardev::write(std::string(
      "\r\n"
      "C-a h    print this help\r\n"
      "C-a x    exit emulator\r\n"
      "C-a s    save disk data back to file (if -snapshot)\r\n"
      "C-a c    switch between console and monitor\r\n"
      "C-a C-a  sends C-a\r\n"));
}

void MuxChardev::forward(uint8_t byte) {
  if (monitor_focus_ && monitor_ != nullptr) {
    monitor_->input(byte);
  } else {
    push_input(&byte, 1);  // buffered until the device has room
  }
}

void MuxChardev::receive(const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    uint8_t c = data[i];
    if (!escape_pending_) {
      if (c == kEscape) {
        escape_pending_ = true;
      } else {
        forward(c);
      }
      continue;
    }
    escape_pending_ = false;
    switch (c) {
      case 'x':
        Chardev::write(std::string("\r\nmimic: Terminated\r\n"));
        if (on_quit_) on_quit_();
        break;
      case 's':
        if (on_commit_) on_commit_();
        break;
      case 'h':
      case '?':
        print_help();
        break;
      case 'c':
        if (monitor_ == nullptr) break;
        monitor_focus_ = !monitor_focus_;
        if (monitor_focus_) monitor_->focused();
        break;
      case kEscape:
        forward(kEscape);
        break;
      default:
        break;  // unknown escapes are swallowed
    }
  }
}

}  // namespace mimic::chardev
