// File and directory system calls. Flags (O_*, AT_*, F_*), struct flock,
// struct iovec and linux_dirent64 have the same values and layout on
// asm-generic riscv64 and x86-64, so these pass through after the guest
// pointers are checked and paths are looked up under the -L prefix.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cstring>

#include "linux_user/process.h"
#include "linux_user/signal.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

int64_t read_path(uint64_t addr, std::string* host) {
  std::string guest;
  int64_t r = read_guest_string(addr, &guest);
  if (r < 0) return r;
  if (is_proc_self_exe(guest)) {
    *host = process_config().exe_path;
  } else {
    *host = host_path(guest);
  }
  return 0;
}

int64_t read_iovec(uint64_t addr, uint64_t count, std::vector<struct iovec>* out) {
  if (count > 1024) return -EINVAL;  // UIO_MAXIOV
  out->resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t g[2];
    if (!copy_from_guest(g, addr + 16 * i, sizeof g)) return -EFAULT;
    if (g[1] > (uint64_t{1} << 62)) return -EINVAL;
    void* p = g[1] ? guest_buf(g[0], g[1]) : nullptr;
    if (g[1] && !p) return -EFAULT;
    (*out)[i] = {p, g[1]};
  }
  return 0;
}

namespace {

// /proc/self/maps of the guest: an anonymous file holding our page map.
int64_t open_guest_maps(int flags) {
  std::string text = address_space().maps_text();
  int fd = memfd_create("maps", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
  if (fd < 0) return -errno;
  if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    close(fd);
    return -EIO;
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

int64_t sys_openat(TaskState*, const uint64_t* a) {
  std::string guest;
  if (int64_t r = read_guest_string(a[1], &guest); r < 0) return r;
  int flags = sarg(a[2]);
  if (guest == "/proc/self/maps" || guest == "/proc/" + std::to_string(getpid()) + "/maps") {
    return open_guest_maps(flags);
  }
  std::string path = is_proc_self_exe(guest) ? process_config().exe_path : host_path(guest);
  return host_syscall(SYS_openat, sarg(a[0]), path.c_str(), flags, static_cast<mode_t>(a[3]));
}

int64_t sys_close(TaskState*, const uint64_t* a) { return host_syscall(SYS_close, sarg(a[0])); }

int64_t sys_close_range(TaskState*, const uint64_t* a) {
  return host_syscall(SYS_close_range, static_cast<unsigned>(a[0]), static_cast<unsigned>(a[1]),
                      static_cast<unsigned>(a[2]));
}

int64_t sys_read(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], a[2]);
  return host_syscall(SYS_read, sarg(a[0]), buf, a[2]);
}

int64_t sys_write(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], a[2]);
  return host_syscall(SYS_write, sarg(a[0]), buf, a[2]);
}

int64_t sys_pread64(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], a[2]);
  return host_syscall(SYS_pread64, sarg(a[0]), buf, a[2], a[3]);
}

int64_t sys_pwrite64(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], a[2]);
  return host_syscall(SYS_pwrite64, sarg(a[0]), buf, a[2], a[3]);
}

// readv, writev, preadv, pwritev, preadv2, pwritev2 share the iovec part.
template <long kHostNr>
int64_t sys_vec(TaskState*, const uint64_t* a) {
  std::vector<struct iovec> iov;
  if (int64_t r = read_iovec(a[1], a[2], &iov); r < 0) return r;
  return host_syscall(kHostNr, sarg(a[0]), iov.data(), iov.size(), a[3], a[4], a[5]);
}

int64_t sys_lseek(TaskState*, const uint64_t* a) { return host_syscall(SYS_lseek, sarg(a[0]), a[1], sarg(a[2])); }

int64_t sys_dup(TaskState*, const uint64_t* a) { return host_syscall(SYS_dup, sarg(a[0])); }
int64_t sys_dup3(TaskState*, const uint64_t* a) { return host_syscall(SYS_dup3, sarg(a[0]), sarg(a[1]), sarg(a[2])); }

int64_t sys_fcntl(TaskState*, const uint64_t* a) {
  int fd = sarg(a[0]);
  int cmd = sarg(a[1]);
  switch (cmd) {
    // Value arguments.
    case F_DUPFD: case F_GETFD: case F_SETFD: case F_GETFL: case F_SETFL: case F_SETOWN:
    case F_GETOWN: case F_SETLEASE: case F_GETLEASE: case F_NOTIFY: case F_DUPFD_CLOEXEC:
    case F_SETPIPE_SZ: case F_GETPIPE_SZ: case F_ADD_SEALS: case F_GET_SEALS:
      return host_syscall(SYS_fcntl, fd, cmd, a[2]);
    case F_SETSIG:
      return host_syscall(SYS_fcntl, fd, cmd, guest_to_host_signal(sarg(a[2])));
    case F_GETSIG: {
      int64_t r = host_syscall(SYS_fcntl, fd, cmd, 0);
      return r > 0 ? host_to_guest_signal(static_cast<int>(r)) : r;
    }
    // Pointer arguments (struct flock: 32 bytes in LP64).
    case F_GETLK: case F_SETLK: case F_SETLKW:
    case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW: {
      MIMIC_GUEST_BUF(fl, a[2], sizeof(struct flock));
      return host_syscall(SYS_fcntl, fd, cmd, fl);
    }
    case F_GETOWN_EX: case F_SETOWN_EX: case F_GET_RW_HINT: case F_SET_RW_HINT:
    case F_GET_FILE_RW_HINT: case F_SET_FILE_RW_HINT: {
      MIMIC_GUEST_BUF(p, a[2], 8);
      return host_syscall(SYS_fcntl, fd, cmd, p);
    }
    default:
      // Unknown commands may carry pointers: never hand them to the host.
      return -EINVAL;
  }
}

int64_t sys_pipe2(TaskState*, const uint64_t* a) {
  int fds[2];
  int64_t r = host_syscall(SYS_pipe2, fds, sarg(a[1]));
  if (r < 0) return r;
  if (!copy_to_guest(a[0], fds, sizeof fds)) {
    close(fds[0]);
    close(fds[1]);
    return -EFAULT;
  }
  return 0;
}

int64_t sys_getdents64(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], a[2]);
  return host_syscall(SYS_getdents64, sarg(a[0]), buf, a[2]);
}

int64_t sys_getcwd(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[0], a[1]);
  return host_syscall(SYS_getcwd, buf, a[1]);
}

int64_t sys_chdir(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[0], &p); r < 0) return r;
  return host_syscall(SYS_chdir, p.c_str());
}

int64_t sys_fchdir(TaskState*, const uint64_t* a) { return host_syscall(SYS_fchdir, sarg(a[0])); }

int64_t sys_chroot(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[0], &p); r < 0) return r;
  return host_syscall(SYS_chroot, p.c_str());
}

// Calls of the shape (dirfd, path, x, y): mkdirat, unlinkat, mknodat,
// fchmodat, faccessat, faccessat2.
template <long kHostNr>
int64_t sys_at_path(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[1], &p); r < 0) return r;
  return host_syscall(kHostNr, sarg(a[0]), p.c_str(), a[2], a[3]);
}

int64_t sys_fchownat(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[1], &p); r < 0) return r;
  return host_syscall(SYS_fchownat, sarg(a[0]), p.c_str(), a[2], a[3], sarg(a[4]));
}

int64_t sys_symlinkat(TaskState*, const uint64_t* a) {
  std::string target, link;
  if (int64_t r = read_guest_string(a[0], &target); r < 0) return r;
  if (int64_t r = read_path(a[2], &link); r < 0) return r;
  return host_syscall(SYS_symlinkat, target.c_str(), sarg(a[1]), link.c_str());
}

int64_t sys_linkat(TaskState*, const uint64_t* a) {
  std::string from, to;
  if (int64_t r = read_path(a[1], &from); r < 0) return r;
  if (int64_t r = read_path(a[3], &to); r < 0) return r;
  return host_syscall(SYS_linkat, sarg(a[0]), from.c_str(), sarg(a[2]), to.c_str(), sarg(a[4]));
}

int64_t sys_renameat2(TaskState*, const uint64_t* a) {
  std::string from, to;
  if (int64_t r = read_path(a[1], &from); r < 0) return r;
  if (int64_t r = read_path(a[3], &to); r < 0) return r;
  return host_syscall(SYS_renameat2, sarg(a[0]), from.c_str(), sarg(a[2]), to.c_str(), static_cast<unsigned>(a[4]));
}

int64_t sys_readlinkat(TaskState*, const uint64_t* a) {
  std::string guest;
  if (int64_t r = read_guest_string(a[1], &guest); r < 0) return r;
  MIMIC_GUEST_BUF(buf, a[2], a[3]);
  if (static_cast<int64_t>(a[3]) <= 0) return -EINVAL;
  if (is_proc_self_exe(guest)) {
    // The guest sees its own program, not mimic (readlink does not NUL-terminate).
    const std::string& exe = process_config().exe_path;
    size_t n = std::min<size_t>(exe.size(), a[3]);
    if (!copy_to_guest(a[2], exe.data(), n)) return -EFAULT;
    return static_cast<int64_t>(n);
  }
  std::string p = host_path(guest);
  return host_syscall(SYS_readlinkat, sarg(a[0]), p.c_str(), buf, a[3]);
}

int64_t sys_truncate(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[0], &p); r < 0) return r;
  return host_syscall(SYS_truncate, p.c_str(), a[1]);
}

int64_t sys_utimensat(TaskState*, const uint64_t* a) {
  std::string p;
  const char* pp = nullptr;
  if (a[1]) {
    if (int64_t r = read_path(a[1], &p); r < 0) return r;
    pp = p.c_str();
  }
  MIMIC_GUEST_OPT_BUF(times, a[2], 32);
  return host_syscall(SYS_utimensat, sarg(a[0]), pp, times, sarg(a[3]));
}

// Calls whose arguments are all values (fds, flags, offsets).
template <long kHostNr>
int64_t sys_values(TaskState*, const uint64_t* a) {
  return host_syscall(kHostNr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int64_t sys_sendfile(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(off, a[2], 8);
  return host_syscall(SYS_sendfile, sarg(a[0]), sarg(a[1]), off, a[3]);
}

int64_t sys_copy_file_range(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(off_in, a[1], 8);
  MIMIC_GUEST_OPT_BUF(off_out, a[3], 8);
  return host_syscall(SYS_copy_file_range, sarg(a[0]), off_in, sarg(a[2]), off_out, a[4], static_cast<unsigned>(a[5]));
}

int64_t sys_splice(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(off_in, a[1], 8);
  MIMIC_GUEST_OPT_BUF(off_out, a[3], 8);
  return host_syscall(SYS_splice, sarg(a[0]), off_in, sarg(a[2]), off_out, a[4], static_cast<unsigned>(a[5]));
}

int64_t sys_memfd_create(TaskState*, const uint64_t* a) {
  std::string name;
  if (int64_t r = read_guest_string(a[0], &name, 249); r < 0) return r == -ENAMETOOLONG ? -EINVAL : r;
  return host_syscall(SYS_memfd_create, name.c_str(), static_cast<unsigned>(a[1]));
}

int64_t sys_inotify_add_watch(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[1], &p); r < 0) return r;
  return host_syscall(SYS_inotify_add_watch, sarg(a[0]), p.c_str(), static_cast<uint32_t>(a[2]));
}

}  // namespace

void register_fs_syscalls(SyscallTable& t) {
  t.fn[nr::kOpenat] = sys_openat;
  t.fn[nr::kClose] = sys_close;
  t.fn[nr::kCloseRange] = sys_close_range;
  t.fn[nr::kRead] = sys_read;
  t.fn[nr::kWrite] = sys_write;
  t.fn[nr::kPread64] = sys_pread64;
  t.fn[nr::kPwrite64] = sys_pwrite64;
  t.fn[nr::kReadv] = sys_vec<SYS_readv>;
  t.fn[nr::kWritev] = sys_vec<SYS_writev>;
  t.fn[nr::kPreadv] = sys_vec<SYS_preadv>;
  t.fn[nr::kPwritev] = sys_vec<SYS_pwritev>;
  t.fn[nr::kPreadv2] = sys_vec<SYS_preadv2>;
  t.fn[nr::kPwritev2] = sys_vec<SYS_pwritev2>;
  t.fn[nr::kLseek] = sys_lseek;
  t.fn[nr::kDup] = sys_dup;
  t.fn[nr::kDup3] = sys_dup3;
  t.fn[nr::kFcntl] = sys_fcntl;
  t.fn[nr::kPipe2] = sys_pipe2;
  t.fn[nr::kGetdents64] = sys_getdents64;
  t.fn[nr::kGetcwd] = sys_getcwd;
  t.fn[nr::kChdir] = sys_chdir;
  t.fn[nr::kFchdir] = sys_fchdir;
  t.fn[nr::kChroot] = sys_chroot;
  t.fn[nr::kMkdirat] = sys_at_path<SYS_mkdirat>;
  t.fn[nr::kUnlinkat] = sys_at_path<SYS_unlinkat>;
  t.fn[nr::kMknodat] = sys_at_path<SYS_mknodat>;
  t.fn[nr::kFchmodat] = sys_at_path<SYS_fchmodat>;
  t.fn[nr::kFaccessat] = sys_at_path<SYS_faccessat>;
  t.fn[nr::kFaccessat2] = sys_at_path<SYS_faccessat2>;
  t.fn[nr::kFchownat] = sys_fchownat;
  t.fn[nr::kSymlinkat] = sys_symlinkat;
  t.fn[nr::kLinkat] = sys_linkat;
  t.fn[nr::kRenameat2] = sys_renameat2;
  t.fn[nr::kReadlinkat] = sys_readlinkat;
  t.fn[nr::kTruncate] = sys_truncate;
  t.fn[nr::kUtimensat] = sys_utimensat;
  t.fn[nr::kFtruncate] = sys_values<SYS_ftruncate>;
  t.fn[nr::kFallocate] = sys_values<SYS_fallocate>;
  t.fn[nr::kFchmod] = sys_values<SYS_fchmod>;
  t.fn[nr::kFchown] = sys_values<SYS_fchown>;
  t.fn[nr::kFlock] = sys_values<SYS_flock>;
  t.fn[nr::kSync] = sys_values<SYS_sync>;
  t.fn[nr::kSyncfs] = sys_values<SYS_syncfs>;
  t.fn[nr::kFsync] = sys_values<SYS_fsync>;
  t.fn[nr::kFdatasync] = sys_values<SYS_fdatasync>;
  t.fn[nr::kSyncFileRange] = sys_values<SYS_sync_file_range>;
  t.fn[nr::kFadvise64] = sys_values<SYS_fadvise64>;
  t.fn[nr::kReadahead] = sys_values<SYS_readahead>;
  t.fn[nr::kUmask] = sys_values<SYS_umask>;
  t.fn[nr::kTee] = sys_values<SYS_tee>;
  t.fn[nr::kEventfd2] = sys_values<SYS_eventfd2>;
  t.fn[nr::kInotifyInit1] = sys_values<SYS_inotify_init1>;
  t.fn[nr::kInotifyRmWatch] = sys_values<SYS_inotify_rm_watch>;
  t.fn[nr::kInotifyAddWatch] = sys_inotify_add_watch;
  t.fn[nr::kSendfile] = sys_sendfile;
  t.fn[nr::kCopyFileRange] = sys_copy_file_range;
  t.fn[nr::kSplice] = sys_splice;
  t.fn[nr::kMemfdCreate] = sys_memfd_create;
}

}  // namespace mimic::linux_user
