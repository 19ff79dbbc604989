#pragma once
// The narrow view of guest physical memory that a DMA-capable device gets
// (virtio rings and buffers). Every address comes from the guest, so every
// access is checked: out-of-range or non-RAM addresses make the call return
// false and touch nothing the guest does not own.
#include <cstdint>

namespace mimic::memory {

class GuestMemory {
 public:
  virtual ~GuestMemory() = default;
  // Copies [pa, pa + len) of guest RAM/ROM into dst; false if any byte of the
  // range is not RAM/ROM (or the range wraps).
  virtual bool read(uint64_t pa, void* dst, uint64_t len) = 0;
  // Copies src into guest RAM; false (and no partial write) if any byte of
  // the range is not RAM.
  virtual bool write(uint64_t pa, const void* src, uint64_t len) = 0;
};

}  // namespace mimic::memory
