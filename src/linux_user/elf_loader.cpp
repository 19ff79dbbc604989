// Loading of validated ELF images into the guest address space, following
// fs/binfmt_elf.c: the whole span is reserved first so the segments keep
// their relative layout, each PT_LOAD is mapped from the file, and the bss
// (memsz beyond filesz) is zero-filled and extended with anonymous pages.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "linux_user/address_space.h"
#include "linux_user/elf_loader.h"

namespace mimic::linux_user {

namespace {

constexpr int kMapPrivate = 0x02;
constexpr int kMapFixed = 0x10;
constexpr int kMapAnonymous = 0x20;

std::string errno_text(int64_t neg) { return std::string(strerror(static_cast<int>(-neg))); }

}  // namespace

Result<OpenedElf> open_elf(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return make_error(path + ": " + strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return make_error(path + ": is a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return make_error(path + ": not a regular file");
  }
  ElfReader reader = [fd](uint64_t off, void* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
      ssize_t r = pread(fd, static_cast<uint8_t*>(buf) + done, n - done, static_cast<off_t>(off + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      done += static_cast<size_t>(r);
    }
    return true;
  };
  auto info = parse_elf(reader, static_cast<uint64_t>(st.st_size));
  if (!info) {
    close(fd);
    return make_error(path + ": " + info.error().message);
  }
  OpenedElf out;
  out.fd = fd;
  out.info = std::move(*info);
  return out;
}

Result<LoadedElf> load_elf(int fd, const ElfInfo& info, ElfPlacement placement) {
  AddressSpace& as = address_space();
  uint64_t span = info.max_vaddr - info.min_vaddr;
  uint64_t bias = 0;
  if (info.type == kElfTypeDyn) {
    uint64_t base;
    if (placement == ElfPlacement::kMainWithInterp) {
      base = kElfEtDynBase;
    } else {
      // Let mmap choose, as binfmt_elf.c does for interpreters: reserve the
      // span anywhere, then map the segments into it.
      int64_t r = as.mmap(0, span, 0, kMapPrivate | kMapAnonymous, -1, 0);
      if (r < 0) return make_error("cannot reserve " + std::to_string(span) + " bytes: " + errno_text(r));
      base = static_cast<uint64_t>(r);
    }
    bias = base - info.min_vaddr;
  } else if (info.min_vaddr < kMmapMinAddr) {
    return make_error("segment below the minimum mappable address");
  }
  uint64_t lo = info.min_vaddr + bias;
  if (!as.in_range(lo, span)) return make_error("image does not fit in the guest address space");
  int64_t r = as.mmap(lo, span, 0, kMapPrivate | kMapAnonymous | kMapFixed, -1, 0);
  if (r < 0) return make_error("cannot reserve the image span: " + errno_text(r));

  LoadedElf out;
  out.bias = bias;
  out.start = lo;
  uint64_t covered_end = lo;  // end of what the segments so far occupy
  for (const ElfSegment& s : info.loads) {
    uint64_t vaddr = s.vaddr + bias;
    uint64_t page = page_align_down(vaddr);
    uint64_t file_end = vaddr + s.filesz;
    uint64_t mem_end = vaddr + s.memsz;
    // Gaps between segments are not left mapped (binfmt_elf.c unmaps the
    // excess of its total-size reservation).
    if (page > covered_end) as.munmap(covered_end, page - covered_end);
    if (s.filesz > 0) {
      r = as.mmap(page, file_end - page, s.prot, kMapPrivate | kMapFixed, fd, s.offset - (vaddr - page));
      if (r < 0) return make_error("cannot map segment: " + errno_text(r));
    }
    uint64_t zero_start = file_end;
    uint64_t anon_start = s.filesz > 0 ? page_align_up(file_end) : page;
    if (s.memsz > s.filesz) {
      // Zero the tail of the last file page (it holds file bytes beyond
      // filesz). Safe: the page was just mapped privately by us.
      if (s.filesz > 0 && zero_start < anon_start) {
        uint64_t zp = page_align_down(zero_start);
        mprotect(as.g2h(zp), kPageSize, PROT_READ | PROT_WRITE);
        memset(as.g2h(zero_start), 0, anon_start - zero_start);
        mprotect(as.g2h(zp), kPageSize, host_prot(s.prot));
      }
      uint64_t anon_end = page_align_up(mem_end);
      if (anon_end > anon_start) {
        r = as.mmap(anon_start, anon_end - anon_start, s.prot, kMapPrivate | kMapAnonymous | kMapFixed, -1, 0);
        if (r < 0) return make_error("cannot map bss: " + errno_text(r));
      }
    }
    covered_end = std::max(covered_end, page_align_up(mem_end));
    out.brk = std::max(out.brk, mem_end);
  }
  out.entry = info.entry + bias;
  out.phdr = info.phdr_vaddr + bias;
  out.phnum = info.phnum;
  return out;
}

}  // namespace mimic::linux_user
