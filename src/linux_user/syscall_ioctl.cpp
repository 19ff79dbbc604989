// ioctl: x86-64 uses the asm-generic ioctl numbers and termios layouts, so
// known commands pass through once their argument buffer is checked. The
// argument size comes from the table below or, for commands encoded with
// _IOC (include/uapi/asm-generic/ioctl.h), from the encoding itself.
#include <sys/ioctl.h>

#include <cinttypes>

#include "core/log.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

constexpr int64_t kValueArg = -1;  // the argument is a value, not a pointer
constexpr int64_t kNoArg = -2;

struct IoctlDef {
  uint32_t cmd;
  int64_t size;  // bytes at the pointer argument, or kValueArg / kNoArg
};

// Classic (unencoded) terminal and file ioctls (asm-generic/ioctls.h).
constexpr IoctlDef kIoctls[] = {
    {0x5401, 36},  // TCGETS (struct termios)
    {0x5402, 36},  // TCSETS
    {0x5403, 36},  // TCSETSW
    {0x5404, 36},  // TCSETSF
    {0x5405, 18},  // TCGETA (struct termio)
    {0x5406, 18},  // TCSETA
    {0x5407, 18},  // TCSETAW
    {0x5408, 18},  // TCSETAF
    {0x5409, kValueArg},  // TCSBRK
    {0x540A, kValueArg},  // TCXONC
    {0x540B, kValueArg},  // TCFLSH
    {0x540C, kNoArg},     // TIOCEXCL
    {0x540D, kNoArg},     // TIOCNXCL
    {0x540E, kValueArg},  // TIOCSCTTY
    {0x540F, 4},          // TIOCGPGRP
    {0x5410, 4},          // TIOCSPGRP
    {0x5411, 4},          // TIOCOUTQ
    {0x5412, 1},          // TIOCSTI
    {0x5413, 8},          // TIOCGWINSZ
    {0x5414, 8},          // TIOCSWINSZ
    {0x5415, 4},          // TIOCMGET
    {0x5416, 4},          // TIOCMBIS
    {0x5417, 4},          // TIOCMBIC
    {0x5418, 4},          // TIOCMSET
    {0x541B, 4},          // FIONREAD
    {0x5420, 4},          // TIOCPKT
    {0x5421, 4},          // FIONBIO
    {0x5422, kNoArg},     // TIOCNOTTY
    {0x5423, 4},          // TIOCSETD
    {0x5424, 4},          // TIOCGETD
    {0x5425, kValueArg},  // TCSBRKP
    {0x5427, kNoArg},     // TIOCSBRK
    {0x5428, kNoArg},     // TIOCCBRK
    {0x5429, 4},          // TIOCGSID
    {0x5437, kNoArg},     // TIOCVHANGUP
    {0x5450, kNoArg},     // FIONCLEX
    {0x5451, kNoArg},     // FIOCLEX
    {0x5452, 4},          // FIOASYNC
    {0x5460, 8},          // FIOQSIZE
    {0x40049409, kValueArg},  // FICLONE
    {0x4020940d, 32},         // FICLONERANGE (struct file_clone_range)
};

int64_t sys_ioctl(TaskState*, const uint64_t* a) {
  int fd = sarg(a[0]);
  uint32_t cmd = static_cast<uint32_t>(a[1]);
  int64_t size = 0;
  bool known = false;
  for (const IoctlDef& d : kIoctls) {
    if (d.cmd == cmd) {
      size = d.size;
      known = true;
    }
  }
  if (!known) {
    uint32_t dir = cmd >> 30;      // _IOC_NONE 0, _IOC_WRITE 1, _IOC_READ 2
    uint32_t type = (cmd >> 8) & 0xff;
    // Encoded commands of the terminal ('T') and file ('f', FS_IOC_*)
    // families carry their argument size; their arguments hold no pointers.
    if (type == 'T' || type == 'f') {
      size = dir == 0 ? kValueArg : static_cast<int64_t>((cmd >> 16) & 0x3fff);
      known = true;
    }
  }
  if (!known) {
    if (log::enabled(log::kUnimp)) log::printf("mimic: unsupported ioctl %#x on fd %d\n", cmd, fd);
    return -ENOTTY;
  }
  if (size == kNoArg || size == kValueArg) return host_syscall(SYS_ioctl, fd, static_cast<unsigned long>(cmd), a[2]);
  MIMIC_GUEST_BUF(buf, a[2], static_cast<uint64_t>(size));
  return host_syscall(SYS_ioctl, fd, static_cast<unsigned long>(cmd), buf);
}

}  // namespace

void register_ioctl_syscalls(SyscallTable& t) { t.fn[nr::kIoctl] = sys_ioctl; }

}  // namespace mimic::linux_user
