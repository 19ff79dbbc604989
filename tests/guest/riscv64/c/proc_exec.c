// execve of the program itself (argv[0]) with new arguments and a new
// environment, from a forked child and then in place; close-on-exec file
// descriptors; and the error of exec'ing a missing file. A riscv64 guest can
// only exec riscv64 programs, so the program execs itself rather than /bin/sh.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_mode(int argc, char** argv) {
  printf("child: argc %d", argc);
  for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
  printf("\nchild: EXEC_VAR=%s PATH=%s\n", getenv("EXEC_VAR") ? getenv("EXEC_VAR") : "(unset)",
         getenv("PATH") ? getenv("PATH") : "(unset)");
  // fd 10 was opened without O_CLOEXEC, fd 11 with it.
  printf("child: fd 10 open %d, fd 11 open %d\n", fcntl(10, F_GETFD) != -1, fcntl(11, F_GETFD) != -1);
  if (argc > 2 && strcmp(argv[2], "again") == 0) {
    // Exec in place once more (no fork): this process becomes "final".
    fflush(stdout);
    char* args[] = {argv[0], "final", NULL};
    char* env[] = {"EXEC_VAR=second", NULL};
    execve(argv[0], args, env);
    printf("child: exec again failed errno %d\n", errno);
    return 3;
  }
  return 17;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && strcmp(argv[1], "final") == 0) {
    printf("final: argc %d EXEC_VAR=%s\n", argc, getenv("EXEC_VAR"));
    return 23;
  }
  if (argc > 1 && strcmp(argv[1], "child") == 0) return child_mode(argc, argv);

  int plain = open(".", O_RDONLY);
  int cloexec = open(".", O_RDONLY | O_CLOEXEC);
  dup2(plain, 10);
  dup2(cloexec, 11);
  fcntl(11, F_SETFD, FD_CLOEXEC);

  for (int round = 0; round < 2; round++) {
    pid_t pid = fork();
    if (pid == 0) {
      char* args[] = {argv[0], "child", round ? "again" : "with space", "", NULL};
      char* env[] = {"EXEC_VAR=first", "PATH=/nowhere", NULL};
      execve(argv[0], args, env);
      printf("exec failed: errno %d\n", errno);
      _exit(99);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("parent: round %d child exited %d\n", round, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }

  errno = 0;
  int r = execl("./no-such-program", "x", (char*)NULL);
  printf("exec of a missing file: %d ENOENT=%d\n", r, errno == ENOENT);
  return 0;
}
