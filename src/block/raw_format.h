#pragma once
// The raw format: the virtual disk is the file, byte for byte. Holes in a
// sparse file are reported as zero extents so convert can keep them sparse.
#include <memory>

#include "block/block_driver.h"
#include "block/file_protocol.h"

namespace mimic::block {

class RawFormat final : public BlockDriver {
 public:
  explicit RawFormat(std::unique_ptr<FileProtocol> file);
  std::string format_name() const override { return "raw"; }
  uint64_t length() const override { return length_; }
  uint64_t allocated_file_size() const override { return file_->allocated_bytes(); }
  const std::string& filename() const override { return file_->path(); }
  Result<void> read(uint64_t offset, void* buf, uint64_t len) override;
  Result<void> write(uint64_t offset, const void* buf, uint64_t len) override;
  Result<void> write_zeroes(uint64_t offset, uint64_t len) override;
  Result<void> discard(uint64_t offset, uint64_t len) override;
  Result<void> flush() override { return file_->sync(); }
  Result<void> truncate(uint64_t new_length) override;
  Result<Extent> block_status(uint64_t offset, uint64_t max_len) override;

 private:
  std::unique_ptr<FileProtocol> file_;
  uint64_t length_;
};

}  // namespace mimic::block
