#pragma once
// The block layer's driver interface: a format driver (raw, qcow2) sits over a
// protocol driver (file) and optionally over a backing image. All offsets and
// lengths are in bytes of the virtual disk.
//
// Threading contract: a BlockDriver is not thread-safe; one owner (today the
// mimic-img tool, later a block I/O thread of the system emulator that
// receives requests from vCPU threads through a queue) serializes all calls.
// Calls are synchronous; an asynchronous front end can be layered on top
// without changing drivers because every call is self-contained.
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"

namespace mimic::block {

// What one layer knows about a range of the virtual disk (qemu-img map terms).
enum class ExtentKind {
  kData,         // allocated in this layer, read from host_offset
  kZero,         // reads as zeros, decided by this layer
  kUnallocated,  // not in this layer: read from the backing image (or zeros)
};

struct Extent {
  ExtentKind kind = ExtentKind::kUnallocated;
  uint64_t length = 0;        // bytes from the queried offset with this status
  bool has_host = false;      // host_offset is meaningful
  uint64_t host_offset = 0;   // offset in the image file of the queried offset
  bool compressed = false;
};

class BlockDriver {
 public:
  virtual ~BlockDriver() = default;

  virtual std::string format_name() const = 0;
  // Virtual disk size in bytes.
  virtual uint64_t length() const = 0;
  // Bytes used by the image file on the host (st_blocks * 512).
  virtual uint64_t allocated_file_size() const = 0;
  virtual const std::string& filename() const = 0;

  // Ranges must lie within [0, length()); reads of unallocated areas go to
  // the backing image, zero-filled beyond its end.
  virtual Result<void> read(uint64_t offset, void* buf, uint64_t len) = 0;
  // Durable only after a successful flush().
  virtual Result<void> write(uint64_t offset, const void* buf, uint64_t len) = 0;
  // After success the range reads as zeros.
  virtual Result<void> write_zeroes(uint64_t offset, uint64_t len) = 0;
  // Hint that the range is no longer needed; contents become unspecified
  // (this implementation makes whole discarded clusters read as zeros or
  // as the backing image, like QEMU).
  virtual Result<void> discard(uint64_t offset, uint64_t len) = 0;
  virtual Result<void> flush() = 0;
  virtual Result<void> truncate(uint64_t new_length) = 0;
  // Status of this layer only, starting at offset, for at most max_len bytes.
  virtual Result<Extent> block_status(uint64_t offset, uint64_t max_len) = 0;

  virtual BlockDriver* backing() { return nullptr; }
  // Flushes and marks the image clean; the driver must not be used after.
  virtual Result<void> close() { return flush(); }
};

}  // namespace mimic::block
