#pragma once
// SiFive CLINT (core-local interruptor) as on QEMU's virt board: per-hart
// software interrupt (msip) and timer compare (mtimecmp), and the shared
// mtime counter at 10 MHz derived from the host monotonic clock.
// Register map (SiFive CLINT / ACLINT MTIMER+MSWI layout):
//   0x0000 + 4*h  msip[h]      bit 0 drives mip.MSIP of hart h
//   0x4000 + 8*h  mtimecmp[h]  mip.MTIP of hart h = (mtime >= mtimecmp[h])
//   0xbff8        mtime
// Accesses are 4 or 8 bytes (32-bit halves of the 64-bit registers work).
#include <cstdint>
#include <memory>
#include <vector>

#include "core/timer.h"
#include "hw/irq.h"
#include "memory/memory_region.h"

namespace mimic::hw {

class Clint final : public memory::MmioOps {
 public:
  static constexpr uint64_t kSize = 0x10000;
  static constexpr uint64_t kMsipBase = 0x0;
  static constexpr uint64_t kMtimecmpBase = 0x4000;
  static constexpr uint64_t kMtime = 0xbff8;
  static constexpr uint64_t kDefaultFrequency = 10'000'000;

  // `harts` (index = hart id) and `timers` must outlive the CLINT.
  Clint(std::vector<HartInterrupts*> harts, core::TimerService* timers,
        uint64_t frequency_hz = kDefaultFrequency);

  // The mtime value now: what the CPU's `time` CSR reads.
  uint64_t mtime() const;
  uint64_t frequency() const { return frequency_; }
  // Converts a future mtime value into a deadline on the timer service's
  // clock (for the CPU's Sstc stimecmp timer).
  int64_t deadline_ns_for(uint64_t mtime_value) const;

  void reset();

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  unsigned min_access_size() const override { return 4; }
  unsigned max_access_size() const override { return 8; }

 private:
  void set_mtime(uint64_t value);
  void update_timer(size_t hart);  // recomputes MTIP and re-arms the timer
  static uint64_t merge(uint64_t old, uint64_t offset_in_reg, uint64_t value, unsigned size);

  std::vector<HartInterrupts*> harts_;
  core::TimerService* timers_;
  uint64_t frequency_;
  int64_t base_ns_ = 0;     // clock time at which mtime was mtime_base_
  uint64_t mtime_base_ = 0;
  std::vector<uint32_t> msip_;
  std::vector<uint64_t> mtimecmp_;
  std::vector<std::unique_ptr<core::Timer>> hart_timers_;
};

}  // namespace mimic::hw
