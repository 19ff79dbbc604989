#include "block/file_protocol.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mimic::block {

namespace {
Error errno_error(const std::string& what, const std::string& path) {
  return make_error(what + " '" + path + "': " + std::strerror(errno));
}
}  // namespace

Result<std::unique_ptr<FileProtocol>> FileProtocol::open(const std::string& path,
                                                         bool writable) {
  int fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return errno_error("Could not open", path);
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return make_error("Could not open '" + path + "': Is a directory");
  }
  return std::unique_ptr<FileProtocol>(new FileProtocol(fd, path, writable));
}

Result<std::unique_ptr<FileProtocol>> FileProtocol::create(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("Could not create", path);
  return std::unique_ptr<FileProtocol>(new FileProtocol(fd, path, true));
}

FileProtocol::~FileProtocol() { ::close(fd_); }

Result<void> FileProtocol::pread(uint64_t offset, void* buf, uint64_t len) {
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("Could not read", path_);
    }
    if (n == 0) {  // past the end of the file: zeros
      std::memset(p, 0, len);
      return {};
    }
    p += n;
    offset += n;
    len -= n;
  }
  return {};
}

Result<void> FileProtocol::pwrite(uint64_t offset, const void* buf, uint64_t len) {
  if (!writable_) return make_error("Could not write '" + path_ + "': opened read-only");
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
