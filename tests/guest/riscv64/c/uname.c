// uname and process identity. Fields that name the machine or the kernel
// build differ between native and emulated runs, so only portable facts print.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void) {
  struct utsname u;
  if (uname(&u) != 0) {
    printf("uname failed\n");
    return 1;
  }
  char host[256];
  gethostname(host, sizeof host);
  printf("sysname %s\n", u.sysname);
  printf("nodename matches gethostname: %d\n", strcmp(u.nodename, host) == 0);
  printf("release starts with a digit: %d\n", u.release[0] >= '0' && u.release[0] <= '9');
  printf("machine non-empty: %d\n", u.machine[0] != 0);
  printf("page size %ld, online cpus >= 1: %d\n", sysconf(_SC_PAGESIZE), sysconf(_SC_NPROCESSORS_ONLN) >= 1);
  printf("pid > 1: %d, ppid > 0: %d, pgrp > 0: %d, sid > 0: %d\n", getpid() > 1, getppid() > 0, getpgrp() > 0,
         getsid(0) > 0);
  printf("uid == euid: %d, gid == egid: %d\n", getuid() == geteuid(), getgid() == getegid());
  printf("gettid == getpid in main thread: %d\n", gettid() == getpid());
  return 0;
}
