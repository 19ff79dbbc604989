// Pipes: pipe/pipe2, data through a pipe between parent and child (more than
// the pipe buffer, so writes block), EOF when the write end closes, EPIPE
// when the read end is gone, non-blocking reads, poll readiness, and a child
// whose stdout is redirected into a pipe with dup2.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kBulk = 1 << 20 };

static int wait_child(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void bulk_transfer(void) {
  int p[2];
  if (pipe(p) != 0) {
    perror("pipe");
    exit(1);
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    unsigned char chunk[4096];
    uint32_t x = 12345;
    for (size_t done = 0; done < kBulk; done += sizeof chunk) {
      for (size_t i = 0; i < sizeof chunk; i++) {
        x = x * 1103515245u + 12345u;
        chunk[i] = (unsigned char)(x >> 16);
      }
      size_t off = 0;
      while (off < sizeof chunk) {
        ssize_t w = write(p[1], chunk + off, sizeof chunk - off);
        if (w <= 0) _exit(2);
        off += (size_t)w;
      }
    }
    _exit(0);
  }
  close(p[1]);
  uint64_t sum = 0, total = 0;
  unsigned char buf[3000];  // odd size: reads split the writer's chunks
  ssize_t r;
  while ((r = read(p[0], buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < r; i++) sum = sum * 131 + buf[i];
    total += (uint64_t)r;
  }
  close(p[0]);
  printf("bulk: %" PRIu64 " bytes, checksum %016" PRIx64 ", last read %zd, child exit %d\n", total, sum, r,
         wait_child(pid));
}

static void eof_and_epipe(void) {
  int p[2];
  pipe(p);
  write(p[1], "abc", 3);
  close(p[1]);
  char buf[8];
  ssize_t a = read(p[0], buf, sizeof buf);
  ssize_t b = read(p[0], buf, sizeof buf);
  printf("read after writer closed: %zd then %zd\n", a, b);
  close(p[0]);

  signal(SIGPIPE, SIG_IGN);
  pipe(p);
  close(p[0]);
  errno = 0;
  ssize_t w = write(p[1], "x", 1);
  printf("write with no reader: %zd EPIPE=%d\n", w, errno == EPIPE);
  close(p[1]);
  signal(SIGPIPE, SIG_DFL);
}

static void nonblocking_and_poll(void) {
  int p[2];
  if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) {
    perror("pipe2");
    exit(1);
  }
  printf("pipe2 flags: nonblock %d cloexec %d\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0,
         (fcntl(p[0], F_GETFD) & FD_CLOEXEC) != 0);
  char c;
  errno = 0;
  ssize_t r = read(p[0], &c, 1);
  printf("empty nonblocking read: %zd EAGAIN=%d\n", r, errno == EAGAIN);
  struct pollfd fds[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
  int n = poll(fds, 2, 0);
  printf("poll empty: %d in=%d out=%d\n", n, (fds[0].revents & POLLIN) != 0, (fds[1].revents & POLLOUT) != 0);
  write(p[1], "z", 1);
  n = poll(fds, 1, 1000);
  printf("poll after write: %d in=%d\n", n, (fds[0].revents & POLLIN) != 0);
  // Fill the pipe until it refuses more.
  static char block[65536];
  size_t filled = 0;
  for (;;) {
    ssize_t w = write(p[1], block, sizeof block);
    if (w < 0) break;
    filled += (size_t)w;
  }
  printf("full pipe: EAGAIN=%d filled>=4096: %d\n", errno == EAGAIN, filled >= 4096);
  close(p[0]);
  close(p[1]);
}

static void child_stdout_redirect(void) {
  int p[2];
  pipe(p);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], STDOUT_FILENO);
    close(p[0]);
    close(p[1]);
    printf("line from the child\n");
    printf("pid>0: %d\n", getpid() > 0);
    fflush(stdout);
    _exit(7);
  }
  close(p[1]);
  char buf[256];
  size_t len = 0;
  ssize_t r;
  while ((r = read(p[0], buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)r;
  buf[len] = 0;
  close(p[0]);
  int code = wait_child(pid);
  printf("captured from child (%zu bytes):\n%s", len, buf);
  printf("child exit %d\n", code);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  bulk_transfer();
  eof_and_epipe();
  nonblocking_and_poll();
  child_stdout_redirect();
  return 0;
}
