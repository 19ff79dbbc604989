#pragma once
// SiFive test finisher ("sifive,test0"), at 0x100000 on the virt board. A
// 32-bit write of FINISHER_PASS (0x5555) powers off with status 0,
// FINISHER_RESET (0x7777) resets, FINISHER_FAIL (0x3333) powers off with
// status = value >> 16. Other values are ignored. Reads return 0.
#include <cstdint>

#include "hw/misc/power_control.h"
#include "memory/memory_region.h"

namespace mimic::hw {

class SifiveTest final : public memory::MmioOps {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kFail = 0x3333, kPass = 0x5555, kReset = 0x7777;

  explicit SifiveTest(PowerControl* power) : power_(power) {}
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  unsigned min_access_size() const override { return 4; }
  unsigned max_access_size() const override { return 4; }

 private:
  PowerControl* power_;
};

}  // namespace mimic::hw
