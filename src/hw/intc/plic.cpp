#include "hw/intc/plic.h"

namespace mimic::hw {

Plic::Plic(uint32_t num_sources, std::vector<Target> contexts)
    : num_sources_(num_sources), words_((num_sources + 31) / 32), contexts_(std::move(contexts)) {
  reset();
}

std::vector<Plic::Target> Plic::contexts_for_harts(const std::vector<HartInterrupts*>& harts) {
  std::vector<Target> t;
  for (HartInterrupts* h : harts) {
    t.push_back({h, kMipMeip});
    t.push_back({h, kMipSeip});
  }
  return t;
}

void Plic::reset() {
  priority_.assign(num_sources_, 0);
  level_.assign(words_, 0);
  pending_.assign(words_, 0);
  in_service_.assign(words_, 0);
  enable_.assign(words_ * contexts_.size(), 0);
  threshold_.assign(contexts_.size(), 0);
  output_.assign(contexts_.size(), -1);
  update();
}

void Plic::set_bit(std::vector<uint32_t>& v, uint32_t n, bool on) {
  if (on) {
    v[n / 32] |= 1u << (n % 32);
  } else {
    v[n / 32] &= ~(1u << (n % 32));
  }
}

bool Plic::enabled(size_t ctx, uint32_t n) const {
  return (enable_[ctx * words_ + n / 32] >> (n % 32)) & 1;
}

void Plic::set_irq(uint32_t n, bool level) {
  if (n == 0 || n >= num_sources_) return;
  set_bit(level_, n, level);
  if (!bit(in_service_, n)) set_bit(pending_, n, level);
  update();
}

uint32_t Plic::best_source(size_t ctx) const {
  uint32_t best = 0, best_prio = 0;
  for (uint32_t w = 0; w < words_; ++w) {
    uint32_t cand = pending_[w] & enable_[ctx * words_ + w] & ~in_service_[w];
    while (cand != 0) {
      uint32_t n = w * 32 + static_cast<uint32_t>(__builtin_ctz(cand));
      cand &= cand - 1;
      if (n == 0 || n >= num_sources_) continue;
      if (priority_[n] > best_prio) {  // ties go to the lowest id (spec §4)
        best = n;
        best_prio = priority_[n];
      }
    }
  }
  return best;
}

void Plic::update() {
  for (size_t c = 0; c < contexts_.size(); ++c) {
    uint32_t n = best_source(c);
    bool level = n != 0 && priority_[n] > threshold_[c];
    if (output_[c] != static_cast<int8_t>(level)) {
      output_[c] = static_cast<int8_t>(level);
      contexts_[c].hart->set_pending(contexts_[c].mip_bit, level);
    }
  }
}

uint32_t Plic::claim(size_t ctx) {
  uint32_t n = best_source(ctx);
  if (n != 0) {
    set_bit(pending_, n, false);
    set_bit(in_service_, n, true);
    update();
  }
  return n;
}

void Plic::complete(size_t ctx, uint32_t n) {
  // A completion for a source not enabled for this context is ignored (spec §9).
  if (n == 0 || n >= num_sources_ || !enabled(ctx, n)) return;
  set_bit(in_service_, n, false);
  if (bit(level_, n)) set_bit(pending_, n, true);
  update();
}

uint64_t Plic::read(uint64_t offset, unsigned size) {
  if (offset < kPendingBase) {
    uint64_t n = offset / 4;
    return n < num_sources_ ? priority_[n] : 0;
  }
  if (offset < kEnableBase) {
    uint64_t w = (offset - kPendingBase) / 4;
    return w < words_ ? pending_[w] : 0;
  }
  if (offset < kContextBase) {
    uint64_t ctx = (offset - kEnableBase) / kEnableStride;
    uint64_t w = (offset - kEnableBase) % kEnableStride / 4;
    return (ctx < contexts_.size() && w < words_) ? enable_[ctx * words_ + w] : 0;
  }
  uint64_t ctx = (offset - kContextBase) / kContextStride;
  uint64_t reg = (offset - kContextBase) % kContextStride;
  if (ctx >= contexts_.size()) return 0;
  if (reg == 0) return threshold_[ctx];
  if (reg == 4) return claim(ctx);
  return 0;
}

void Plic::write(uint64_t offset, uint64_t value, unsigned size) {
  uint32_t v = static_cast<uint32_t>(value);
  if (offset < kPendingBase) {
    uint64_t n = offset / 4;
    if (n != 0 && n < num_sources_) priority_[n] = v & kPriorityMask;
  } else if (offset < kEnableBase) {
    return;  // pending bits are read-only
  } else if (offset < kContextBase) {
    uint64_t ctx = (offset - kEnableBase) / kEnableStride;
    uint64_t w = (offset - kEnableBase) % kEnableStride / 4;
    if (ctx >= contexts_.size() || w >= words_) return;
    if (w == 0) v &= ~1u;  // source 0 does not exist
    if (w == words_ - 1 && num_sources_ % 32 != 0) v &= (1u << (num_sources_ % 32)) - 1;
    enable_[ctx * words_ + w] = v;
  } else {
    uint64_t ctx = (offset - kContextBase) / kContextStride;
    uint64_t reg = (offset - kContextBase) % kContextStride;
    if (ctx >= contexts_.size()) return;
    if (reg == 0) {
      threshold_[ctx] = v & kPriorityMask;
    } else if (reg == 4) {
      complete(ctx, v);
      return;
    } else {
      return;
    }
  }
  update();
}

}  // namespace mimic::hw
