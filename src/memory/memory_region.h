#pragma once
// Memory regions: what a range of guest physical addresses is backed by.
// A region is RAM (host memory the softMMU TLB may point into directly), ROM
// (host memory, guest writes ignored), MMIO (a device's register callbacks)
// or an alias (a window onto part of another region).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mimic::memory {

// A device's register interface. Offsets are relative to the start of the
// region; size is 1, 2, 4 or 8 and the access is naturally aligned unless
// the device declares otherwise. Values are little-endian register values in
// the low `size` bytes. Called with the big lock held (memory/bql.h).
class MmioOps {
 public:
  virtual ~MmioOps() = default;
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, uint64_t value, unsigned size) = 0;
  // Access sizes the device implements; others are split or widened by the
  // dispatcher (reads of a narrower size take the low bytes of a wider one).
  virtual unsigned min_access_size() const { return 1; }
  virtual unsigned max_access_size() const { return 8; }
};

enum class RegionKind { kRam, kRom, kMmio, kAlias };

class MemoryRegion {
 public:
  // Host memory of `size` bytes, zero-filled (anonymous mmap: untouched
  // guest RAM costs no host memory).
  static std::unique_ptr<MemoryRegion> make_ram(std::string name, uint64_t size);
  static std::unique_ptr<MemoryRegion> make_rom(std::string name, uint64_t size);
  // `ops` must outlive the region.
  static std::unique_ptr<MemoryRegion> make_mmio(std::string name, uint64_t size, MmioOps* ops);
  // [offset, offset + size) of `target`, which must outlive the alias.
  static std::unique_ptr<MemoryRegion> make_alias(std::string name, MemoryRegion* target,
                                                  uint64_t offset, uint64_t size);
  ~MemoryRegion();
  MemoryRegion(const MemoryRegion&) = delete;
  MemoryRegion& operator=(const MemoryRegion&) = delete;

  RegionKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  uint64_t size() const { return size_; }
  // RAM/ROM only: the host bytes; nullptr otherwise.
  uint8_t* host() const { return host_; }
  MmioOps* ops() const { return ops_; }
  MemoryRegion* alias_target() const { return alias_target_; }
  uint64_t alias_offset() const { return alias_offset_; }

 private:
  MemoryRegion() = default;
  RegionKind kind_ = RegionKind::kRam;
  std::string name_;
  uint64_t size_ = 0;
  uint8_t* host_ = nullptr;
  MmioOps* ops_ = nullptr;
  MemoryRegion* alias_target_ = nullptr;
  uint64_t alias_offset_ = 0;
};

}  // namespace mimic::memory
