// The stat family and extended attributes. struct stat differs between
// asm-generic (riscv64) and x86-64 and is converted; struct statx and
// struct statfs have the same layout on both (LP64) and pass through.
#include <fcntl.h>
#include <sys/stat.h>

#include <cstring>

#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

// struct stat of include/uapi/asm-generic/stat.h (64-bit).
struct GuestStat {
  uint64_t st_dev;
  uint64_t st_ino;
  uint32_t st_mode;
  uint32_t st_nlink;
  uint32_t st_uid;
  uint32_t st_gid;
  uint64_t st_rdev;
  uint64_t pad1;
  int64_t st_size;
  int32_t st_blksize;
  int32_t pad2;
  int64_t st_blocks;
  int64_t st_atime_sec;
  uint64_t st_atime_nsec;
  int64_t st_mtime_sec;
  uint64_t st_mtime_nsec;
  int64_t st_ctime_sec;
  uint64_t st_ctime_nsec;
  uint32_t unused4;
  uint32_t unused5;
};
static_assert(sizeof(GuestStat) == 128);

constexpr size_t kStatxSize = 256;   // struct statx
constexpr size_t kStatfsSize = 120;  // struct statfs (LP64)

int64_t put_stat(uint64_t addr, const struct stat& st) {
  GuestStat g{};
  g.st_dev = st.st_dev;
  g.st_ino = st.st_ino;
  g.st_mode = st.st_mode;
  g.st_nlink = static_cast<uint32_t>(st.st_nlink);
  g.st_uid = st.st_uid;
  g.st_gid = st.st_gid;
  g.st_rdev = st.st_rdev;
  g.st_size = st.st_size;
  g.st_blksize = static_cast<int32_t>(st.st_blksize);
  g.st_blocks = st.st_blocks;
  g.st_atime_sec = st.st_atim.tv_sec;
  g.st_atime_nsec = static_cast<uint64_t>(st.st_atim.tv_nsec);
  g.st_mtime_sec = st.st_mtim.tv_sec;
  g.st_mtime_nsec = static_cast<uint64_t>(st.st_mtim.tv_nsec);
  g.st_ctime_sec = st.st_ctim.tv_sec;
  g.st_ctime_nsec = static_cast<uint64_t>(st.st_ctim.tv_nsec);
  return put_guest(addr, g) ? 0 : -EFAULT;
}

int64_t sys_newfstatat(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[1], &p); r < 0) return r;
  struct stat st;
  int64_t r = host_syscall(SYS_newfstatat, sarg(a[0]), p.c_str(), &st, sarg(a[3]));
  return r < 0 ? r : put_stat(a[2], st);
}

int64_t sys_fstat(TaskState*, const uint64_t* a) {
  struct stat st;
  int64_t r = host_syscall(SYS_fstat, sarg(a[0]), &st);
  return r < 0 ? r : put_stat(a[1], st);
}

int64_t sys_statx(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[1], &p); r < 0) return r;
  MIMIC_GUEST_BUF(buf, a[4], kStatxSize);
  return host_syscall(SYS_statx, sarg(a[0]), p.c_str(), sarg(a[2]), static_cast<unsigned>(a[3]), buf);
}

int64_t sys_statfs(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[0], &p); r < 0) return r;
  MIMIC_GUEST_BUF(buf, a[1], kStatfsSize);
  return host_syscall(SYS_statfs, p.c_str(), buf);
}

int64_t sys_fstatfs(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], kStatfsSize);
  return host_syscall(SYS_fstatfs, sarg(a[0]), buf);
}

// getxattr/lgetxattr (path, name, value, size) and the set variants.
template <long kHostNr>
int64_t sys_path_xattr(TaskState*, const uint64_t* a) {
  std::string p, name;
  if (int64_t r = read_path(a[0], &p); r < 0) return r;
  if (int64_t r = read_guest_string(a[1], &name, 255); r < 0) return r == -ENAMETOOLONG ? -ERANGE : r;
  MIMIC_GUEST_OPT_BUF(value, a[2], a[3]);
  return host_syscall(kHostNr, p.c_str(), name.c_str(), value, a[3], sarg(a[4]));
}

template <long kHostNr>
int64_t sys_fd_xattr(TaskState*, const uint64_t* a) {
  std::string name;
  if (int64_t r = read_guest_string(a[1], &name, 255); r < 0) return r == -ENAMETOOLONG ? -ERANGE : r;
  MIMIC_GUEST_OPT_BUF(value, a[2], a[3]);
  return host_syscall(kHostNr, sarg(a[0]), name.c_str(), value, a[3], sarg(a[4]));
}

// listxattr/llistxattr (path, list, size).
template <long kHostNr>
int64_t sys_path_listxattr(TaskState*, const uint64_t* a) {
  std::string p;
  if (int64_t r = read_path(a[0], &p); r < 0) return r;
  MIMIC_GUEST_OPT_BUF(list, a[1], a[2]);
  return host_syscall(kHostNr, p.c_str(), list, a[2]);
}

int64_t sys_flistxattr(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_OPT_BUF(list, a[1], a[2]);
  return host_syscall(SYS_flistxattr, sarg(a[0]), list, a[2]);
}

template <long kHostNr>
int64_t sys_path_removexattr(TaskState*, const uint64_t* a) {
  std::string p, name;
  if (int64_t r = read_path(a[0], &p); r < 0) return r;
  if (int64_t r = read_guest_string(a[1], &name, 255); r < 0) return r == -ENAMETOOLONG ? -ERANGE : r;
  return host_syscall(kHostNr, p.c_str(), name.c_str());
}

int64_t sys_fremovexattr(TaskState*, const uint64_t* a) {
  std::string name;
  if (int64_t r = read_guest_string(a[1], &name, 255); r < 0) return r == -ENAMETOOLONG ? -ERANGE : r;
  return host_syscall(SYS_fremovexattr, sarg(a[0]), name.c_str());
}

}  // namespace

void register_stat_syscalls(SyscallTable& t) {
  t.fn[nr::kNewfstatat] = sys_newfstatat;
  t.fn[nr::kFstat] = sys_fstat;
  t.fn[nr::kStatx] = sys_statx;
  t.fn[nr::kStatfs] = sys_statfs;
  t.fn[nr::kFstatfs] = sys_fstatfs;
  t.fn[nr::kGetxattr] = sys_path_xattr<SYS_getxattr>;
  t.fn[nr::kLgetxattr] = sys_path_xattr<SYS_lgetxattr>;
  t.fn[nr::kSetxattr] = sys_path_xattr<SYS_setxattr>;
  t.fn[nr::kLsetxattr] = sys_path_xattr<SYS_lsetxattr>;
  t.fn[nr::kFgetxattr] = sys_fd_xattr<SYS_fgetxattr>;
  t.fn[nr::kFsetxattr] = sys_fd_xattr<SYS_fsetxattr>;
  t.fn[nr::kListxattr] = sys_path_listxattr<SYS_listxattr>;
  t.fn[nr::kLlistxattr] = sys_path_listxattr<SYS_llistxattr>;
  t.fn[nr::kFlistxattr] = sys_flistxattr;
  t.fn[nr::kRemovexattr] = sys_path_removexattr<SYS_removexattr>;
  t.fn[nr::kLremovexattr] = sys_path_removexattr<SYS_lremovexattr>;
  t.fn[nr::kFremovexattr] = sys_fremovexattr;
}

}  // namespace mimic::linux_user
