// Arguments, environment and the auxiliary vector. The test driver gives
// every run the same environment and the arguments listed in env_argv.args
// (an empty string, spaces, a tab, UTF-8, many arguments).
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char** environ;

static const char* base(const char* p) {
  const char* s = strrchr(p, '/');
  return s ? s + 1 : p;
}

int main(int argc, char** argv) {
  printf("argc %d, argv[0] basename %s\n", argc, base(argv[0]));
  for (int i = 1; i < argc; i++) printf("argv[%d] = [%s]\n", i, argv[i]);
  printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);

  const char* vars[] = {"MIMIC_TEST_GREETING", "MIMIC_TEST_SPACES", "PATH", "LC_ALL", "NOT_SET_ANYWHERE"};
  for (unsigned i = 0; i < sizeof vars / sizeof vars[0]; i++) {
    const char* v = getenv(vars[i]);
    printf("getenv(%s) = %s%s%s\n", vars[i], v ? "[" : "", v ? v : "(null)", v ? "]" : "");
  }
  int found = 0;
  for (char** e = environ; *e; e++) found += strncmp(*e, "MIMIC_TEST_GREETING=", 20) == 0;
  printf("environ holds MIMIC_TEST_GREETING once: %d\n", found == 1);
  setenv("ADDED", "value=with=equals", 1);
  setenv("ADDED", "ignored", 0);
  printf("setenv/getenv: %s\n", getenv("ADDED"));
  unsetenv("ADDED");
  printf("after unsetenv: %s\n", getenv("ADDED") ? "still set" : "gone");
  putenv("PUT=1");
  printf("putenv: %s\n", getenv("PUT"));

  printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
  printf("AT_UID matches getuid %d, AT_EUID %d, AT_GID %d, AT_EGID %d\n", getauxval(AT_UID) == getuid(),
         getauxval(AT_EUID) == geteuid(), getauxval(AT_GID) == getgid(), getauxval(AT_EGID) == getegid());
  printf("AT_SECURE %lu, AT_RANDOM set %d, AT_PHDR set %d, AT_ENTRY set %d\n", getauxval(AT_SECURE),
         getauxval(AT_RANDOM) != 0, getauxval(AT_PHDR) != 0, getauxval(AT_ENTRY) != 0);
  const char* execfn = (const char*)getauxval(AT_EXECFN);
  printf("AT_EXECFN basename %s\n", execfn ? base(execfn) : "(none)");

  return 0;
}
