#include "block/file_protocol.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace mimic::block {

namespace {
Error errno_error(const std::string& what, const std::string& path) {
  return make_error(what + " '" + path + "': " + std::strerror(errno));
}
}  // namespace

Result<std::unique_ptr<FileProtocol>> FileProtocol::open(const std::string& path,
                                                         bool writable, bool direct) {
  int fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | (direct ? O_DIRECT : 0));
  if (fd < 0) return errno_error("Could not open", path);
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return make_error("Could not open '" + path + "': Is a directory");
  }
  return std::unique_ptr<FileProtocol>(new FileProtocol(fd, path, writable, direct));
}

Result<std::unique_ptr<FileProtocol>> FileProtocol::create(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("Could not create", path);
  return std::unique_ptr<FileProtocol>(new FileProtocol(fd, path, true));
}

FileProtocol::~FileProtocol() { ::close(fd_); }

Result<void> FileProtocol::pread(uint64_t offset, void* buf, uint64_t len) {
  if (direct_) return direct_pread(offset, buf, len);
  return raw_pread(offset, buf, len);
}

Result<void> FileProtocol::pwrite(uint64_t offset, const void* buf, uint64_t len) {
  if (!writable_) return make_error("Could not write '" + path_ + "': opened read-only");
  if (direct_) return direct_pwrite(offset, buf, len);
  return raw_pwrite(offset, buf, len);
}

namespace {
struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};
using AlignedBuf = std::unique_ptr<uint8_t, FreeDeleter>;
AlignedBuf aligned_buffer(uint64_t len) {
  void* p = nullptr;
  if (posix_memalign(&p, FileProtocol::kDirectAlign, len) != 0) return nullptr;
  return AlignedBuf(static_cast<uint8_t*>(p));
}
bool is_aligned(uint64_t offset, const void* buf, uint64_t len) {
  constexpr uint64_t a = FileProtocol::kDirectAlign;
  return offset % a == 0 && len % a == 0 && reinterpret_cast<uintptr_t>(buf) % a == 0;
}
}  // namespace

Result<void> FileProtocol::direct_pread(uint64_t offset, void* buf, uint64_t len) {
  if (len == 0 || is_aligned(offset, buf, len)) return raw_pread(offset, buf, len);
  const uint64_t lo = offset / kDirectAlign * kDirectAlign;
  const uint64_t hi = (offset + len + kDirectAlign - 1) / kDirectAlign * kDirectAlign;
  AlignedBuf b = aligned_buffer(hi - lo);
  if (!b) return make_error("Could not read '" + path_ + "': out of memory");
  if (auto r = raw_pread(lo, b.get(), hi - lo); !r) return r;
  std::memcpy(buf, b.get() + (offset - lo), len);
  return {};
}

Result<void> FileProtocol::direct_pwrite(uint64_t offset, const void* buf, uint64_t len) {
  if (len == 0 || is_aligned(offset, buf, len)) return raw_pwrite(offset, buf, len);
  const uint64_t lo = offset / kDirectAlign * kDirectAlign;
  const uint64_t hi = (offset + len + kDirectAlign - 1) / kDirectAlign * kDirectAlign;
  const uint64_t old_size = size();
  AlignedBuf b = aligned_buffer(hi - lo);
  if (!b) return make_error("Could not write '" + path_ + "': out of memory");
  // Read-modify-write of the partial first and last blocks.
  if (offset != lo) {
    if (auto r = raw_pread(lo, b.get(), kDirectAlign); !r) return r;
  }
  if ((offset + len) % kDirectAlign != 0 && (hi - kDirectAlign > lo || offset == lo)) {
    if (auto r = raw_pread(hi - kDirectAlign, b.get() + (hi - kDirectAlign - lo), kDirectAlign); !r) return r;
  }
  std::memcpy(b.get() + (offset - lo), buf, len);
  if (auto r = raw_pwrite(lo, b.get(), hi - lo); !r) return r;
  // The padding past the old end must not become part of the file.
  const uint64_t want = std::max(old_size, offset + len);
  if (hi > want) return truncate(want);
  return {};
}

Result<void> FileProtocol::raw_pread(uint64_t offset, void* buf, uint64_t len) {
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("Could not read", path_);
    }
    if (n == 0 || (direct_ && static_cast<uint64_t>(n) < len)) {
      // Past the end of the file: zeros. (With O_DIRECT a short read means
      // the end too, and a retry at the unaligned remainder would fail.)
      std::memset(p + n, 0, len - n);
      return {};
    }
    p += n;
    offset += n;
    len -= n;
  }
  return {};
}

Result<void> FileProtocol::raw_pwrite(uint64_t offset, const void* buf, uint64_t len) {
  auto* p = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pwrite(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("Could not write", path_);
    }
    p += n;
    offset += n;
    len -= n;
  }
  return {};
}

Result<void> FileProtocol::sync() {
  if (!writable_ || unsafe_) return {};
  if (::fdatasync(fd_) != 0) return errno_error("Could not flush", path_);
  return {};
}

Result<void> FileProtocol::truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return errno_error("Could not resize", path_);
  return {};
}

Result<void> FileProtocol::allocate(uint64_t offset, uint64_t len) {
  int r = ::posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(len));
  if (r != 0) {
    errno = r;
    return errno_error("Could not preallocate", path_);
  }
  return {};
}

void FileProtocol::punch_hole(uint64_t offset, uint64_t len) {
  if (writable_ && len > 0)
    (void)::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                      static_cast<off_t>(len));
}

uint64_t FileProtocol::size() const {
  struct stat st;
  if (fstat(fd_, &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

uint64_t FileProtocol::allocated_bytes() const {
  struct stat st;
  if (fstat(fd_, &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

uint64_t FileProtocol::next_data(uint64_t offset) const {
  off_t r = ::lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
  if (r < 0) return errno == ENXIO ? size() : offset;
  return static_cast<uint64_t>(r);
}

uint64_t FileProtocol::next_hole(uint64_t offset) const {
  off_t r = ::lseek(fd_, static_cast<off_t>(offset), SEEK_HOLE);
  if (r < 0) return size();
  return static_cast<uint64_t>(r);
}

}  // namespace mimic::block
