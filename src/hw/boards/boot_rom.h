#pragma once
// The reset vector ROM of the virt board (at 0x1000, where harts start): it
// jumps to the firmware with a0 = mhartid, a1 = device-tree address and
// a2 = &fw_dynamic_info (OpenSBI docs/firmware/fw_dynamic.md), so that
// fw_dynamic.bin knows where the next stage is and in which mode to run it.
#include <cstdint>
#include <vector>

namespace mimic::hw::virt {

// struct fw_dynamic_info, version 2 (fields are XLEN = 64 bits wide).
inline constexpr uint64_t kFwDynamicMagic = 0x4942534f;  // "OSBI"
inline constexpr uint64_t kFwDynamicVersion = 2;
inline constexpr uint64_t kNextModeS = 1;

struct BootRomParams {
  uint64_t rom_base = 0x1000;
  uint64_t firmware_entry = 0;  // where the ROM jumps
  uint64_t fdt_addr = 0;
  uint64_t next_addr = 0;       // fw_dynamic_info.next_addr (kernel entry)
  uint64_t next_mode = kNextModeS;
  uint64_t boot_hart = 0;
};

// Offsets inside the ROM image.
inline constexpr uint64_t kRomEntryOffset = 24;   // firmware entry (u64)
inline constexpr uint64_t kRomFdtOffset = 32;     // device-tree address (u64)
inline constexpr uint64_t kRomFwInfoOffset = 40;  // struct fw_dynamic_info

std::vector<uint8_t> build_boot_rom(const BootRomParams& p);

}  // namespace mimic::hw::virt
