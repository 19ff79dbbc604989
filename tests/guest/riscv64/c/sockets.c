// Sockets through the system-call layer: socketpair, AF_UNIX and TCP/UDP on
// the loopback address, socket options, sendmsg/recvmsg with SCM_RIGHTS,
// shutdown. Output is identical natively and under emulation.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(int ok, const char* what) {
  if (!ok) {
    printf("FAIL %s: %s\n", what, strerror(errno));
    exit(1);
  }
}

static void test_socketpair(void) {
  int sv[2];
  check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  check(write(sv[0], "ping", 4) == 4, "write");
  char buf[8] = {0};
  check(read(sv[1], buf, sizeof buf) == 4, "read");
  printf("socketpair: %s\n", buf);
  int type = 0;
  socklen_t len = sizeof type;
  check(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0, "getsockopt");
  printf("SO_TYPE stream: %d, len %u\n", type == SOCK_STREAM, (unsigned)len);
  check(shutdown(sv[0], SHUT_WR) == 0, "shutdown");
  printf("read after shutdown: %zd\n", read(sv[1], buf, sizeof buf));
  close(sv[0]);
  close(sv[1]);
}

static void test_scm_rights(void) {
  int sv[2], p[2];
  check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair dgram");
  check(pipe(p) == 0, "pipe");
  char data = 'x';
  struct iovec iov = {&data, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &p[1], sizeof(int));
  check(sendmsg(sv[0], &msg, 0) == 1, "sendmsg");

  char got = 0;
  struct iovec iov2 = {&got, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u2;
  struct msghdr m2 = {0};
  m2.msg_iov = &iov2;
  m2.msg_iovlen = 1;
  m2.msg_control = u2.buf;
  m2.msg_controllen = sizeof u2.buf;
  check(recvmsg(sv[1], &m2, 0) == 1, "recvmsg");
  struct cmsghdr* c2 = CMSG_FIRSTHDR(&m2);
  check(c2 && c2->cmsg_type == SCM_RIGHTS, "cmsg");
  int fd;
  memcpy(&fd, CMSG_DATA(c2), sizeof fd);
  check(write(fd, "via passed fd", 13) == 13, "write passed fd");
  char buf[32] = {0};
  check(read(p[0], buf, sizeof buf) == 13, "read pipe");
  printf("scm_rights: %c %s\n", got, buf);
  close(fd);
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}

static void test_unix_stream(const char* dir) {
  struct sockaddr_un addr = {0};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s/sock", dir);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(s >= 0, "socket unix");
  check(bind(s, (struct sockaddr*)&addr, sizeof addr) == 0, "bind unix");
  check(listen(s, 4) == 0, "listen unix");
  pid_t pid = fork();
  check(pid >= 0, "fork");
  if (pid == 0) {
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr*)&addr, sizeof addr) != 0) _exit(2);
    if (write(c, "hello over unix", 15) != 15) _exit(3);
    _exit(0);
  }
  int a = accept4(s, NULL, NULL, SOCK_CLOEXEC);
  check(a >= 0, "accept4");
  char buf[32] = {0};
  size_t got = 0;
  ssize_t n;
  while ((n = read(a, buf + got, sizeof buf - 1 - got)) > 0) got += n;
  int st;
  waitpid(pid, &st, 0);
  printf("unix stream: '%s', child exit %d\n", buf, WEXITSTATUS(st));
  close(a);
  close(s);
  unlink(addr.sun_path);
}

static void test_tcp(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  check(s >= 0, "socket tcp");
  int one = 1;
  check(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "reuseaddr");
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  check(bind(s, (struct sockaddr*)&addr, sizeof addr) == 0, "bind tcp");
  socklen_t len = sizeof addr;
  check(getsockname(s, (struct sockaddr*)&addr, &len) == 0, "getsockname");
  check(listen(s, 1) == 0, "listen tcp");
  int c = socket(AF_INET, SOCK_STREAM, 0);
  check(connect(c, (struct sockaddr*)&addr, sizeof addr) == 0, "connect tcp");
  check(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "nodelay");
  struct sockaddr_in peer;
  socklen_t plen = sizeof peer;
  int a = accept(s, (struct sockaddr*)&peer, &plen);
  check(a >= 0, "accept tcp");
  printf("tcp peer: %s, family ok %d\n", inet_ntoa(peer.sin_addr), peer.sin_family == AF_INET);
  check(send(c, "0123456789", 10, 0) == 10, "send");
  char buf[16] = {0};
  size_t got = 0;
  while (got < 10) {
    ssize_t n = recv(a, buf + got, 10 - got, 0);
    check(n > 0, "recv");
    got += n;
  }
  printf("tcp data: %s\n", buf);
  int nd = 0;
  len = sizeof nd;
  check(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, &len) == 0, "get nodelay");
  printf("tcp nodelay: %d\n", nd != 0);
  close(a);
  close(c);
  close(s);
}

static void test_udp(void) {
  int r = socket(AF_INET, SOCK_DGRAM, 0);
  check(r >= 0, "socket udp");
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check(bind(r, (struct sockaddr*)&addr, sizeof addr) == 0, "bind udp");
  socklen_t len = sizeof addr;
  check(getsockname(r, (struct sockaddr*)&addr, &len) == 0, "getsockname udp");
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  check(sendto(s, "datagram", 8, 0, (struct sockaddr*)&addr, sizeof addr) == 8, "sendto");
  char buf[16] = {0};
  struct sockaddr_in from;
  socklen_t flen = sizeof from;
  check(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr*)&from, &flen) == 8, "recvfrom");
  printf("udp: %s from %s\n", buf, inet_ntoa(from.sin_addr));
  close(r);
  close(s);
}

int main(void) {
  char dir[] = "sockXXXXXX";
  check(mkdtemp(dir) != NULL, "mkdtemp");
  test_socketpair();
  test_scm_rights();
  test_unix_stream(dir);
  test_tcp();
  test_udp();
  rmdir(dir);
  printf("done\n");
  return 0;
}
