#pragma once
// The guest's address space in user mode: one large PROT_NONE, MAP_NORESERVE
// host reservation at guest_base; guest address a lives at host guest_base + a.
// Guest mappings are host mappings placed inside the reservation with
// MAP_FIXED, so file mappings, sharing and copy-on-write fork are the host
// kernel's. Unmapped guest pages go back to PROT_NONE reservation, so the
// host never places anything of its own there.
//
// The syscall entry points follow Linux's mm/mmap.c semantics and return the
// result or -errno, ready for a0. All are thread-safe (one lock per process).
#include <cstdint>
#include <mutex>
#include <string>

#include "core/error.h"
#include "linux_user/page_map.h"

namespace mimic::linux_user {

// riscv64 Linux with Sv39 gives user space [0, 2^38) (TASK_SIZE); glibc and
// ld.so expect mappings there, and Linux keeps mmap below 2^38 even on Sv48
// unless asked for more.
constexpr uint64_t kGuestSpaceSize = uint64_t{1} << 38;
constexpr uint64_t kMmapMinAddr = 0x10000;  // default vm.mmap_min_addr
constexpr uint64_t kStackTop = kGuestSpaceSize;
// ELF_ET_DYN_BASE (arch/riscv/include/asm/elf.h): (TASK_SIZE / 3) * 2.
constexpr uint64_t kElfEtDynBase = page_align_down((kGuestSpaceSize / 3) * 2);

class AddressSpace {
 public:
  AddressSpace() = default;
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;
  ~AddressSpace();

  // Reserves the guest region. `size` is the guest_limit.
  Result<void> init(uint64_t size = kGuestSpaceSize);

  uint8_t* base() const { return base_; }
  uint64_t limit() const { return limit_; }

  // Guest -> host address. Valid only after a range check.
  void* g2h(uint64_t addr) const { return base_ + addr; }
  // [addr, addr+len) lies inside the guest region (no mapping check): enough
  // for buffers handed to host system calls, which fault with EFAULT on the
  // PROT_NONE reservation themselves.
  bool in_range(uint64_t addr, uint64_t len) const { return addr <= limit_ && len <= limit_ - addr; }
  // Every page of the range is mapped with at least `prot`: required before
  // mimic's own code reads or writes guest memory.
  bool access_ok(uint64_t addr, uint64_t len, int prot);

  // The top of the region searched top-down by mmap (below the stack gap).
  void set_mmap_base(uint64_t top) { mmap_base_ = top; }
  uint64_t mmap_base() const { return mmap_base_; }
  // Start of the heap (page aligned end of the main program's bss).
  void set_brk_start(uint64_t addr);

  // System calls (guest flags and prot use the asm-generic values).
  int64_t mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset);
  int64_t munmap(uint64_t addr, uint64_t len);
  int64_t mprotect(uint64_t addr, uint64_t len, int prot);
  int64_t mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
  int64_t brk(uint64_t addr);
  int64_t madvise(uint64_t addr, uint64_t len, int advice);

  // Sets the name shown in /proc/self/maps for the mapping at `addr`.
  void name_mapping(uint64_t addr, uint64_t len, uint32_t kind, const std::string& name);
  // Text of /proc/self/maps for the guest.
  std::string maps_text();
  // Around fork(): hold the lock so the child never inherits it taken by a
  // thread that does not exist there. fork_done() in parent and child.
  void fork_prepare();
  void fork_done();

  // Guest-visible kind of the mapping at addr (for SEGV_MAPERR vs ACCERR):
  // true if some mapping covers addr.
  bool is_mapped(uint64_t addr);

 private:
  int64_t mmap_locked(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset);
  int64_t unmap_locked(uint64_t addr, uint64_t len);
  // Puts [addr, addr+len) back to PROT_NONE reservation.
  bool reserve(uint64_t addr, uint64_t len);

  std::mutex lock_;
  uint8_t* base_ = nullptr;
  uint64_t limit_ = 0;
  uint64_t mmap_base_ = 0;
  uint64_t brk_start_ = 0;
  uint64_t brk_ = 0;
  PageMap map_{kMmapMinAddr, kGuestSpaceSize};
};

// The one address space of this process.
AddressSpace& address_space();

// Host protection for a guest protection: guest code is read by the
// translator, so EXEC needs host READ; the host never executes guest pages.
int host_prot(int guest_prot);

}  // namespace mimic::linux_user
