#pragma once
// Bookkeeping of the guest's mappings (Linux's VMA list, reduced to what user
// mode needs): which page ranges are mapped, with which protection, and where
// a new mapping fits. Pure data structure: it never touches host memory, so
// the allocator can be unit-tested; AddressSpace pairs it with host mmap.
// Not thread-safe: the owner serializes access.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mimic::linux_user {

constexpr uint64_t kPageSize = 4096;  // guest and host page size

constexpr uint64_t page_align_down(uint64_t a) { return a & ~(kPageSize - 1); }
// Callers make sure a + kPageSize - 1 does not overflow (addresses < 2^63).
constexpr uint64_t page_align_up(uint64_t a) { return (a + kPageSize - 1) & ~(kPageSize - 1); }

// Guest protection bits (PROT_READ/WRITE/EXEC have the same values on
// asm-generic and x86-64).
enum GuestProt : int { kProtRead = 1, kProtWrite = 2, kProtExec = 4 };

// What a mapping is, for /proc/self/maps and for brk/stack growth decisions.
struct Vma {
  uint64_t start = 0;  // page aligned
  uint64_t end = 0;    // page aligned, exclusive
  int prot = 0;        // GuestProt bits
  uint32_t kind = 0;   // VmaKind
  uint64_t offset = 0; // file offset of `start` (file mappings)
  std::string name;    // file path, "[heap]", "[stack]" or empty
};

enum VmaKind : uint32_t { kVmaAnon = 0, kVmaFile = 1, kVmaHeap = 2, kVmaStack = 3, kVmaShared = 4 };

class PageMap {
 public:
  // Mappings live in [min_addr, limit).
  PageMap(uint64_t min_addr, uint64_t limit) : min_addr_(min_addr), limit_(limit) {}

  uint64_t min_addr() const { return min_addr_; }
  uint64_t limit() const { return limit_; }

  // True if [start, start+len) lies inside [min_addr, limit) (len may be 0).
  bool in_range(uint64_t start, uint64_t len) const {
    return start >= min_addr_ && start <= limit_ && len <= limit_ - start;
  }

  // Records a mapping of [v.start, v.end), replacing whatever overlapped it.
  void insert(const Vma& v);
  // Forgets [start, start+len); pages that were not mapped are ignored.
  void remove(uint64_t start, uint64_t len);
  // Sets the protection of [start, start+len). Fails (changing nothing) if
  // part of the range is not mapped (Linux: mprotect -> ENOMEM).
  bool protect(uint64_t start, uint64_t len, int prot);

  // No page of the range is mapped.
  bool is_free(uint64_t start, uint64_t len) const;
  // Every page of the range is mapped.
  bool is_mapped(uint64_t start, uint64_t len) const;
  // Every page of the range is mapped with at least `prot`.
  bool allows(uint64_t start, uint64_t len, int prot) const;
  // The mapping containing `addr`, if any.
  const Vma* find(uint64_t addr) const;

  // Highest free range of `len` bytes (aligned to `align`, a power of two
  // >= kPageSize) that ends at or below `top`: Linux's top-down search.
  std::optional<uint64_t> find_free_top_down(uint64_t len, uint64_t top, uint64_t align = kPageSize) const;
  // Lowest free range of `len` bytes starting at or above `bottom`.
  std::optional<uint64_t> find_free_bottom_up(uint64_t len, uint64_t bottom, uint64_t align = kPageSize) const;

  // All mappings in address order (adjacent ones with equal attributes are
  // kept separate; the caller may merge for display).
  std::vector<Vma> snapshot() const;

 private:
  // Splits the mapping containing `addr` (if any) so that one starts at addr.
  void split_at(uint64_t addr);

  uint64_t min_addr_;
  uint64_t limit_;
  std::map<uint64_t, Vma> vmas_;  // keyed by start; never overlapping
};

}  // namespace mimic::linux_user
