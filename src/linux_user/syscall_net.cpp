// Sockets. Constants (AF_*, SOCK_*, SOL_SOCKET/SO_*) and the layouts of
// sockaddr, cmsghdr and socket options are the same on riscv64 and x86-64;
// struct msghdr carries guest pointers and is rebuilt for the host.
#include <sys/socket.h>

#include <vector>

#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

struct GuestMsghdr {  // struct user_msghdr (LP64)
  uint64_t name;
  int32_t namelen;
  int32_t pad1;
  uint64_t iov;
  uint64_t iovlen;
  uint64_t control;
  uint64_t controllen;
  int32_t flags;
  int32_t pad2;
};
static_assert(sizeof(GuestMsghdr) == 56);

// A host msghdr whose buffers point into guest memory.
struct HostMsg {
  struct msghdr h {};
  std::vector<struct iovec> iov;
};

int64_t build_msg(uint64_t addr, HostMsg* m) {
  GuestMsghdr g;
  if (!get_guest(addr, &g)) return -EFAULT;
  if (g.namelen < 0) return -EINVAL;
  if (int64_t r = read_iovec(g.iov, g.iovlen, &m->iov); r < 0) return r;
  bool bad = false;
  m->h.msg_name = guest_opt_buf(g.name, static_cast<uint64_t>(g.namelen), &bad);
  m->h.msg_namelen = static_cast<socklen_t>(g.namelen);
  m->h.msg_iov = m->iov.data();
  m->h.msg_iovlen = m->iov.size();
  m->h.msg_control = guest_opt_buf(g.control, g.controllen, &bad);
  m->h.msg_controllen = g.controllen;
  m->h.msg_flags = g.flags;
  return bad ? -EFAULT : 0;
}

// recvmsg updates namelen, controllen and flags in the guest's msghdr.
int64_t update_msg(uint64_t addr, const HostMsg& m) {
  GuestMsghdr g;
  if (!get_guest(addr, &g)) return -EFAULT;
  g.namelen = static_cast<int32_t>(m.h.msg_namelen);
  g.controllen = m.h.msg_controllen;
  g.flags = m.h.msg_flags;
  return put_guest(addr, g) ? 0 : -EFAULT;
}

// Optional (sockaddr *, socklen_t *) pair filled by the kernel.
int64_t addr_out(uint64_t addr, uint64_t lenp, void** host_addr, void** host_len) {
  *host_addr = nullptr;
  *host_len = nullptr;
  if (!lenp) return 0;
  uint32_t len;
  if (!get_guest(lenp, &len)) return -EFAULT;
  if (static_cast<int32_t>(len) < 0) return -EINVAL;
  *host_len = guest_buf(lenp, 4);
  bool bad = false;
  *host_addr = guest_opt_buf(addr, len, &bad);
  return bad ? -EFAULT : 0;
}

int64_t sys_socket(TaskState*, const uint64_t* a) { return host_syscall(SYS_socket, sarg(a[0]), sarg(a[1]), sarg(a[2])); }

int64_t sys_socketpair(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(sv, a[3], 8);
  return host_syscall(SYS_socketpair, sarg(a[0]), sarg(a[1]), sarg(a[2]), sv);
}

// bind and connect: (fd, const sockaddr *, len).
template <long kHostNr>
int64_t sys_addr_in(TaskState*, const uint64_t* a) {
  if (static_cast<int32_t>(a[2]) < 0) return -EINVAL;
  MIMIC_GUEST_BUF(sa, a[1], static_cast<uint32_t>(a[2]));
  return host_syscall(kHostNr, sarg(a[0]), sa, static_cast<uint32_t>(a[2]));
}

// getsockname, getpeername, accept (and accept4 with flags).
template <long kHostNr>
int64_t sys_addr_out(TaskState*, const uint64_t* a) {
  void *sa, *len;
  if (int64_t r = addr_out(a[1], a[2], &sa, &len); r < 0) return r;
  return host_syscall(kHostNr, sarg(a[0]), sa, len, sarg(a[3]));
}

int64_t sys_accept(TaskState* t, const uint64_t* a) {
  uint64_t b[6] = {a[0], a[1], a[2], 0, 0, 0};  // accept = accept4 without flags
  return sys_addr_out<SYS_accept4>(t, b);
}

int64_t sys_listen(TaskState*, const uint64_t* a) { return host_syscall(SYS_listen, sarg(a[0]), sarg(a[1])); }
int64_t sys_shutdown(TaskState*, const uint64_t* a) { return host_syscall(SYS_shutdown, sarg(a[0]), sarg(a[1])); }

int64_t sys_sendto(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], a[2]);
  if (static_cast<int32_t>(a[5]) < 0) return -EINVAL;
  MIMIC_GUEST_OPT_BUF(sa, a[4], static_cast<uint32_t>(a[5]));
  return host_syscall(SYS_sendto, sarg(a[0]), buf, a[2], sarg(a[3]), sa, static_cast<uint32_t>(a[5]));
}

int64_t sys_recvfrom(TaskState*, const uint64_t* a) {
  MIMIC_GUEST_BUF(buf, a[1], a[2]);
  void *sa, *len;
  if (int64_t r = addr_out(a[4], a[5], &sa, &len); r < 0) return r;
  return host_syscall(SYS_recvfrom, sarg(a[0]), buf, a[2], sarg(a[3]), sa, len);
}

int64_t sys_setsockopt(TaskState*, const uint64_t* a) {
  if (static_cast<int32_t>(a[4]) < 0) return -EINVAL;
  MIMIC_GUEST_OPT_BUF(val, a[3], static_cast<uint32_t>(a[4]));
  return host_syscall(SYS_setsockopt, sarg(a[0]), sarg(a[1]), sarg(a[2]), val, static_cast<uint32_t>(a[4]));
}

int64_t sys_getsockopt(TaskState*, const uint64_t* a) {
  void *val, *len;
  if (int64_t r = addr_out(a[3], a[4], &val, &len); r < 0) return r;
  if (!len) return -EFAULT;
  return host_syscall(SYS_getsockopt, sarg(a[0]), sarg(a[1]), sarg(a[2]), val, len);
}

int64_t sys_sendmsg(TaskState*, const uint64_t* a) {
  HostMsg m;
  if (int64_t r = build_msg(a[1], &m); r < 0) return r;
  return host_syscall(SYS_sendmsg, sarg(a[0]), &m.h, sarg(a[2]));
}

int64_t sys_recvmsg(TaskState*, const uint64_t* a) {
  HostMsg m;
  if (int64_t r = build_msg(a[1], &m); r < 0) return r;
  int64_t r = host_syscall(SYS_recvmsg, sarg(a[0]), &m.h, sarg(a[2]));
  if (r >= 0) {
    if (int64_t e = update_msg(a[1], m); e < 0) return e;
  }
  return r;
}

// sendmmsg / recvmmsg: arrays of { struct msghdr; unsigned msg_len; } (64
// bytes each), done one message at a time as the kernel does.
int64_t mmsg(const uint64_t* a, bool send) {
  unsigned vlen = static_cast<unsigned>(a[2]);
  if (vlen > 1024) vlen = 1024;  // UIO_MAXIOV
  int flags = sarg(a[3]);
  unsigned done = 0;
  for (; done < vlen; ++done) {
    uint64_t entry = a[1] + 64 * done;
    HostMsg m;
    if (int64_t r = build_msg(entry, &m); r < 0) return done ? done : r;
    int64_t r = send ? host_syscall(SYS_sendmsg, sarg(a[0]), &m.h, flags)
                     : host_syscall(SYS_recvmsg, sarg(a[0]), &m.h, flags & ~MSG_WAITFORONE);
    if (r < 0) return done ? done : r;
    if (!send) update_msg(entry, m);
    uint32_t len = static_cast<uint32_t>(r);
    if (!put_guest(entry + 56, len)) return done ? done : -EFAULT;
    if (!send && (flags & MSG_WAITFORONE)) flags |= MSG_DONTWAIT;
  }
  return done;
}

int64_t sys_sendmmsg(TaskState*, const uint64_t* a) { return mmsg(a, true); }
int64_t sys_recvmmsg(TaskState*, const uint64_t* a) { return mmsg(a, false); }

}  // namespace

void register_net_syscalls(SyscallTable& t) {
  t.fn[nr::kSocket] = sys_socket;
  t.fn[nr::kSocketpair] = sys_socketpair;
  t.fn[nr::kBind] = sys_addr_in<SYS_bind>;
  t.fn[nr::kConnect] = sys_addr_in<SYS_connect>;
  t.fn[nr::kListen] = sys_listen;
  t.fn[nr::kAccept] = sys_accept;
  t.fn[nr::kAccept4] = sys_addr_out<SYS_accept4>;
  t.fn[nr::kGetsockname] = sys_addr_out<SYS_getsockname>;
  t.fn[nr::kGetpeername] = sys_addr_out<SYS_getpeername>;
  t.fn[nr::kSendto] = sys_sendto;
  t.fn[nr::kRecvfrom] = sys_recvfrom;
  t.fn[nr::kSetsockopt] = sys_setsockopt;
  t.fn[nr::kGetsockopt] = sys_getsockopt;
  t.fn[nr::kShutdown] = sys_shutdown;
  t.fn[nr::kSendmsg] = sys_sendmsg;
  t.fn[nr::kRecvmsg] = sys_recvmsg;
  t.fn[nr::kSendmmsg] = sys_sendmmsg;
  t.fn[nr::kRecvmmsg] = sys_recvmmsg;
}

}  // namespace mimic::linux_user
