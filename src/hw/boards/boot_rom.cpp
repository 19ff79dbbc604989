#include "hw/boards/boot_rom.h"

#include <cstring>

namespace mimic::hw::virt {

namespace {
// RV64 encodings (RISC-V unprivileged spec §2.4, §2.5, chapter 9).
constexpr uint32_t i_type(uint32_t opcode, uint32_t funct3, uint32_t rd, uint32_t rs1, int32_t imm) {
  return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}
constexpr uint32_t kT0 = 5, kA0 = 10, kA1 = 11, kA2 = 12;
constexpr uint32_t kAuipc = 0x17, kOpImm = 0x13, kLoad = 0x03, kSystem = 0x73, kJalr = 0x67;
constexpr uint32_t kMhartid = 0xf14;

void put64(std::vector<uint8_t>& v, uint64_t off, uint64_t x) { std::memcpy(v.data() + off, &x, 8); }
}  // namespace

std::vector<uint8_t> build_boot_rom(const BootRomParams& p) {
  const uint32_t code[] = {
      (kT0 << 7) | kAuipc,                                              // auipc t0, 0
      i_type(kOpImm, 0, kA2, kT0, static_cast<int32_t>(kRomFwInfoOffset)),  // addi a2, t0, info
      (kMhartid << 20) | (2u << 12) | (kA0 << 7) | kSystem,             // csrr a0, mhartid
      i_type(kLoad, 3, kA1, kT0, static_cast<int32_t>(kRomFdtOffset)),  // ld a1, fdt(t0)
      i_type(kLoad, 3, kT0, kT0, static_cast<int32_t>(kRomEntryOffset)),  // ld t0, entry(t0)
      i_type(kJalr, 0, 0, kT0, 0),                                      // jr t0
  };
  static_assert(sizeof(code) <= kRomEntryOffset);
  std::vector<uint8_t> rom(kRomFwInfoOffset + 6 * 8, 0);
  std::memcpy(rom.data(), code, sizeof code);
  put64(rom, kRomEntryOffset, p.firmware_entry);
  put64(rom, kRomFdtOffset, p.fdt_addr);
  uint64_t info = kRomFwInfoOffset;
  put64(rom, info + 0, kFwDynamicMagic);
  put64(rom, info + 8, kFwDynamicVersion);
  put64(rom, info + 16, p.next_addr);
  put64(rom, info + 24, p.next_mode);
  put64(rom, info + 32, 0);  // options
  put64(rom, info + 40, p.boot_hart);
  return rom;
}

}  // namespace mimic::hw::virt
