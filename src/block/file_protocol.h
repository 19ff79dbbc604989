#pragma once
// The "file" protocol driver: byte-addressed access to a host file with
// pread/pwrite. Reads past the end of the file return zeros (a qcow2 image
// may reference clusters that were never written).
//
// Direct I/O (cache=none / directsync, cache.direct=on) opens the file with
// O_DIRECT, bypassing the host page cache. O_DIRECT needs offsets, lengths
// and buffers aligned to the device's logical block size; callers need not
// care: unaligned requests go through an aligned bounce buffer
// (read-modify-write of the edge blocks for writes), and a write that ends
// inside the last block of the file does not grow the file beyond its end.
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"

namespace mimic::block {

class FileProtocol {
 public:
  // Alignment used for O_DIRECT transfers (covers 512- and 4096-byte devices).
  static constexpr uint64_t kDirectAlign = 4096;

  // `direct`: O_DIRECT; fails like QEMU ("Invalid argument") on file
  // systems without it (tmpfs).
  static Result<std::unique_ptr<FileProtocol>> open(const std::string& path, bool writable,
                                                    bool direct = false);
  static Result<std::unique_ptr<FileProtocol>> create(const std::string& path);
  ~FileProtocol();
  FileProtocol(const FileProtocol&) = delete;
  FileProtocol& operator=(const FileProtocol&) = delete;

  Result<void> pread(uint64_t offset, void* buf, uint64_t len);
  Result<void> pwrite(uint64_t offset, const void* buf, uint64_t len);
  Result<void> sync();
  Result<void> truncate(uint64_t size);
  // Reserves host blocks for a range (preallocation=falloc), growing the file.
  Result<void> allocate(uint64_t offset, uint64_t len);
  // Deallocates a range (reads as zeros afterwards); best effort.
  void punch_hole(uint64_t offset, uint64_t len);
  // Size of the file now (fstat).
  uint64_t size() const;
  uint64_t allocated_bytes() const;
  // First data offset at or after offset (SEEK_DATA); size() if none.
  uint64_t next_data(uint64_t offset) const;
  // First hole at or after offset (SEEK_HOLE).
  uint64_t next_hole(uint64_t offset) const;
  bool writable() const { return writable_; }
  bool direct() const { return direct_; }
  // cache=unsafe (qemu-img convert's default): sync() does nothing, so a
  // host crash may lose or tear the image; a killed process does not.
  void set_unsafe(bool unsafe) { unsafe_ = unsafe; }
  const std::string& path() const { return path_; }

 private:
  FileProtocol(int fd, std::string path, bool writable, bool direct = false)
      : fd_(fd), path_(std::move(path)), writable_(writable), direct_(direct) {}
  Result<void> raw_pread(uint64_t offset, void* buf, uint64_t len);
  Result<void> raw_pwrite(uint64_t offset, const void* buf, uint64_t len);
  Result<void> direct_pread(uint64_t offset, void* buf, uint64_t len);
  Result<void> direct_pwrite(uint64_t offset, const void* buf, uint64_t len);
  int fd_;
  std::string path_;
  bool writable_;
  bool direct_ = false;
  bool unsafe_ = false;
};

}  // namespace mimic::block
