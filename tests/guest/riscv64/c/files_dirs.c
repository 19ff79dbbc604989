// Files and directories inside the private working directory the test driver
// gives each run: open/read/write/lseek/pread/pwrite, stat family, rename,
// unlink, mkdir/rmdir, opendir/readdir (sorted), symlink/readlink, ftruncate
// (including offsets past 4 GiB), fsync, access, chmod, utimensat, dup, fcntl,
// *at() calls, and the errno of common failures. Nothing printed depends on
// the absolute path of the directory.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int failures;

static const char* errno_name(int e) {
  switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case ELOOP: return "ELOOP";
    default: return "other";
  }
}

// Prints the outcome of a call that returns -1 on failure.
#define TRY(expr)                                                         \
  do {                                                                    \
    errno = 0;                                                            \
    long r_ = (long)(expr);                                               \
    printf("%-44s -> %ld %s\n", #expr, r_ < 0 ? -1L : r_, errno_name(r_ < 0 ? errno : 0)); \
  } while (0)

#define CHECK(cond)                                   \
  do {                                                \
    if (!(cond)) {                                    \
      printf("CHECK FAILED line %d: %s\n", __LINE__, #cond); \
      failures++;                                     \
    }                                                 \
  } while (0)

static int cmp_str(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void list_dir(const char* path) {
  DIR* d = opendir(path);
  if (!d) {
    printf("opendir(%s) failed: %s\n", path, errno_name(errno));
    failures++;
    return;
  }
  char* names[64];
  char types[64];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL && n < 64) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names[n] = malloc(strlen(e->d_name) + 3);
    char t = e->d_type == DT_DIR ? 'd' : e->d_type == DT_LNK ? 'l' : e->d_type == DT_REG ? 'f' : '?';
    sprintf(names[n], "%s", e->d_name);
    types[n] = t;
    n++;
  }
  closedir(d);
  // Sort names (keeping each name's type by storing it after the NUL).
  for (int i = 0; i < n; i++) names[i][strlen(names[i]) + 1] = types[i];
  qsort(names, (size_t)n, sizeof names[0], cmp_str);
  printf("%s:", path);
  for (int i = 0; i < n; i++) {
    char t = names[i][strlen(names[i]) + 1];
    printf(" %s(%c)", names[i], t);
    free(names[i]);
  }
  printf("\n");
}

static void show_stat(const char* path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r != 0) {
    printf("stat %s: %s\n", path, errno_name(errno));
    return;
  }
  char kind = S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : '?';
  printf("stat %s: kind %c mode %03o size %lld nlink %lu\n", path, kind, (unsigned)(st.st_mode & 0777),
         S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size, S_ISDIR(st.st_mode) ? 0UL : (unsigned long)st.st_nlink);
}

int main(void) {
  umask(022);
  // --- plain file I/O ---
  int fd = open("data.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 0);
  char buf[256];
  for (int i = 0; i < 256; i++) buf[i] = (char)i;
  TRY(write(fd, buf, 256));
  TRY(write(fd, "tail", 4));
  TRY(lseek(fd, 0, SEEK_CUR));
  TRY(lseek(fd, 10, SEEK_SET));
  char got[16] = {0};
  TRY(read(fd, got, 5));
  printf("bytes at 10: %d %d %d %d %d\n", got[0], got[1], got[2], got[3], got[4]);
  TRY(lseek(fd, -4, SEEK_END));
  TRY(read(fd, got, 16));
  printf("tail read: %.4s\n", got);
  TRY(read(fd, got, 16));  // at EOF
  TRY(pwrite(fd, "XY", 2, 100));
  TRY(pread(fd, got, 4, 99));
  printf("pread: %d %c %c %d\n", got[0], got[1], got[2], got[3]);
  struct iovec iov[2] = {{.iov_base = "vec", .iov_len = 3}, {.iov_base = "tor", .iov_len = 3}};
  TRY(lseek(fd, 0, SEEK_END));
  TRY(writev(fd, iov, 2));
  char a[4] = {0}, b[4] = {0};
  struct iovec riov[2] = {{.iov_base = a, .iov_len = 3}, {.iov_base = b, .iov_len = 3}};
  TRY(lseek(fd, 260, SEEK_SET));
  TRY(readv(fd, riov, 2));
  printf("readv: %s %s\n", a, b);
  TRY(fsync(fd));
  TRY(fdatasync(fd));
  struct stat st;
  TRY(fstat(fd, &st));
  printf("fstat size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  TRY(ftruncate(fd, 100));
  TRY(fstat(fd, &st));
  printf("after ftruncate size %lld\n", (long long)st.st_size);
  // Offsets beyond 4 GiB: sparse file, 64-bit lseek and stat size.
  off_t far = (off_t)5 << 30;
  TRY(ftruncate(fd, far));
  TRY(lseek(fd, far - 2, SEEK_SET) == far - 2);
  TRY(write(fd, "!!", 2));
  TRY(fstat(fd, &st));
  printf("sparse size %lld\n", (long long)st.st_size);
  TRY(ftruncate(fd, 0));
  TRY(lseek(fd, 0, SEEK_SET));
  // dup, dup2, fcntl
  int fd2 = dup(fd);
  CHECK(fd2 > fd);
  TRY(write(fd2, "dup", 3));
  TRY(lseek(fd, 0, SEEK_CUR));  // shared offset
  TRY(dup2(fd, 40));
  TRY(fcntl(40, F_GETFD));
  TRY(fcntl(40, F_SETFD, FD_CLOEXEC));
  TRY(fcntl(40, F_GETFD));
  TRY(fcntl(fd, F_GETFL) & O_ACCMODE);
  TRY(close(40));
  TRY(close(40));
  TRY(close(fd2));
  TRY(close(fd));

  // O_APPEND
  fd = open("log.txt", O_CREAT | O_WRONLY | O_APPEND, 0600);
  TRY(write(fd, "one\n", 4));
  TRY(lseek(fd, 0, SEEK_SET));
  TRY(write(fd, "two\n", 4));
  close(fd);
  FILE* f = fopen("log.txt", "r");
  while (fgets(buf, sizeof buf, f)) printf("log.txt: %s", buf);
  fclose(f);

  // --- directories, rename, links ---
  TRY(mkdir("dir", 0755));
  TRY(mkdir("dir", 0755));
  TRY(mkdir("dir/sub", 0700));
  TRY(rename("log.txt", "dir/log-renamed.txt"));
  TRY(rename("missing", "x"));
  TRY(symlink("log-renamed.txt", "dir/link"));
  TRY(symlink("nowhere", "dir/dangling"));
  TRY(link("data.bin", "dir/hard"));
  ssize_t n = readlink("dir/link", buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  printf("readlink dir/link: %s\n", buf);
  TRY(readlink("data.bin", buf, sizeof buf));
  list_dir(".");
  list_dir("dir");
  show_stat("data.bin", 1);
  show_stat("dir", 1);
  show_stat("dir/link", 0);
  show_stat("dir/link", 1);
  show_stat("dir/dangling", 1);
  show_stat("dir/sub", 1);
  TRY(chmod("data.bin", 0600));
  show_stat("data.bin", 1);
  TRY(access("data.bin", R_OK | W_OK));
  TRY(access("nothing", F_OK));
  TRY(access("dir/sub", X_OK));

  // utimensat with fixed times
  struct timespec times[2] = {{.tv_sec = 1000000000, .tv_nsec = 5}, {.tv_sec = 1234567890, .tv_nsec = 0}};
  TRY(utimensat(AT_FDCWD, "data.bin", times, 0));
  TRY(stat("data.bin", &st));
  printf("atime %lld mtime %lld\n", (long long)st.st_atime, (long long)st.st_mtime);

  // *at() calls relative to a directory fd
  int dfd = open("dir", O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0);
  int afd = openat(dfd, "sub/new.txt", O_CREAT | O_WRONLY, 0640);
  TRY(write(afd, "hello at\n", 9));
  TRY(close(afd));
  TRY(fstatat(dfd, "sub/new.txt", &st, 0));
  printf("fstatat size %lld mode %03o\n", (long long)st.st_size, (unsigned)(st.st_mode & 0777));
  TRY(mkdirat(dfd, "sub2", 0755));
  TRY(renameat(dfd, "sub/new.txt", dfd, "sub2/moved.txt"));
  TRY(unlinkat(dfd, "sub2/moved.txt", 0));
  TRY(unlinkat(dfd, "sub2", AT_REMOVEDIR));
  TRY(openat(dfd, "log-renamed.txt", O_RDONLY | O_DIRECTORY));
  TRY(close(dfd));

  // errno of common failures
  TRY(open("does/not/exist", O_RDONLY));
  TRY(open("dir", O_WRONLY));
  TRY(open("data.bin", O_CREAT | O_EXCL | O_WRONLY, 0644));
  TRY(rmdir("dir"));
  TRY(unlink("dir"));
  TRY(rmdir("data.bin/x"));
  TRY(read(-1, buf, 1));
  TRY(close(12345));

  // getcwd names the directory we are in
  char cwd[4096];
  struct stat st_dot, st_cwd;
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  CHECK(stat(".", &st_dot) == 0 && stat(cwd, &st_cwd) == 0);
  printf("getcwd matches '.': %d\n", st_dot.st_ino == st_cwd.st_ino && st_dot.st_dev == st_cwd.st_dev);
  TRY(chdir("dir"));
  TRY(access("log-renamed.txt", F_OK));
  TRY(chdir(".."));

  // clean up everything
  TRY(unlink("dir/link"));
  TRY(unlink("dir/dangling"));
  TRY(unlink("dir/hard"));
  TRY(unlink("dir/log-renamed.txt"));
  TRY(rmdir("dir/sub"));
  TRY(rmdir("dir"));
  TRY(unlink("data.bin"));
  list_dir(".");
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
