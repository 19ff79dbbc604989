#include "hw/timer/goldfish_rtc.h"

#include "memory/bql.h"

namespace mimic::hw {

namespace {
// Host deadline for an alarm `delta` ns away; far alarms (guest-chosen) are
// clamped to ~100 years so the sum cannot overflow.
int64_t deadline_after(int64_t now, uint64_t delta) {
  constexpr uint64_t kMax = uint64_t{100} * 365 * 24 * 3600 * 1000000000;
  return now + static_cast<int64_t>(delta < kMax ? delta : kMax);
}
}  // namespace

GoldfishRtc::GoldfishRtc(IrqLine irq, core::TimerService* timers, int64_t (*realtime_ns)())
    : irq_(irq), timers_(timers), realtime_ns_(realtime_ns) {
  timer_ = timers_->create_timer([this] {
    memory::BigLockGuard guard(memory::big_lock());
    alarm_fired();
  });
  reset();
}

void GoldfishRtc::reset() {
  timer_->cancel();
  alarm_running_ = false;
  irq_enabled_ = false;
  irq_pending_ = false;
  update_irq();
}

uint64_t GoldfishRtc::now() const { return static_cast<uint64_t>(realtime_ns_() + offset_ns_); }

void GoldfishRtc::alarm_fired() {
  if (!alarm_running_) return;
  uint64_t t = now();
  if (t < alarm_) {  // the host clock moved; try again
    timer_->arm(deadline_after(timers_->clock().now_ns(), alarm_ - t));
    return;
  }
  alarm_running_ = false;
  irq_pending_ = true;
  update_irq();
}

uint64_t GoldfishRtc::read(uint64_t offset, unsigned size) {
  switch (offset) {
    case kTimeLow: {
      uint64_t t = now();
      time_high_latch_ = static_cast<uint32_t>(t >> 32);
      return static_cast<uint32_t>(t);
    }
    case kTimeHigh:
      return time_high_latch_;
    case kAlarmLow:
      return static_cast<uint32_t>(alarm_);
    case kAlarmHigh:
      return static_cast<uint32_t>(alarm_ >> 32);
    case kIrqEnabled:
      return irq_enabled_;
    case kAlarmStatus:
      return alarm_running_;
    default:
      return 0;
  }
}

void GoldfishRtc::write(uint64_t offset, uint64_t value, unsigned size) {
  uint32_t v = static_cast<uint32_t>(value);
  switch (offset) {
    case kTimeLow: {
      uint64_t t = (uint64_t{time_high_written_} << 32) | v;
      offset_ns_ = static_cast<int64_t>(t) - realtime_ns_();
      break;
    }
    case kTimeHigh:
      time_high_written_ = v;
      break;
    case kAlarmLow: {
      alarm_ = (uint64_t{alarm_high_} << 32) | v;
      alarm_running_ = true;
      uint64_t t = now();
      if (alarm_ <= t) {
        alarm_fired();
      } else {
        timer_->arm(deadline_after(timers_->clock().now_ns(), alarm_ - t));
      }
      break;
    }
    case kAlarmHigh:
      alarm_high_ = v;
      break;
    case kIrqEnabled:
      irq_enabled_ = v & 1;
      update_irq();
      break;
    case kClearAlarm:
      alarm_running_ = false;
      timer_->cancel();
      break;
    case kClearInterrupt:
      irq_pending_ = false;
      update_irq();
      break;
    default:
      break;
  }
}

}  // namespace mimic::hw
