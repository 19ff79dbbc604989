#include "linux_user/guest_access.h"

#include <cerrno>
#include <cstring>

namespace mimic::linux_user {

bool copy_from_guest(void* dst, uint64_t src, size_t len) {
  AddressSpace& as = address_space();
  if (!as.access_ok(src, len, kProtRead)) return false;
  // Safe: every page is mapped readable on the host (host_prot gives READ
  // to every guest-readable page).
  memcpy(dst, as.g2h(src), len);
  return true;
}

bool copy_to_guest(uint64_t dst, const void* src, size_t len) {
  AddressSpace& as = address_space();
  if (!as.access_ok(dst, len, kProtWrite)) return false;
  code_wp::before_write(dst, len);
  memcpy(as.g2h(dst), src, len);
  return true;
}

int64_t read_guest_string(uint64_t addr, std::string* out, size_t max) {
  AddressSpace& as = address_space();
  out->clear();
  uint64_t pos = addr;
  while (true) {
    // Check one page at a time: the string may end before an unmapped page.
    uint64_t page_end = page_align_down(pos) + kPageSize;
    if (!as.access_ok(pos, page_end - pos, kProtRead)) return -EFAULT;
    const char* p = static_cast<const char*>(as.g2h(pos));
    size_t n = page_end - pos;
    const void* nul = memchr(p, 0, n);
    size_t take = nul ? static_cast<const char*>(nul) - p : n;
    if (out->size() + take > max) return -ENAMETOOLONG;
    out->append(p, take);
    if (nul) return 0;
    pos = page_end;
  }
}

int64_t read_guest_string_array(uint64_t addr, std::vector<std::string>* out) {
  out->clear();
  if (addr == 0) return 0;  // Linux accepts NULL argv/envp as empty
  size_t total = 0;
  for (uint64_t i = 0;; ++i) {
    uint64_t p;
    if (!get_guest(addr + 8 * i, &p)) return -EFAULT;
    if (p == 0) return 0;
    std::string s;
    int64_t r = read_guest_string(p, &s, 128 * 1024);  // MAX_ARG_STRLEN
    if (r == -ENAMETOOLONG) return -E2BIG;
    if (r < 0) return r;
    total += s.size() + 1;
    if (total > (2u << 20)) return -E2BIG;
    out->push_back(std::move(s));
  }
}

}  // namespace mimic::linux_user
