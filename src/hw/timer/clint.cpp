#include "hw/timer/clint.h"

#include "memory/bql.h"

namespace mimic::hw {

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;
}

Clint::Clint(std::vector<HartInterrupts*> harts, core::TimerService* timers, uint64_t frequency_hz)
    : harts_(std::move(harts)), timers_(timers), frequency_(frequency_hz) {
  msip_.assign(harts_.size(), 0);
  mtimecmp_.assign(harts_.size(), ~uint64_t{0});
  for (size_t h = 0; h < harts_.size(); ++h) {
    hart_timers_.push_back(timers_->create_timer([this, h] {
      memory::BigLockGuard guard(memory::big_lock());
      update_timer(h);
    }));
  }
  reset();
}

void Clint::reset() {
  base_ns_ = timers_->clock().now_ns();
  mtime_base_ = 0;
  for (size_t h = 0; h < harts_.size(); ++h) {
    msip_[h] = 0;
    harts_[h]->set_pending(kMipMsip, false);
    mtimecmp_[h] = ~uint64_t{0};
    update_timer(h);
  }
}

uint64_t Clint::mtime() const {
  int64_t elapsed = timers_->clock().now_ns() - base_ns_;
  if (elapsed < 0) elapsed = 0;
  unsigned __int128 ticks = static_cast<unsigned __int128>(elapsed) * frequency_ / kNsPerSecond;
  return mtime_base_ + static_cast<uint64_t>(ticks);
}

void Clint::set_mtime(uint64_t value) {
  base_ns_ = timers_->clock().now_ns();
  mtime_base_ = value;
  for (size_t h = 0; h < harts_.size(); ++h) update_timer(h);
}

int64_t Clint::deadline_ns_for(uint64_t mtime_value) const {
  uint64_t now_ticks = mtime();
  int64_t now = timers_->clock().now_ns();
  if (mtime_value <= now_ticks) return now;
  unsigned __int128 delta_ns =
      (static_cast<unsigned __int128>(mtime_value - now_ticks) * kNsPerSecond + frequency_ - 1) /
      frequency_;
  // Deadlines beyond ~292 years are "never"; clamp to keep the sum in range.
  if (delta_ns > static_cast<unsigned __int128>(INT64_MAX - now)) return INT64_MAX;
  return now + static_cast<int64_t>(delta_ns);
}

void Clint::update_timer(size_t h) {
  uint64_t cmp = mtimecmp_[h];
  if (mtime() >= cmp) {
    hart_timers_[h]->cancel();
    harts_[h]->set_pending(kMipMtip, true);
    return;
  }
  harts_[h]->set_pending(kMipMtip, false);
  int64_t deadline = deadline_ns_for(cmp);
  if (deadline == INT64_MAX) {
    hart_timers_[h]->cancel();
  } else {
    hart_timers_[h]->arm(deadline);
  }
}

uint64_t Clint::merge(uint64_t old, uint64_t offset_in_reg, uint64_t value, unsigned size) {
  if (size == 8) return value;
  unsigned shift = static_cast<unsigned>(offset_in_reg) * 8;
  uint64_t mask = uint64_t{0xffffffff} << shift;
  return (old & ~mask) | ((value << shift) & mask);
}

uint64_t Clint::read(uint64_t offset, unsigned size) {
  size_t n = harts_.size();
  if (offset < kMtimecmpBase) {
    size_t h = offset / 4;
    return (h < n && size == 4) ? msip_[h] : 0;
  }
  uint64_t reg = 0;
  uint64_t in_reg = offset & 7;
  if (offset >= kMtimecmpBase && offset < kMtimecmpBase + 8 * n) {
    reg = mtimecmp_[(offset - kMtimecmpBase) / 8];
  } else if (offset >= kMtime && offset < kMtime + 8) {
    reg = mtime();
  } else {
    return 0;
  }
  return size == 8 ? reg : (reg >> (in_reg * 8)) & 0xffffffff;
}

void Clint::write(uint64_t offset, uint64_t value, unsigned size) {
  size_t n = harts_.size();
  if (offset < kMtimecmpBase) {
    size_t h = offset / 4;
    if (h >= n || (offset & 3) != 0) return;
    msip_[h] = value & 1;
    harts_[h]->set_pending(kMipMsip, msip_[h] != 0);
    return;
  }
  uint64_t in_reg = offset & 7;
  if (offset >= kMtimecmpBase && offset < kMtimecmpBase + 8 * n) {
    size_t h = (offset - kMtimecmpBase) / 8;
    mtimecmp_[h] = merge(mtimecmp_[h], in_reg, value, size);
    update_timer(h);
  } else if (offset >= kMtime && offset < kMtime + 8) {
    set_mtime(merge(mtime(), in_reg, value, size));
  }
}

}  // namespace mimic::hw
