// Memory-management system calls: the address-space work is in
// address_space.cpp; this file unpacks the arguments.
#include <sys/mman.h>

#include "exec/cpu_loop.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

int64_t sys_mmap(TaskState*, const uint64_t* a) {
  return address_space().mmap(a[0], a[1], sarg(a[2]), sarg(a[3]), sarg(a[4]), a[5]);
}
int64_t sys_munmap(TaskState*, const uint64_t* a) { return address_space().munmap(a[0], a[1]); }
int64_t sys_mprotect(TaskState*, const uint64_t* a) { return address_space().mprotect(a[0], a[1], sarg(a[2])); }
int64_t sys_mremap(TaskState*, const uint64_t* a) {
  return address_space().mremap(a[0], a[1], a[2], sarg(a[3]), a[4]);
}
int64_t sys_brk(TaskState*, const uint64_t* a) { return address_space().brk(a[0]); }
int64_t sys_madvise(TaskState*, const uint64_t* a) { return address_space().madvise(a[0], a[1], sarg(a[2])); }

// (addr, len, x) calls on a guest range: msync, mlock, munlock, mlock2.
template <long kHostNr>
int64_t sys_range(TaskState*, const uint64_t* a) {
  if (!address_space().in_range(a[0], a[1])) return -ENOMEM;
  return host_syscall(kHostNr, address_space().g2h(a[0]), a[1], a[2]);
}

int64_t sys_mincore(TaskState*, const uint64_t* a) {
  if (a[0] & (kPageSize - 1)) return -EINVAL;
  if (!address_space().in_range(a[0], a[1])) return -ENOMEM;
  MIMIC_GUEST_BUF(vec, a[2], (a[1] + kPageSize - 1) / kPageSize);
  return host_syscall(SYS_mincore, address_space().g2h(a[0]), a[1], vec);
}

int64_t sys_mlockall(TaskState*, const uint64_t* a) { return host_syscall(SYS_mlockall, sarg(a[0])); }
int64_t sys_munlockall(TaskState*, const uint64_t*) { return host_syscall(SYS_munlockall); }
int64_t sys_membarrier(TaskState*, const uint64_t* a) {
  return host_syscall(SYS_membarrier, sarg(a[0]), static_cast<unsigned>(a[1]), sarg(a[2]));
}

// riscv_flush_icache(start, end, flags): the guest wrote code it will run
// (arch/riscv/kernel/sys_riscv.c). Only SYS_RISCV_FLUSH_ICACHE_LOCAL (1) is
// a valid flag.
int64_t sys_riscv_flush_icache(TaskState*, const uint64_t* a) {
  if (a[2] & ~uint64_t{1}) return -EINVAL;
  exec::invalidate_all();
  return 0;
}

}  // namespace

void register_mm_syscalls(SyscallTable& t) {
  t.fn[nr::kMmap] = sys_mmap;
  t.fn[nr::kMunmap] = sys_munmap;
  t.fn[nr::kMprotect] = sys_mprotect;
  t.fn[nr::kMremap] = sys_mremap;
  t.fn[nr::kBrk] = sys_brk;
  t.fn[nr::kMadvise] = sys_madvise;
  t.fn[nr::kMsync] = sys_range<SYS_msync>;
  t.fn[nr::kMlock] = sys_range<SYS_mlock>;
  t.fn[nr::kMunlock] = sys_range<SYS_munlock>;
  t.fn[nr::kMlock2] = sys_range<SYS_mlock2>;
  t.fn[nr::kMincore] = sys_mincore;
  t.fn[nr::kMlockall] = sys_mlockall;
  t.fn[nr::kMunlockall] = sys_munlockall;
  t.fn[nr::kMembarrier] = sys_membarrier;
  t.fn[nr::kRiscvFlushIcache] = sys_riscv_flush_icache;
}

}  // namespace mimic::linux_user
