#pragma once
// A guest physical address space: non-overlapping regions mapped at base
// addresses, flattened (aliases resolved) into a sorted table. Lookup is a
// binary search over the table plus a one-entry cache; the softMMU calls
// find()/ram_ptr() on a TLB miss and read()/write() for MMIO.
//
// The map is built while the machine is constructed and then never changes,
// so lookups take no lock. MMIO dispatch takes the big lock (memory/bql.h).
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/error.h"
#include "memory/guest_memory.h"
#include "memory/memory_region.h"

namespace mimic::memory {

// One contiguous range of the flattened map.
struct Section {
  uint64_t base = 0;           // first guest physical address
  uint64_t size = 0;           // bytes
  MemoryRegion* region = nullptr;  // never an alias
  uint64_t region_offset = 0;  // offset within region of `base`

  bool contains(uint64_t pa) const { return pa - base < size; }
  bool is_ram() const { return region->kind() == RegionKind::kRam; }
  bool is_rom() const { return region->kind() == RegionKind::kRom; }
  bool is_mmio() const { return region->kind() == RegionKind::kMmio; }
  // RAM/ROM: host address of guest address pa (which must be in the section).
  uint8_t* host(uint64_t pa) const { return region->host() + region_offset + (pa - base); }
  // RAM/ROM: one bit per 4 KiB physical page overlapping the section (bit i =
  // page (base >> 12) + i), set while the page holds translated code
  // (softMMU code-page tracking); nullptr for MMIO. Owned by the AddressSpace.
  std::atomic<uint64_t>* code_bits = nullptr;
};

class AddressSpace final : public GuestMemory {
 public:
  // Maps `region` (which must outlive this) at `base`. Fails if it overlaps
  // a mapped range or wraps the 64-bit space.
  Result<void> map(uint64_t base, MemoryRegion* region);

  // The section holding pa, or nullptr if pa is unmapped.
  const Section* find(uint64_t pa) const;

  // Host pointer for [pa, pa + len) if the whole range is in one RAM section
  // (or ROM when !for_write); nullptr otherwise. For the TLB fill and loaders.
  uint8_t* ram_ptr(uint64_t pa, uint64_t len, bool for_write) const;

  // A CPU load/store of 1/2/4/8 bytes (little-endian). RAM/ROM are accessed
  // directly, MMIO through the device (under the big lock); writes to ROM are
  // ignored. Returns false if any byte is unmapped: the CPU raises an access
  // fault.
  bool load(uint64_t pa, unsigned size, uint64_t* value);
  bool store(uint64_t pa, unsigned size, uint64_t value);

  // GuestMemory (DMA): RAM/ROM only, may span adjacent sections. Writes to
  // pages holding translated code invalidate those translations
  // (exec::invalidate_range on the physical range), as does store() to RAM.
  bool read(uint64_t pa, void* dst, uint64_t len) override;
  bool write(uint64_t pa, const void* src, uint64_t len) override;

  // Loader helper: copies into RAM or ROM (ROM is writable for loaders).
  bool write_rom_or_ram(uint64_t pa, const void* src, uint64_t len);

  const std::vector<Section>& sections() const { return sections_; }

  // Code-page tracking (memory/softmmu.cpp keeps it up to date from the TB
  // cache's physical code-page hooks): marks the 4 KiB page of pa as holding
  // translated code or not (no effect outside RAM/ROM), and tests it. Safe
  // from any thread (sequentially consistent atomics: a TLB fill that writes
  // its entry and then tests the bit races correctly with a marker that sets
  // the bit and then scans the TLBs).
  void set_code_page(uint64_t pa, bool on);
  bool is_code_page(uint64_t pa) const;
  // True if any page overlapping [pa, pa + len) holds translated code.
  bool range_has_code(uint64_t pa, uint64_t len) const;

 private:
  bool copy(uint64_t pa, uint8_t* buf, uint64_t len, bool to_guest, bool allow_rom_write);
  uint64_t mmio_read(const Section& s, uint64_t pa, unsigned size);
  void mmio_write(const Section& s, uint64_t pa, unsigned size, uint64_t value);

  // Invalidates translated code in [pa, pa + len) of section s, if any.
  void invalidate_code(const Section& s, uint64_t pa, uint64_t len) const;

  std::vector<Section> sections_;  // sorted by base, disjoint
  std::vector<std::unique_ptr<std::atomic<uint64_t>[]>> code_bits_;  // Section::code_bits
  mutable std::atomic<size_t> last_{0};
};

}  // namespace mimic::memory
