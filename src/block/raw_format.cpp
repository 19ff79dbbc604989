#include "block/raw_format.h"

#include <algorithm>
#include <vector>

namespace mimic::block {

RawFormat::RawFormat(std::unique_ptr<FileProtocol> file)
    : file_(std::move(file)), length_(file_->size()) {}

Result<void> RawFormat::read(uint64_t offset, void* buf, uint64_t len) {
  return file_->pread(offset, buf, len);
}

Result<void> RawFormat::write(uint64_t offset, const void* buf, uint64_t len) {
  if (offset + len > length_ || offset + len < offset)
    return make_error("write beyond the end of the image");
  return file_->pwrite(offset, buf, len);
}

Result<void> RawFormat::write_zeroes(uint64_t offset, uint64_t len) {
  if (offset + len > length_ || offset + len < offset)
    return make_error("write beyond the end of the image");
  // Punch what can be punched, then write explicit zeros so the result does
  // not depend on the host file system supporting holes.
  file_->punch_hole(offset, len);
  std::vector<uint8_t> zero(std::min<uint64_t>(len, 1 << 20), 0);
  while (len > 0) {
    uint64_t n = std::min<uint64_t>(len, zero.size());
    if (file_->next_data(offset) < offset + n) {
      if (auto r = file_->pwrite(offset, zero.data(), n); !r) return r;
    }
    offset += n;
    len -= n;
  }
  return {};
}

Result<void> RawFormat::discard(uint64_t offset, uint64_t len) {
  file_->punch_hole(offset, len);
  return {};
}

Result<void> RawFormat::truncate(uint64_t new_length) {
  if (auto r = file_->truncate(new_length); !r) return r;
  length_ = new_length;
  return {};
}

Result<Extent> RawFormat::block_status(uint64_t offset, uint64_t max_len) {
  Extent e;
  uint64_t end = std::min(length_, offset + max_len);
  uint64_t file_end = file_->size();
  // Holes are zero extents that still map to the same file offset.
  e.has_host = true;
  e.host_offset = offset;
  if (offset >= file_end) {
    e.kind = ExtentKind::kZero;
    e.length = end - offset;
    return e;
  }
  uint64_t data = file_->next_data(offset);
  if (data > offset) {
    e.kind = ExtentKind::kZero;
    e.length = std::min(data, end) - offset;
    return e;
  }
  uint64_t hole = std::min(file_->next_hole(offset), end);
  e.kind = ExtentKind::kData;
  e.length = std::max<uint64_t>(hole, offset + 1) - offset;
  e.length = std::min(e.length, end - offset);
  e.has_host = true;
  e.host_offset = offset;
  return e;
}

}  // namespace mimic::block
