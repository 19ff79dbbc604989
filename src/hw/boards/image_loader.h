#pragma once
// Loads firmware, kernels and initrds into guest physical memory: raw
// binaries at a given address, or ELF64 RISC-V executables at their
// segments' physical addresses. Every length and offset in a file is checked
// (a truncated or hostile image gets an error, never a crash).
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "memory/address_space.h"

namespace mimic::hw {

struct LoadedImage {
  uint64_t entry = 0;  // ELF entry, or the load address of a raw image
  uint64_t low = 0;    // lowest address written
  uint64_t high = 0;   // one past the highest address written
  bool elf = false;
};

Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_size);

bool is_elf(const std::vector<uint8_t>& data);

// Loads an ELF64 little-endian RISC-V image by its PT_LOAD segments' p_paddr.
Result<LoadedImage> load_elf(memory::AddressSpace& as, const std::vector<uint8_t>& data,
                             const std::string& what);
// Loads bytes at `addr`; the whole range must be RAM or ROM.
Result<LoadedImage> load_raw(memory::AddressSpace& as, const std::vector<uint8_t>& data,
                             uint64_t addr, const std::string& what);
// ELF if it looks like one, raw at `addr` otherwise.
Result<LoadedImage> load_image(memory::AddressSpace& as, const std::string& path, uint64_t addr,
                               uint64_t max_size, const std::string& what);

}  // namespace mimic::hw
