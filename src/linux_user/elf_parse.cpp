// Validation of ELF64 headers (gABI "ELF-64 Object File Format" v1.5;
// RISC-V ELF psABI for EM_RISCV). Every field read from the file is checked
// before it is used as an offset or a size.
#include <algorithm>
#include <cstring>

#include "linux_user/address_space.h"
#include "linux_user/elf_loader.h"

namespace mimic::linux_user {

namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtInterp = 3;
constexpr uint32_t kPtPhdr = 6;
constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;
constexpr uint64_t kMaxInterpPath = 4096;  // PATH_MAX
constexpr uint64_t kMaxPhdrBytes = 65536;  // binfmt_elf.c load_elf_phdrs limit

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return le16(p) | static_cast<uint32_t>(le16(p + 2)) << 16; }
uint64_t le64(const uint8_t* p) { return le32(p) | static_cast<uint64_t>(le32(p + 4)) << 32; }

const char* machine_name(uint16_t m) {
  switch (m) {
    case 3: return "i386";
    case 8: return "MIPS";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "S/390";
    case 40: return "ARM";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 258: return "LoongArch";
    default: return nullptr;
  }
}

// [off, off+len) lies inside a file of `size` bytes, without overflow.
bool within(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

}  // namespace

Result<ElfInfo> parse_elf(const ElfReader& read, uint64_t file_size) {
  uint8_t eh[kElfHeaderSize];
  if (file_size < 4 || !read(0, eh, 4)) return make_error("not an ELF file (too short)");
  if (memcmp(eh, "\x7f" "ELF", 4) != 0) return make_error("not an ELF file");
  if (file_size < kElfHeaderSize || !read(0, eh, kElfHeaderSize)) return make_error("truncated ELF header");
  if (eh[4] != 2) return make_error(eh[4] == 1 ? "32-bit ELF file, expected ELF64" : "bad ELF class");
  if (eh[5] != 1) return make_error("big-endian or bad ELF data encoding, expected little-endian");
  if (eh[6] != 1) return make_error("unsupported ELF version");
  uint16_t type = le16(eh + 16);
  uint16_t machine = le16(eh + 18);
  if (machine != kElfMachineRiscv) {
    const char* n = machine_name(machine);
    return make_error(std::string("wrong architecture: ") + (n ? n : "machine " + std::to_string(machine)) +
                      ", expected RISC-V");
  }
  if (type != kElfTypeExec && type != kElfTypeDyn) {
    if (type == 1) return make_error("relocatable object file, not an executable");
    if (type == 4) return make_error("core file, not an executable");
    return make_error("unsupported ELF type " + std::to_string(type));
  }
  ElfInfo info;
  info.type = type;
  info.entry = le64(eh + 24);
  info.phoff = le64(eh + 32);
  info.flags = le32(eh + 48);
  uint16_t phentsize = le16(eh + 54);
  info.phnum = le16(eh + 56);
  if (phentsize != kElfPhdrSize) return make_error("bad program header entry size " + std::to_string(phentsize));
  if (info.phnum == 0) return make_error("no program headers");
  uint64_t ph_bytes = uint64_t{info.phnum} * kElfPhdrSize;
  if (ph_bytes > kMaxPhdrBytes) return make_error("too many program headers");
  if (!within(info.phoff, ph_bytes, file_size)) return make_error("program headers beyond end of file (truncated?)");
  std::vector<uint8_t> ph(ph_bytes);
  if (!read(info.phoff, ph.data(), ph_bytes)) return make_error("cannot read program headers (truncated?)");

  bool have_phdr = false;
  uint64_t lo = UINT64_MAX, hi = 0;
  for (unsigned i = 0; i < info.phnum; ++i) {
    const uint8_t* p = ph.data() + i * kElfPhdrSize;
    uint32_t p_type = le32(p);
    uint32_t p_flags = le32(p + 4);
    uint64_t p_offset = le64(p + 8);
    uint64_t p_vaddr = le64(p + 16);
    uint64_t p_filesz = le64(p + 32);
    uint64_t p_memsz = le64(p + 40);
    std::string which = "segment " + std::to_string(i);
    if (p_type == kPtLoad) {
      if (p_memsz == 0) continue;
      if (p_filesz > p_memsz) return make_error(which + ": file size larger than memory size");
      if (!within(p_offset, p_filesz, file_size)) return make_error(which + ": data beyond end of file (truncated?)");
      if (!within(p_vaddr, p_memsz, kGuestSpaceSize)) return make_error(which + ": address outside the guest address space");
      if ((p_vaddr - p_offset) % kPageSize != 0) return make_error(which + ": address and file offset not congruent modulo the page size");
      ElfSegment s;
      s.vaddr = p_vaddr;
      s.memsz = p_memsz;
      s.offset = p_offset;
      s.filesz = p_filesz;
      s.prot = ((p_flags & kPfR) ? kProtRead : 0) | ((p_flags & kPfW) ? kProtWrite : 0) |
               ((p_flags & kPfX) ? kProtExec : 0);
      info.loads.push_back(s);
      lo = std::min(lo, page_align_down(p_vaddr));
      hi = std::max(hi, page_align_up(p_vaddr + p_memsz));
    } else if (p_type == kPtInterp) {
      if (!info.interp.empty()) return make_error("more than one PT_INTERP");
      if (p_filesz < 2 || p_filesz > kMaxInterpPath) return make_error("bad interpreter path size");
      if (!within(p_offset, p_filesz, file_size)) return make_error("interpreter path beyond end of file (truncated?)");
      std::string path(p_filesz, '\0');
      if (!read(p_offset, path.data(), p_filesz)) return make_error("cannot read interpreter path");
      if (path.back() != '\0' || path.find('\0') != p_filesz - 1) return make_error("malformed interpreter path");
      path.pop_back();
      info.interp = std::move(path);
    } else if (p_type == kPtPhdr) {
      info.phdr_vaddr = p_vaddr;
      have_phdr = true;
    }
  }
  if (info.loads.empty()) return make_error("no loadable segments");
  info.min_vaddr = lo;
  info.max_vaddr = hi;
  // AT_PHDR: PT_PHDR if present, else the PT_LOAD that maps the headers
  // (binfmt_elf.c does the same since Linux 6.x; older kernels assumed the
  // first segment).
  for (const ElfSegment& s : info.loads) {
    if (info.phoff >= s.offset && ph_bytes <= s.filesz && info.phoff - s.offset <= s.filesz - ph_bytes) {
      if (!have_phdr) info.phdr_vaddr = s.vaddr + (info.phoff - s.offset);
      info.phdr_in_memory = true;
      break;
    }
  }
  if (have_phdr) info.phdr_in_memory = true;
  return info;
}

}  // namespace mimic::linux_user
