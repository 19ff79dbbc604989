#pragma once
// Guest pointers in system calls. A guest address is never handed to the
// host unchecked: buffers passed to host system calls must lie inside the
// guest region (the host kernel itself answers EFAULT for unmapped guest
// pages, which are PROT_NONE reservation); memory that mimic's own code reads
// or writes must also be mapped with the right protection (checked in the
// page map), so mimic never faults on a bad guest pointer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "linux_user/address_space.h"
#include "linux_user/code_wp.h"

namespace mimic::linux_user {

// Host address of the guest buffer [addr, addr+len) for a host system call,
// or nullptr when it leaves the guest region. The host kernel may write the
// buffer: translated code pages in it lose their write protection first
// (code_wp.h; a no-op unless some page is protected).
inline void* guest_buf(uint64_t addr, uint64_t len) {
  AddressSpace& as = address_space();
  if (!as.in_range(addr, len)) return nullptr;
  code_wp::before_write(addr, len);
  return as.g2h(addr);
}

// Like guest_buf, but guest NULL stays NULL (optional arguments). Sets *bad
// when the pointer is not NULL and out of range.
inline void* guest_opt_buf(uint64_t addr, uint64_t len, bool* bad) {
  if (addr == 0) return nullptr;
  void* p = guest_buf(addr, len);
  if (!p) *bad = true;
  return p;
}

// Copies for mimic's own use; false (nothing copied) unless the whole range
// is mapped readable / writable.
bool copy_from_guest(void* dst, uint64_t src, size_t len);
bool copy_to_guest(uint64_t dst, const void* src, size_t len);

template <typename T>
bool get_guest(uint64_t addr, T* out) {
  return copy_from_guest(out, addr, sizeof(T));
}
template <typename T>
bool put_guest(uint64_t addr, const T& v) {
  return copy_to_guest(addr, &v, sizeof(T));
}

// Reads a NUL-terminated guest string of at most `max` bytes (without the
// NUL). Returns 0, -EFAULT or -ENAMETOOLONG.
int64_t read_guest_string(uint64_t addr, std::string* out, size_t max = 4096);

// Reads a NULL-terminated array of guest string pointers (argv, envp).
// Returns 0, -EFAULT or -E2BIG.
int64_t read_guest_string_array(uint64_t addr, std::vector<std::string>* out);

}  // namespace mimic::linux_user
