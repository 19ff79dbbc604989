// The mon:stdio multiplexer's escape keys, the minimal monitor, the event
// loop's timers and the TCP server chardev.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chardev/chardev.h"
#include "chardev/mux_chardev.h"
#include "chardev/simple_monitor.h"
#include "chardev/socket_chardev.h"
#include "core/event_loop.h"

using namespace mimic;
using namespace mimic::chardev;

namespace {
struct SinkFrontend final : CharFrontend {
  std::string got;
  size_t room = 1000;
  size_t can_receive() override { return room; }
  void receive(const uint8_t* d, size_t n) override {
    got.append(reinterpret_cast<const char*>(d), n);
    room -= n;
  }
};
void type(Chardev& c, const std::string& s) { c.push_input(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
}  // namespace

TEST(MuxChardev, EscapesQuitHelpAndLiteralCtrlA) {
  BufferChardev backend;
  int quits = 0;
  MuxChardev mux(&backend, [&] { ++quits; });
  SinkFrontend uart;
  mux.set_frontend(&uart);
  type(backend, "ls\r");
  EXPECT_EQ(uart.got, "ls\r");
  type(backend, "\x01\x01");
  EXPECT_EQ(uart.got, "ls\r\x01");
  type(backend, "\x01h");
  EXPECT_NE(backend.output.find("C-a x    exit emulator"), std::string::npos);
  type(backend, "\x01x");
  EXPECT_EQ(quits, 1);
  EXPECT_NE(backend.output.find("Terminated"), std::string::npos);
  mux.write(reinterpret_cast<const uint8_t*>("out"), 3);
  EXPECT_EQ(backend.output.substr(backend.output.size() - 3), "out");
}

TEST(MuxChardev, MonitorToggleAndCommands) {
  BufferChardev backend;
  MuxChardev mux(&backend, nullptr);
  SinkFrontend uart;
  mux.set_frontend(&uart);
  int stops = 0, conts = 0, quits = 0;
  MonitorHooks hooks;
  hooks.info_registers = [] { return std::string("pc 0000000080000000\n"); };
  hooks.stop = [&] { ++stops; };
  hooks.cont = [&] { ++conts; };
  hooks.quit = [&] { ++quits; };
  SimpleMonitor mon(&backend, hooks);
  mux.set_monitor(&mon);
  type(backend, "\x01" "c");
  EXPECT_TRUE(mux.monitor_focused());
  EXPECT_NE(backend.output.find("(mimic) "), std::string::npos);
  type(backend, "info registers\r");
  EXPECT_NE(backend.output.find("pc 0000000080000000\r\n"), std::string::npos);
  type(backend, "stop\rcont\rbogus\r");
  EXPECT_EQ(stops, 1);
  EXPECT_EQ(conts, 1);
  EXPECT_NE(backend.output.find("unknown command: 'bogus'"), std::string::npos);
  type(backend, "qx\x7f\r");  // backspace removes the x
  EXPECT_EQ(quits, 1);
  EXPECT_TRUE(uart.got.empty());  // nothing leaked to the guest
  type(backend, "\x01" "cabc");
  EXPECT_FALSE(mux.monitor_focused());
  EXPECT_EQ(uart.got, "abc");
}

TEST(Chardev, InputWaitsForRoom) {
  BufferChardev c;
  SinkFrontend fe;
  fe.room = 2;
  type(c, "hello");  // no frontend yet: buffered
  EXPECT_EQ(c.buffered_input(), 5u);
  c.set_frontend(&fe);
  EXPECT_EQ(fe.got, "he");
  fe.room = 10;
  c.accept_input();
  EXPECT_EQ(fe.got, "hello");
}

TEST(EventLoop, TimersFireInOrderAndCancel) {
  core::EventLoop loop;
  std::string order;
  auto t1 = loop.create_timer([&] { order += "1"; });
  auto t2 = loop.create_timer([&] { order += "2"; });
  auto t3 = loop.create_timer([&] { order += "3"; });
  int64_t now = loop.clock().now_ns();
  t2->arm(now + 2'000'000);
  t1->arm(now + 1'000'000);
  t3->arm(now + 3'000'000);
  t3->cancel();
  for (int i = 0; i < 100 && order.size() < 2; ++i) loop.run_once(10);
  EXPECT_EQ(order, "12");
  EXPECT_GE(loop.clock().now_ns(), now + 2'000'000);
  auto stopper = loop.create_timer([&] { loop.stop(); });
  stopper->arm(loop.clock().now_ns() + 1'000'000);
  loop.run();  // returns once stop() is called
  EXPECT_TRUE(loop.stopped());
}

TEST(SocketChardev, ServesOneClient) {
  core::EventLoop loop;
  auto spec = parse_tcp_spec("tcp:127.0.0.1:0,server,wait=off");
  ASSERT_TRUE(spec.ok());
  EXPECT_FALSE(parse_tcp_spec("tcp:127.0.0.1:99999,server").ok());
  EXPECT_FALSE(parse_tcp_spec("tcp:localhost:80").ok());  // client mode unsupported
  auto s = SocketChardev::listen_tcp(&loop, spec->host, 0, false);
  ASSERT_TRUE(s.ok()) << s.error().message;
  SinkFrontend fe;
  (*s)->set_frontend(&fe);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons((*s)->port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  for (int i = 0; i < 50 && !(*s)->connected(); ++i) loop.run_once(10);
  ASSERT_TRUE((*s)->connected());
  ASSERT_EQ(write(fd, "ping", 4), 4);
  for (int i = 0; i < 50 && fe.got.size() < 4; ++i) loop.run_once(10);
  EXPECT_EQ(fe.got, "ping");
  (*s)->write(reinterpret_cast<const uint8_t*>("pong"), 4);
  char buf[8] = {};
  ASSERT_EQ(read(fd, buf, 4), 4);
  EXPECT_STREQ(buf, "pong");
  close(fd);
  for (int i = 0; i < 50 && (*s)->connected(); ++i) loop.run_once(10);
  EXPECT_FALSE((*s)->connected());
}
