#include "linux_user/address_space.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "core/log.h"
#include "exec/cpu_loop.h"
#include "linux_user/code_wp.h"

namespace mimic::linux_user {

namespace {

// asm-generic mman flags (include/uapi/asm-generic/mman*.h); x86-64 uses the
// same values for all of these.
constexpr int kMapShared = 0x01;
constexpr int kMapPrivate = 0x02;
constexpr int kMapSharedValidate = 0x03;
constexpr int kMapTypeMask = 0x0f;
constexpr int kMapFixed = 0x10;
constexpr int kMapAnonymous = 0x20;
constexpr int kMapGrowsdown = 0x100;
constexpr int kMapNoreserve = 0x4000;
constexpr int kMapPopulate = 0x8000;
constexpr int kMapNonblock = 0x10000;
constexpr int kMapStack = 0x20000;
constexpr int kMapFixedNoreplace = 0x100000;
// Flags passed on to the host (MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED and
// the rest are dropped as Linux ignores most of them).
constexpr int kMapHostPass = kMapNoreserve | kMapPopulate | kMapNonblock;

constexpr int kProtSem = 0x8;  // accepted and ignored, as by Linux

constexpr int kMremapMaymove = 1;
constexpr int kMremapFixed = 2;
constexpr int kMremapDontunmap = 4;

}  // namespace

int host_prot(int guest_prot) {
  int p = PROT_NONE;
  if (guest_prot & (kProtRead | kProtExec)) p |= PROT_READ;
  if (guest_prot & kProtWrite) p |= PROT_WRITE | PROT_READ;
  return p;
}

AddressSpace::~AddressSpace() {
  if (base_) ::munmap(base_, limit_);
}

void AddressSpace::fork_prepare() { lock_.lock(); }
void AddressSpace::fork_done() { lock_.unlock(); }

AddressSpace& address_space() {
  static AddressSpace as;
  return as;
}

Result<void> AddressSpace::init(uint64_t size) {
  void* p = ::mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    return make_error("cannot reserve " + std::to_string(size >> 30) + " GiB of address space for the guest");
  }
  base_ = static_cast<uint8_t*>(p);
  limit_ = size;
  map_ = PageMap(kMmapMinAddr, size);
  // Linux: mmap_base = TASK_SIZE - gap, gap = stack rlimit clamped to at
  // least 128 MiB (mm/util.c mmap_base), no randomization.
  mmap_base_ = size - (uint64_t{128} << 20);
  code_wp::init(base_, size);
  return {};
}

bool AddressSpace::reserve(uint64_t addr, uint64_t len) {
  void* p = ::mmap(g2h(addr), len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  return p != MAP_FAILED;
}

bool AddressSpace::access_ok(uint64_t addr, uint64_t len, int prot) {
  if (!in_range(addr, len)) return false;
  std::lock_guard<std::mutex> g(lock_);
  return map_.allows(addr, len, prot);
}

bool AddressSpace::is_mapped(uint64_t addr) {
  std::lock_guard<std::mutex> g(lock_);
  return map_.find(addr) != nullptr;
}

void AddressSpace::set_brk_start(uint64_t addr) {
  std::lock_guard<std::mutex> g(lock_);
  brk_start_ = brk_ = page_align_up(addr);
}

int64_t AddressSpace::mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset) {
  std::lock_guard<std::mutex> g(lock_);
  return mmap_locked(addr, len, prot, flags, fd, offset);
}

int64_t AddressSpace::mmap_locked(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset) {
  // Checks in the order of mm/mmap.c do_mmap and ksys_mmap_pgoff.
  int type = flags & kMapTypeMask;
  if (type != kMapShared && type != kMapPrivate && type != kMapSharedValidate) return -EINVAL;
  if (len == 0) return -EINVAL;
  if (offset & (kPageSize - 1)) return -EINVAL;
  if (len > limit_) return -ENOMEM;
  uint64_t alen = page_align_up(len);
  if (offset + alen < offset) return -EOVERFLOW;
  prot &= ~kProtSem;
  if (prot & ~(kProtRead | kProtWrite | kProtExec)) return -EINVAL;
  bool anon = (flags & kMapAnonymous) != 0;
  if (!anon) {
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) return -EBADF;
  }
  bool fixed = (flags & (kMapFixed | kMapFixedNoreplace)) != 0;
  uint64_t where;
  if (fixed) {
    if (addr & (kPageSize - 1)) return -EINVAL;
    if (!map_.in_range(addr, alen)) return -ENOMEM;
    if ((flags & kMapFixedNoreplace) && !(flags & kMapFixed) && !map_.is_free(addr, alen)) return -EEXIST;
    where = addr;
  } else {
    uint64_t hint = page_align_down(addr);
    if (hint != 0 && map_.in_range(hint, alen) && map_.is_free(hint, alen)) {
      where = hint;
    } else {
      auto found = map_.find_free_top_down(alen, mmap_base_);
      if (!found) found = map_.find_free_top_down(alen, limit_);
      if (!found) return -ENOMEM;
      where = *found;
    }
  }
  int hflags = MAP_FIXED | (flags & kMapHostPass);
  hflags |= (type == kMapPrivate) ? MAP_PRIVATE : MAP_SHARED;
  if (anon) hflags |= MAP_ANONYMOUS;
  void* p = ::mmap(g2h(where), alen, host_prot(prot), hflags, anon ? -1 : fd, anon ? 0 : offset);
  if (p == MAP_FAILED) {
    int err = errno;
    // A failed MAP_FIXED may have removed what was there: keep the host
    // reservation and the page map in agreement.
    reserve(where, alen);
    map_.remove(where, alen);
    code_wp::note_unmapped(where, alen);
    exec::invalidate_range(where, alen);
    return -err;
  }
  Vma v;
  v.start = where;
  v.end = where + alen;
  v.prot = prot;
  v.kind = anon ? (type == kMapPrivate ? kVmaAnon : kVmaShared) : kVmaFile;
  if (flags & (kMapGrowsdown | kMapStack)) v.kind = anon ? kVmaAnon : v.kind;
  v.offset = anon ? 0 : offset;
  if (!anon) {
    char link[64];
    char path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n > 0) v.name.assign(path, static_cast<size_t>(n));
  }
  code_wp::note_mapped(where, alen, prot);
  if (fixed) exec::invalidate_range(where, alen);
  map_.insert(v);
  if (log::enabled(log::kPage)) {
    log::printf("mmap %#" PRIx64 "-%#" PRIx64 " prot %d flags %#x fd %d off %#" PRIx64 "\n", where, where + alen,
                prot, flags, fd, offset);
  }
  return static_cast<int64_t>(where);
}

int64_t AddressSpace::unmap_locked(uint64_t addr, uint64_t len) {
  if (!reserve(addr, len)) return -errno;
  map_.remove(addr, len);
  code_wp::note_unmapped(addr, len);
  exec::invalidate_range(addr, len);
  return 0;
}

int64_t AddressSpace::munmap(uint64_t addr, uint64_t len) {
  if ((addr & (kPageSize - 1)) || len == 0) return -EINVAL;
  if (len > limit_) return -EINVAL;
  uint64_t alen = page_align_up(len);
  if (!in_range(addr, alen)) return -EINVAL;
  std::lock_guard<std::mutex> g(lock_);
  if (log::enabled(log::kPage)) log::printf("munmap %#" PRIx64 "-%#" PRIx64 "\n", addr, addr + alen);
  return unmap_locked(addr, alen);
}

int64_t AddressSpace::mprotect(uint64_t addr, uint64_t len, int prot) {
  // PROT_GROWSDOWN / PROT_GROWSUP (0x01000000 / 0x02000000) are accepted and
  // ignored: every guest stack is mapped at its full size.
  prot &= ~(0x03000000 | kProtSem);
  if (addr & (kPageSize - 1)) return -EINVAL;
  if (prot & ~(kProtRead | kProtWrite | kProtExec)) return -EINVAL;
  if (len == 0) return 0;
  if (len > limit_) return -ENOMEM;
  uint64_t alen = page_align_up(len);
  if (!in_range(addr, alen)) return -ENOMEM;
  std::lock_guard<std::mutex> g(lock_);
  if (!map_.is_mapped(addr, alen)) return -ENOMEM;
  // Code pages stay read-only on the host while translated (code_wp.h).
  if (int err = code_wp::apply_mprotect(base_ + addr, addr, alen, prot); err != 0) return err;
  map_.protect(addr, alen, prot);
  exec::invalidate_range(addr, alen);
  if (log::enabled(log::kPage)) {
    log::printf("mprotect %#" PRIx64 "-%#" PRIx64 " prot %d\n", addr, addr + alen, prot);
  }
  return 0;
}

int64_t AddressSpace::mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr) {
  // mm/mremap.c checks.
  if (flags & ~(kMremapMaymove | kMremapFixed | kMremapDontunmap)) return -EINVAL;
  if ((flags & kMremapFixed) && !(flags & kMremapMaymove)) return -EINVAL;
  if (flags & kMremapDontunmap) return -EINVAL;  // rarely used; not supported
  if (old_addr & (kPageSize - 1)) return -EINVAL;
  if (old_len > limit_ || new_len > limit_) return -ENOMEM;
  old_len = page_align_up(old_len);
  new_len = page_align_up(new_len);
  if (new_len == 0) return -EINVAL;
  if (!in_range(old_addr, old_len)) return -EFAULT;
  std::lock_guard<std::mutex> g(lock_);
  const Vma* v = map_.find(old_addr);
  if (!v || old_len > v->end - old_addr) return -EFAULT;
  if (old_len == 0) return -EINVAL;  // duplicating shared mappings: unsupported
  Vma moved = *v;
  if (moved.kind == kVmaFile || moved.kind == kVmaShared) moved.offset += old_addr - v->start;

  auto finish = [&](uint64_t at) {
    moved.start = at;
    moved.end = at + new_len;
    map_.insert(moved);
    // The host pages keep the protection they had (possibly our code write
    // protection, or an old one after a move): set the guest's.
    code_wp::apply_mprotect(base_ + at, at, new_len, moved.prot);
    return static_cast<int64_t>(at);
  };

  if (flags & kMremapFixed) {
    if (new_addr & (kPageSize - 1)) return -EINVAL;
    if (!map_.in_range(new_addr, new_len)) return -ENOMEM;
    if (new_addr < old_addr + old_len && old_addr < new_addr + new_len) return -EINVAL;
    void* p = ::mremap(g2h(old_addr), old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(new_addr));
    if (p == MAP_FAILED) return -errno;
    reserve(old_addr, old_len);
    map_.remove(old_addr, old_len);
    code_wp::note_unmapped(old_addr, old_len);
    exec::invalidate_range(old_addr, old_len);
    exec::invalidate_range(new_addr, new_len);
    return finish(new_addr);
  }
  if (new_len <= old_len) {
    if (new_len < old_len) unmap_locked(old_addr + new_len, old_len - new_len);
    return static_cast<int64_t>(old_addr);
  }
  // Grow in place if the pages after the mapping are free.
  uint64_t extra = new_len - old_len;
  if (map_.in_range(old_addr + old_len, extra) && map_.is_free(old_addr + old_len, extra)) {
    // The host sees our reservation there: release it, then grow.
    ::munmap(g2h(old_addr + old_len), extra);
    void* p = ::mremap(g2h(old_addr), old_len, new_len, 0);
    if (p != MAP_FAILED) return finish(old_addr);
    reserve(old_addr + old_len, extra);
  }
  if (!(flags & kMremapMaymove)) return -ENOMEM;
  auto found = map_.find_free_top_down(new_len, mmap_base_);
  if (!found) return -ENOMEM;
  void* p = ::mremap(g2h(old_addr), old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(*found));
  if (p == MAP_FAILED) return -errno;
  reserve(old_addr, old_len);
  map_.remove(old_addr, old_len);
  code_wp::note_unmapped(old_addr, old_len);
  exec::invalidate_range(old_addr, old_len);
  return finish(*found);
}

int64_t AddressSpace::brk(uint64_t addr) {
  std::lock_guard<std::mutex> g(lock_);
  // mm/mmap.c brk: an invalid request returns the current break.
  if (addr < brk_start_ || addr > limit_) return static_cast<int64_t>(brk_);
  uint64_t old_top = page_align_up(brk_);
  uint64_t new_top = page_align_up(addr);
  if (new_top < old_top) {
    unmap_locked(new_top, old_top - new_top);
  } else if (new_top > old_top) {
    uint64_t len = new_top - old_top;
    if (!map_.is_free(old_top, len)) return static_cast<int64_t>(brk_);
    void* p = ::mmap(g2h(old_top), len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) return static_cast<int64_t>(brk_);
    // Extend the heap mapping (merging in the map is cosmetic).
    Vma v;
    v.start = old_top;
    v.end = new_top;
    v.prot = kProtRead | kProtWrite;
    v.kind = kVmaHeap;
    v.name = "[heap]";
    map_.insert(v);
    code_wp::note_mapped(old_top, len, v.prot);
  }
  brk_ = addr;
  return static_cast<int64_t>(brk_);
}

int64_t AddressSpace::madvise(uint64_t addr, uint64_t len, int advice) {
  if (addr & (kPageSize - 1)) return -EINVAL;
  if (len == 0) return 0;
  if (len > limit_) return -EINVAL;
  uint64_t alen = page_align_up(len);
  if (!in_range(addr, alen)) return -ENOMEM;
  std::lock_guard<std::mutex> g(lock_);
  if (!map_.is_mapped(addr, alen)) return -ENOMEM;
  // MADV_DONTNEED (4) and MADV_FREE (8) must really drop private anonymous
  // contents (glibc and allocators rely on reading zeros afterwards); the
  // host call has the same effect on our host mappings. Advice the host
  // rejects is ignored, as it is only advice.
  if (advice == 4 || advice == 8 || advice == 9 /* REMOVE */) {
    if (::madvise(g2h(addr), alen, advice) != 0) return -errno;
  }
  return 0;
}

void AddressSpace::name_mapping(uint64_t addr, uint64_t len, uint32_t kind, const std::string& name) {
  std::lock_guard<std::mutex> g(lock_);
  for (const Vma& v : map_.snapshot()) {
    if (v.end <= addr || v.start >= addr + len) continue;
    Vma n = v;
    n.kind = kind;
    n.name = name;
    map_.insert(n);
  }
}

std::string AddressSpace::maps_text() {
  std::lock_guard<std::mutex> g(lock_);
  std::string out;
  for (const Vma& v : map_.snapshot()) {
    char line[256];
    snprintf(line, sizeof line, "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " 00:00 0", v.start, v.end,
             (v.prot & kProtRead) ? 'r' : '-', (v.prot & kProtWrite) ? 'w' : '-', (v.prot & kProtExec) ? 'x' : '-',
             v.kind == kVmaShared ? 's' : 'p', v.offset);
    out += line;
    if (!v.name.empty()) {
      // Linux pads the name to column 73 (fs/proc/task_mmu.c).
      size_t col = strlen(line);
      out.append(col < 72 ? 73 - col : 1, ' ');
      out += v.name;
    }
    out += '\n';
  }
  return out;
}

}  // namespace mimic::linux_user
