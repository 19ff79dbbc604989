#include "chardev/fd_chardev.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "chardev/terminal.h"

namespace mimic::chardev {

FdChardev::FdChardev(core::EventLoop* loop, int in_fd, int out_fd, bool close_fds)
    : loop_(loop), in_fd_(in_fd), out_fd_(out_fd), close_fds_(close_fds) {
  if (in_fd_ >= 0 && loop_ != nullptr) {
    // A regular file or /dev/null cannot be watched: it simply gives no input.
    watching_ = loop_->add_fd(in_fd_, EPOLLIN, [this](uint32_t) { on_readable(); }).ok();
  }
}

FdChardev::~FdChardev() {
  if (watching_) loop_->remove_fd(in_fd_);
  if (close_fds_) {
    if (in_fd_ >= 0) close(in_fd_);
    if (out_fd_ >= 0 && out_fd_ != in_fd_) close(out_fd_);
  }
}

void FdChardev::on_readable() {
  uint8_t buf[4096];
  ssize_t n = read(in_fd_, buf, sizeof buf);
  if (n > 0) {
    push_input(buf, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    loop_->remove_fd(in_fd_);  // EOF: no more input
    watching_ = false;
  }
}

void FdChardev::write(const uint8_t* data, size_t len) {
  if (out_fd_ < 0) return;
  while (len > 0) {
    ssize_t n = ::write(out_fd_, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader went away: drop the output
    data += n;
    len -= static_cast<size_t>(n);
  }
}

std::unique_ptr<FdChardev> make_stdio_chardev(core::EventLoop* loop, bool allow_signals) {
  terminal_enter_raw(allow_signals);
  return std::make_unique<FdChardev>(loop, 0, 1, false);
}

Result<std::unique_ptr<FdChardev>> make_file_chardev(core::EventLoop* loop, const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return make_error("cannot open '" + path + "': " + std::strerror(errno));
  return std::make_unique<FdChardev>(loop, -1, fd, true);
}

}  // namespace mimic::chardev
