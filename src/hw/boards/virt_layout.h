#pragma once
// The riscv "virt" board described as data: one memory map and one IRQ
// table, with QEMU's addresses and PLIC source numbers so that firmware,
// kernels and device trees written for QEMU's virt machine work unchanged.
#include <cstdint>

namespace mimic::hw::virt {

enum class Region { kMrom, kTest, kRtc, kClint, kPlic, kUart0, kVirtio, kDram };

struct MemMapEntry {
  Region region;
  uint64_t base;
  uint64_t size;  // for kVirtio: the size of one transport; for kDram: set by -m
};

inline constexpr MemMapEntry kMemMap[] = {
    {Region::kMrom, 0x1000, 0xf000},
    {Region::kTest, 0x100000, 0x1000},
    {Region::kRtc, 0x101000, 0x1000},
    {Region::kClint, 0x2000000, 0x10000},
    {Region::kPlic, 0xc000000, 0x600000},
    {Region::kUart0, 0x10000000, 0x100},
    {Region::kVirtio, 0x10001000, 0x1000},
    {Region::kDram, 0x80000000, 0},
};

constexpr const MemMapEntry& entry(Region r) {
  for (const MemMapEntry& e : kMemMap) {
    if (e.region == r) return e;
  }
  return kMemMap[0];  // unreachable: every Region has an entry
}
constexpr uint64_t base(Region r) { return entry(r).base; }
constexpr uint64_t size(Region r) { return entry(r).size; }

// PLIC sources.
inline constexpr uint32_t kVirtioIrqFirst = 1;  // transport i uses kVirtioIrqFirst + i
inline constexpr uint32_t kUart0Irq = 10;
inline constexpr uint32_t kRtcIrq = 11;
inline constexpr uint32_t kPlicNumDevices = 0x60;  // "riscv,ndev"; sources 1..0x60

inline constexpr int kVirtioCount = 8;
inline constexpr int kMaxHarts = 8;
inline constexpr uint64_t kTimebaseHz = 10'000'000;

// Boot: firmware at the start of DRAM, the kernel 2 MiB aligned after it.
inline constexpr uint64_t kKernelAlign = 2 * 1024 * 1024;
inline constexpr uint64_t kDefaultRamSize = 128 * 1024 * 1024;

static_assert(base(Region::kVirtio) + kVirtioCount * size(Region::kVirtio) <= 0x10100000,
              "virtio transports must end before fw-cfg's slot");

}  // namespace mimic::hw::virt
