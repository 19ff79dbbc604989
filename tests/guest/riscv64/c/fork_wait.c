// fork and wait: exit codes, a child killed by a signal, copy-on-write
// isolation of memory after fork, getppid, waiting for several children in a
// fixed order, WNOHANG, and a grandchild reparented when its parent exits.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int counter = 100;

static void describe(const char* what, int status) {
  if (WIFEXITED(status))
    printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    printf("%s: killed by signal %s\n", what, WTERMSIG(status) == SIGTERM ? "SIGTERM"
                                                 : WTERMSIG(status) == SIGKILL ? "SIGKILL"
                                                 : WTERMSIG(status) == SIGABRT ? "SIGABRT"
                                                                               : "other");
  else
    printf("%s: status %#x\n", what, status);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  pid_t parent = getpid();

  // exit codes and memory isolation
  int* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  *shared = 1;
  pid_t pid = fork();
  if (pid == 0) {
    counter += 1;
    *shared = 2;
    _exit(getppid() == parent ? 42 : 1);
  }
  int status;
  pid_t w = waitpid(pid, &status, 0);
  describe("child 1", status);
  printf("waitpid returned the child: %d\n", w == pid);
  printf("private counter after child changed it: %d, shared page: %d\n", counter, *shared);

  // a child killed by a signal
  int p[2];
  pipe(p);
  pid = fork();
  if (pid == 0) {
    close(p[0]);
    write(p[1], "r", 1);  // tell the parent we are running
    for (;;) pause();
  }
  close(p[1]);
  char c;
  read(p[0], &c, 1);
  close(p[0]);
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  describe("child 2", status);

  // a child that aborts
  pid = fork();
  if (pid == 0) {
    signal(SIGABRT, SIG_DFL);
    abort();
  }
  waitpid(pid, &status, 0);
  describe("child 3", status);

  // several children, waited for in creation order
  pid_t kids[5];
  for (int i = 0; i < 5; i++) {
    kids[i] = fork();
    if (kids[i] == 0) _exit(10 + i);
  }
  for (int i = 0; i < 5; i++) {
    waitpid(kids[i], &status, 0);
    printf("kid %d -> %d\n", i, WEXITSTATUS(status));
  }

  // WNOHANG while the child is blocked (on a pipe the parent holds), then ECHILD
  int hold[2];
  pipe(hold);
  pid = fork();
  if (pid == 0) {
    close(hold[1]);
    read(hold[0], &c, 1);  // returns 0 once the parent closes its end
    _exit(3);
  }
  close(hold[0]);
  int nohang = waitpid(pid, &status, WNOHANG);
  printf("WNOHANG while child runs: %d\n", nohang);
  close(hold[1]);
  waitpid(pid, &status, 0);
  describe("child 4", status);
  errno = 0;
  int none = wait(&status);
  printf("wait with no children: %d ECHILD=%d\n", none, errno == ECHILD);

  // wait() reaps any child; waitid reports the code
  pid = fork();
  if (pid == 0) _exit(5);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  waitid(P_PID, (id_t)pid, &info, WEXITED);
  printf("waitid: code CLD_EXITED=%d status %d pid matches %d\n", info.si_code == CLD_EXITED, info.si_status,
         info.si_pid == pid);

  // output written before fork is not duplicated once flushed
  printf("buffered line before fork\n");
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    printf("hello from the child\n");
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, &status, 0);
  printf("done, parent still %d\n", getpid() == parent);
  munmap(shared, 4096);
  return 0;
}
