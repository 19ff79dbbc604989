#pragma once
// ELF64 RISC-V executables: validation of the headers (every offset and size
// read from the file is checked, overflow-safe, before use) and loading of
// the PT_LOAD segments into the guest address space, as fs/binfmt_elf.c does.
// References: System V gABI "ELF-64 Object File Format", RISC-V ELF psABI.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace mimic::linux_user {

constexpr uint16_t kElfTypeExec = 2;  // ET_EXEC
constexpr uint16_t kElfTypeDyn = 3;   // ET_DYN
constexpr uint16_t kElfMachineRiscv = 243;  // EM_RISCV
constexpr size_t kElfHeaderSize = 64;       // sizeof(Elf64_Ehdr)
constexpr size_t kElfPhdrSize = 56;         // sizeof(Elf64_Phdr)

struct ElfSegment {  // one PT_LOAD
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t offset = 0;
  uint64_t filesz = 0;
  int prot = 0;  // GuestProt from p_flags
};

// What the loader needs from a validated file.
struct ElfInfo {
  uint16_t type = 0;  // kElfTypeExec or kElfTypeDyn
  uint64_t entry = 0;
  uint64_t phoff = 0;
  uint16_t phnum = 0;
  uint32_t flags = 0;                // e_flags (float ABI, RVC)
  std::vector<ElfSegment> loads;     // in file order, at least one
  std::string interp;                // PT_INTERP path; empty if none
  uint64_t phdr_vaddr = 0;           // unbiased address of the program headers
  bool phdr_in_memory = false;       // false if no PT_LOAD covers them
  uint64_t min_vaddr = 0;            // page-aligned span of the PT_LOADs
  uint64_t max_vaddr = 0;            // page-aligned, exclusive
};

// Reads `n` bytes at `offset` into `buf`; false if the file is shorter.
using ElfReader = std::function<bool(uint64_t offset, void* buf, size_t n)>;

// Validates an ELF64 little-endian RISC-V ET_EXEC/ET_DYN file of `file_size`
// bytes. The error message names the problem (not the file).
Result<ElfInfo> parse_elf(const ElfReader& read, uint64_t file_size);

// Where an image ended up in guest memory.
struct LoadedElf {
  uint64_t bias = 0;       // load address - link address (0 for ET_EXEC)
  uint64_t entry = 0;      // biased entry point
  uint64_t phdr = 0;       // biased address of the program headers (AT_PHDR)
  uint64_t phnum = 0;
  uint64_t brk = 0;        // end of the highest segment (start of the heap)
  uint64_t start = 0;      // lowest mapped address
};

// How to place an ET_DYN image.
enum class ElfPlacement {
  kMainWithInterp,  // main program that has an interpreter: ELF_ET_DYN_BASE
  kTopDown,         // interpreter, or a program run without one: mmap's choice
};

// Maps the segments of a validated file (open on `fd`, read-only) into the
// guest address space.
Result<LoadedElf> load_elf(int fd, const ElfInfo& info, ElfPlacement placement);

// Opens and validates a file: the error is "<path>: <problem>".
struct OpenedElf {
  int fd = -1;
  ElfInfo info;
};
Result<OpenedElf> open_elf(const std::string& path);

}  // namespace mimic::linux_user
