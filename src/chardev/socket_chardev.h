#pragma once
// TCP server character device (-serial tcp:HOST:PORT,server[,wait=off]):
// listens, serves one client at a time, and listens again when it leaves.
// Output while no client is connected is dropped. With wait=on (QEMU's
// default for servers) creation blocks until the first client connects.
#include <string>

#include "chardev/chardev.h"
#include "core/error.h"
#include "core/event_loop.h"

namespace mimic::chardev {

class SocketChardev final : public Chardev {
 public:
  static Result<std::unique_ptr<SocketChardev>> listen_tcp(core::EventLoop* loop, const std::string& host,
                                                           uint16_t port, bool wait);
  ~SocketChardev() override;
  void write(const uint8_t* data, size_t len) override;
  uint16_t port() const { return port_; }
  bool connected() const { return client_fd_ >= 0; }

 private:
  SocketChardev(core::EventLoop* loop, int listen_fd, uint16_t port)
      : loop_(loop), listen_fd_(listen_fd), port_(port) {}
  void on_accept();
  void on_client_readable();
  void drop_client();
  void set_client(int fd);

  core::EventLoop* loop_;
  int listen_fd_;
  int client_fd_ = -1;
  uint16_t port_;
};

// Parses "tcp:HOST:PORT[,server[=on]][,wait=off][,nowait]".
struct TcpSpec {
  std::string host;
  uint16_t port = 0;
  bool server = false;
  bool wait = true;
};
Result<TcpSpec> parse_tcp_spec(const std::string& spec);

}  // namespace mimic::chardev
