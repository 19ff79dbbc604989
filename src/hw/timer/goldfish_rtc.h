#pragma once
// Goldfish RTC (Android emulator "google,goldfish-rtc"), at 0x101000, IRQ 11
// on the virt board. Time is nanoseconds since the Unix epoch from the host
// realtime clock, plus an offset the guest may set.
//   0x00 TIME_LOW (read latches TIME_HIGH; write sets the time with the
//        previously written TIME_HIGH)   0x04 TIME_HIGH
//   0x08 ALARM_LOW (write arms the alarm) 0x0c ALARM_HIGH
//   0x10 IRQ_ENABLED  0x14 CLEAR_ALARM  0x18 ALARM_STATUS  0x1c CLEAR_INTERRUPT
#include <cstdint>
#include <memory>

#include "core/timer.h"
#include "hw/irq.h"
#include "memory/memory_region.h"

namespace mimic::hw {

class GoldfishRtc final : public memory::MmioOps {
 public:
  static constexpr uint64_t kSize = 0x1000;
  enum Reg : uint64_t {
    kTimeLow = 0x00, kTimeHigh = 0x04, kAlarmLow = 0x08, kAlarmHigh = 0x0c,
    kIrqEnabled = 0x10, kClearAlarm = 0x14, kAlarmStatus = 0x18, kClearInterrupt = 0x1c,
  };

  // realtime_ns: the host wall clock (injectable for tests).
  GoldfishRtc(IrqLine irq, core::TimerService* timers, int64_t (*realtime_ns)() = core::host_realtime_ns);

  void reset();
  uint64_t now() const;  // guest RTC time in ns

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  unsigned min_access_size() const override { return 4; }
  unsigned max_access_size() const override { return 4; }

 private:
  void alarm_fired();
  void update_irq() { irq_.set(irq_pending_ && irq_enabled_); }

  IrqLine irq_;
  core::TimerService* timers_;
  int64_t (*realtime_ns_)();
  std::unique_ptr<core::Timer> timer_;
  int64_t offset_ns_ = 0;  // guest time - host realtime
  uint32_t time_high_latch_ = 0;
  uint32_t time_high_written_ = 0;
  uint32_t alarm_high_ = 0;
  uint64_t alarm_ = 0;
  bool alarm_running_ = false;
  bool irq_enabled_ = false;
  bool irq_pending_ = false;
};

}  // namespace mimic::hw
