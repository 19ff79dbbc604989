#pragma once
// Small tools shared by the syscall_*.cpp files.
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "linux_user/guest_access.h"
#include "linux_user/syscall.h"
#include "linux_user/syscall_nr.h"

namespace mimic::linux_user {

// Host system call with the Linux return convention.
template <typename... Args>
int64_t host_syscall(long nr, Args... args) {
  return host_result(::syscall(nr, args...));
}

// Declares `name` = host pointer of the guest buffer [addr, addr+len), or
// returns -EFAULT from the handler.
#define MIMIC_GUEST_BUF(name, addr, len)          \
  void* name = ::mimic::linux_user::guest_buf((addr), (len)); \
  if (!name) return -EFAULT

// Optional buffer: guest NULL gives nullptr.
#define MIMIC_GUEST_OPT_BUF(name, addr, len)                                     \
  bool name##_bad = false;                                                       \
  void* name = ::mimic::linux_user::guest_opt_buf((addr), (len), &name##_bad);   \
  if (name##_bad) return -EFAULT

// Reads a guest path and maps it to the host path (-L prefix, /proc/self/exe).
// Returns 0 or -errno.
int64_t read_path(uint64_t addr, std::string* host);

// Host iovec array for a guest one (struct iovec is the same in LP64).
// Returns 0 or -errno (-EINVAL for too many, -EFAULT for bad buffers).
int64_t read_iovec(uint64_t addr, uint64_t count, std::vector<struct iovec>* out);

inline int sarg(uint64_t v) { return static_cast<int>(v); }  // int arguments (sign-extended by the ABI)

}  // namespace mimic::linux_user
