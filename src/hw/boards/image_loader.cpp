#include "hw/boards/image_loader.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mimic::hw {

Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_size) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error("could not open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return make_error("'" + path + "' is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    close(fd);
    return make_error("'" + path + "' is too large (" + std::to_string(st.st_size) + " bytes)");
  }
  std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return make_error("could not read '" + path + "'");
    }
    got += static_cast<size_t>(n);
  }
  close(fd);
  return data;
}

bool is_elf(const std::vector<uint8_t>& d) {
  return d.size() >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
}

Result<LoadedImage> load_elf(memory::AddressSpace& as, const std::vector<uint8_t>& d,
                             const std::string& what) {
  Elf64_Ehdr eh;
  if (d.size() < sizeof eh) return make_error(what + ": truncated ELF header");
  std::memcpy(&eh, d.data(), sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_machine != EM_RISCV) {
    return make_error(what + ": not a 64-bit little-endian RISC-V ELF file");
  }
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phoff > d.size() ||
      uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr) > d.size() - eh.e_phoff) {
    return make_error(what + ": bad ELF program headers");
  }
  LoadedImage img;
  img.elf = true;
  img.entry = eh.e_entry;
  img.low = ~uint64_t{0};
  bool any = false;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, d.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz || ph.p_offset > d.size() || ph.p_filesz > d.size() - ph.p_offset) {
      return make_error(what + ": ELF segment " + std::to_string(i) + " lies outside the file");
    }
    uint64_t pa = ph.p_paddr;
    if (as.ram_ptr(pa, ph.p_memsz, false) == nullptr) {
      return make_error(what + ": ELF segment " + std::to_string(i) + " is not in guest RAM");
    }
    if (!as.write_rom_or_ram(pa, d.data() + ph.p_offset, ph.p_filesz)) {
      return make_error(what + ": cannot load ELF segment " + std::to_string(i));
    }
    std::vector<uint8_t> zeros(ph.p_memsz - ph.p_filesz, 0);
    if (!zeros.empty() && !as.write_rom_or_ram(pa + ph.p_filesz, zeros.data(), zeros.size())) {
      return make_error(what + ": cannot clear ELF segment " + std::to_string(i));
    }
    img.low = std::min(img.low, pa);
    img.high = std::max(img.high, pa + ph.p_memsz);
    any = true;
  }
  if (!any) return make_error(what + ": ELF file has no loadable segment");
  return img;
}

Result<LoadedImage> load_raw(memory::AddressSpace& as, const std::vector<uint8_t>& d, uint64_t addr,
                             const std::string& what) {
  if (d.empty()) return make_error(what + ": file is empty");
  if (as.ram_ptr(addr, d.size(), false) == nullptr || !as.write_rom_or_ram(addr, d.data(), d.size())) {
    return make_error(what + ": does not fit in guest RAM at 0x" + [&] {
      char b[32];
      std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(addr));
      return std::string(b);
    }());
  }
  return LoadedImage{addr, addr, addr + d.size(), false};
}

Result<LoadedImage> load_image(memory::AddressSpace& as, const std::string& path, uint64_t addr,
                               uint64_t max_size, const std::string& what) {
  auto data = read_file(path, max_size);
  if (!data.ok()) return make_error(what + ": " + data.error().message);
  if (is_elf(*data)) return load_elf(as, *data, what + " '" + path + "'");
  return load_raw(as, *data, addr, what + " '" + path + "'");
}

}  // namespace mimic::hw
