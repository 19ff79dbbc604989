#include "chardev/socket_chardev.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mimic::chardev {

Result<TcpSpec> parse_tcp_spec(const std::string& spec) {
  if (spec.rfind("tcp:", 0) != 0) return make_error("'" + spec + "': expected tcp:HOST:PORT");
  std::string rest = spec.substr(4);
  std::string addr = rest.substr(0, rest.find(','));
  std::string opts = rest.size() > addr.size() ? rest.substr(addr.size() + 1) : "";
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return make_error("'" + spec + "': expected tcp:HOST:PORT");
  TcpSpec t;
  t.host = addr.substr(0, colon);
  std::string port = addr.substr(colon + 1);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) return make_error("'" + spec + "': bad port '" + port + "'");
  t.port = static_cast<uint16_t>(p);
  size_t pos = 0;
  while (pos < opts.size()) {
    size_t comma = opts.find(',', pos);
    std::string o = opts.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? opts.size() : comma + 1;
    if (o == "server" || o == "server=on") {
      t.server = true;
    } else if (o == "server=off") {
      t.server = false;
    } else if (o == "wait=off" || o == "nowait") {
      t.wait = false;
    } else if (o == "wait=on" || o == "wait") {
      t.wait = true;
    } else if (!o.empty()) {
      return make_error("'" + spec + "': unsupported option '" + o + "'");
    }
  }
  if (!t.server) return make_error("'" + spec + "': only server sockets are supported (add ,server)");
  return t;
}

Result<std::unique_ptr<SocketChardev>> SocketChardev::listen_tcp(core::EventLoop* loop, const std::string& host,
                                                                 uint16_t port, bool wait) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string port_s = std::to_string(port);
  int gai = getaddrinfo(host.empty() ? nullptr : host.c_str(), port_s.c_str(), &hints, &res);
  if (gai != 0) return make_error("tcp:" + host + ":" + port_s + ": " + gai_strerror(gai));
  int fd = -1;
  std::string err;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 1) != 0) {
      err = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) return make_error("tcp:" + host + ":" + port_s + ": cannot listen: " + err);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  uint16_t bound = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                   : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  std::unique_ptr<SocketChardev> c(new SocketChardev(loop, fd, bound));
  if (wait) {
    std::fprintf(stderr, "mimic-system-riscv64: waiting for connection on tcp:%s:%u,server\n",
                 host.c_str(), bound);
    int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return make_error(std::string("tcp: accept failed: ") + std::strerror(errno));
    c->set_client(client);
  } else {
    auto r = loop->add_fd(fd, EPOLLIN, [p = c.get()](uint32_t) { p->on_accept(); });
    if (!r.ok()) return r.error();
  }
  return c;
}

SocketChardev::~SocketChardev() {
  if (client_fd_ >= 0) {
    loop_->remove_fd(client_fd_);
    close(client_fd_);
  } else {
    loop_->remove_fd(listen_fd_);
  }
  close(listen_fd_);
}

void SocketChardev::set_client(int fd) {
  client_fd_ = fd;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!loop_->add_fd(fd, EPOLLIN | EPOLLRDHUP, [this](uint32_t) { on_client_readable(); }).ok()) drop_client();
}

void SocketChardev::on_accept() {
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  loop_->remove_fd(listen_fd_);  // one client at a time
  set_client(fd);
}

void SocketChardev::drop_client() {
  if (client_fd_ < 0) return;
  loop_->remove_fd(client_fd_);
  close(client_fd_);
  client_fd_ = -1;
  (void)loop_->add_fd(listen_fd_, EPOLLIN, [this](uint32_t) { on_accept(); });
}

void SocketChardev::on_client_readable() {
  uint8_t buf[4096];
  ssize_t n = recv(client_fd_, buf, sizeof buf, MSG_DONTWAIT);
  if (n > 0) {
    push_input(buf, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    drop_client();
  }
}

void SocketChardev::write(const uint8_t* data, size_t len) {
  while (client_fd_ >= 0 && len > 0) {
    ssize_t n = send(client_fd_, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      drop_client();
      return;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

}  // namespace mimic::chardev
