// Terminal and generic ioctls: a pseudo-terminal pair (posix_openpt, grantpt,
// unlockpt, ptsname), tcgetattr/tcsetattr (TCGETS/TCSETS), window size
// (TIOCGWINSZ/TIOCSWINSZ), FIONREAD on a pipe and a pty, ENOTTY on a pipe.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void check(int ok, const char* what) {
  if (!ok) {
    printf("FAIL %s: %s\n", what, strerror(errno));
    exit(1);
  }
}

int main(void) {
  int p[2];
  check(pipe(p) == 0, "pipe");
  check(write(p[1], "12345", 5) == 5, "write");
  int avail = -1;
  check(ioctl(p[0], FIONREAD, &avail) == 0, "FIONREAD pipe");
  printf("pipe FIONREAD: %d\n", avail);
  struct termios t;
  errno = 0;
  int r = tcgetattr(p[0], &t);
  printf("tcgetattr on pipe: %d errno ENOTTY %d\n", r, errno == ENOTTY);
  printf("isatty(pipe): %d\n", isatty(p[0]));

  int m = posix_openpt(O_RDWR | O_NOCTTY);
  check(m >= 0, "posix_openpt");
  check(grantpt(m) == 0, "grantpt");
  check(unlockpt(m) == 0, "unlockpt");
  const char* name = ptsname(m);
  check(name != NULL, "ptsname");
  printf("ptsname prefix ok: %d\n", strncmp(name, "/dev/pts/", 9) == 0);
  int s = open(name, O_RDWR | O_NOCTTY);
  check(s >= 0, "open slave");
  printf("isatty(slave): %d\n", isatty(s));

  check(tcgetattr(s, &t) == 0, "tcgetattr");
  cfmakeraw(&t);
  cfsetispeed(&t, B9600);
  cfsetospeed(&t, B9600);
  check(tcsetattr(s, TCSANOW, &t) == 0, "tcsetattr");
  struct termios u;
  check(tcgetattr(s, &u) == 0, "tcgetattr again");
  printf("raw: icanon %d echo %d, speed 9600 %d\n", (u.c_lflag & ICANON) != 0,
         (u.c_lflag & ECHO) != 0, cfgetospeed(&u) == B9600);

  struct winsize ws = {.ws_row = 33, .ws_col = 101};
  check(ioctl(s, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ");
  struct winsize got = {0};
  check(ioctl(m, TIOCGWINSZ, &got) == 0, "TIOCGWINSZ");
  printf("winsize: %u x %u\n", got.ws_row, got.ws_col);

  check(write(m, "abc", 3) == 3, "write master");
  usleep(10000);
  avail = -1;
  check(ioctl(s, FIONREAD, &avail) == 0, "FIONREAD pty");
  char buf[8] = {0};
  check(read(s, buf, sizeof buf) == 3, "read slave");
  printf("pty: FIONREAD %d read '%s'\n", avail, buf);
  close(s);
  close(m);
  printf("done\n");
  return 0;
}
