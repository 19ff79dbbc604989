#pragma once
// Character devices over host file descriptors: stdio (-serial stdio) and
// file: (-serial file:PATH, output only).
#include <string>

#include "chardev/chardev.h"
#include "core/error.h"
#include "core/event_loop.h"

namespace mimic::chardev {

class FdChardev final : public Chardev {
 public:
  // Reads in_fd (if >= 0) through the loop and writes to out_fd. Owns the
  // fds it is told to close.
  FdChardev(core::EventLoop* loop, int in_fd, int out_fd, bool close_fds);
  ~FdChardev() override;
  void write(const uint8_t* data, size_t len) override;

 private:
  void on_readable();
  core::EventLoop* loop_;
  int in_fd_, out_fd_;
  bool close_fds_;
  bool watching_ = false;
};

// stdio: raw terminal (restored at exit), input from fd 0, output to fd 1.
std::unique_ptr<FdChardev> make_stdio_chardev(core::EventLoop* loop, bool allow_signals);
// file:PATH, truncated like QEMU's file backend.
Result<std::unique_ptr<FdChardev>> make_file_chardev(core::EventLoop* loop, const std::string& path);

}  // namespace mimic::chardev
