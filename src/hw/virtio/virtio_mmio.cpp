#include "hw/virtio/virtio_mmio.h"

#include <algorithm>
#include <cstring>

#include "core/log.h"

namespace mimic::hw::virtio {

void read_config_bytes(const void* cfg, size_t cfg_size, uint64_t offset, uint8_t* dst, unsigned len) {
  std::memset(dst, 0, len);
  if (offset >= cfg_size) return;
  size_t n = std::min<uint64_t>(len, cfg_size - offset);
  std::memcpy(dst, static_cast<const uint8_t*>(cfg) + offset, n);
}

VirtioMmio::VirtioMmio(memory::GuestMemory* mem, IrqLine irq, VirtioDevice* device)
    : mem_(mem), irq_(irq), device_(device) {
  if (device_ != nullptr) {
    queues_.resize(device_->num_queues());
    for (size_t i = 0; i < queues_.size(); ++i) queues_[i].max_size = device_->queue_max_size(i);
    device_->attach(this);
  }
  reset();
}

void VirtioMmio::reset() {
  status_ = 0;
  interrupt_status_ = 0;
  device_features_sel_ = driver_features_sel_ = 0;
  driver_features_ = 0;
  queue_sel_ = 0;
  for (VirtQueue& q : queues_) q.reset();
  if (device_ != nullptr) device_->reset();
  update_irq();
}

uint64_t VirtioMmio::offered_features() const {
  if (device_ == nullptr) return 0;
  return device_->device_features() | (uint64_t{1} << kFeatureVersion1) |
         (uint64_t{1} << kFeatureIndirectDesc) | (uint64_t{1} << kFeatureEventIdx);
}

VirtQueue* VirtioMmio::selected_queue() {
  return queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr;
}

void VirtioMmio::set_half(uint64_t* reg, bool high, uint32_t value) {
  if (high) {
    *reg = (*reg & 0xffffffffu) | (uint64_t{value} << 32);
  } else {
    *reg = (*reg & ~uint64_t{0xffffffff}) | value;
  }
}

uint64_t VirtioMmio::read(uint64_t offset, unsigned size) {
  if (offset >= kConfigBase) {
    if (device_ == nullptr) return 0;
    uint8_t buf[8] = {};
    device_->read_config(offset - kConfigBase, buf, size);
    uint64_t v = 0;
    std::memcpy(&v, buf, size);
    return v;
  }
  if (size != 4) return 0;  // registers are 32-bit only (§4.2.2.2)
  VirtQueue* q = selected_queue();
  switch (offset) {
    case kMagicValue:
      return kMagic;
    case kVersion:
      return 2;
    case kDeviceId:
      return device_ != nullptr ? device_->device_id() : 0;
    case kVendor:
      return kVendorId;
    case kDeviceFeatures:
      return device_features_sel_ < 2 ? static_cast<uint32_t>(offered_features() >> (32 * device_features_sel_)) : 0;
    case kQueueNumMax:
      return q != nullptr ? q->max_size : 0;
    case kQueueReady:
      return q != nullptr && q->ready;
    case kInterruptStatus:
      return interrupt_status_;
    case kStatus:
      return status_;
    case kQueueDescLow:
      return q != nullptr ? static_cast<uint32_t>(q->desc_addr) : 0;
    case kQueueDescHigh:
      return q != nullptr ? static_cast<uint32_t>(q->desc_addr >> 32) : 0;
    case kQueueDriverLow:
      return q != nullptr ? static_cast<uint32_t>(q->avail_addr) : 0;
    case kQueueDriverHigh:
      return q != nullptr ? static_cast<uint32_t>(q->avail_addr >> 32) : 0;
    case kQueueDeviceLow:
      return q != nullptr ? static_cast<uint32_t>(q->used_addr) : 0;
    case kQueueDeviceHigh:
      return q != nullptr ? static_cast<uint32_t>(q->used_addr >> 32) : 0;
    case kShmLenLow:
    case kShmLenHigh:
      return 0xffffffff;  // no shared memory regions
    case kConfigGeneration:
      return config_generation_;
    default:
      return 0;
  }
}

void VirtioMmio::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset >= kConfigBase) {
    if (device_ == nullptr) return;
    uint8_t buf[8];
    std::memcpy(buf, &value, 8);
    device_->write_config(offset - kConfigBase, buf, size);
    return;
  }
  if (size != 4 || device_ == nullptr) return;
  uint32_t v = static_cast<uint32_t>(value);
  VirtQueue* q = selected_queue();
  // Queue layout may change only while the queue is not ready (§4.2.2.3).
  bool q_writable = q != nullptr && !q->ready;
  switch (offset) {
    case kDeviceFeaturesSel:
      device_features_sel_ = v;
      break;
    case kDriverFeaturesSel:
      driver_features_sel_ = v;
      break;
    case kDriverFeatures:
      if (driver_features_sel_ < 2 && !(status_ & kFeaturesOk)) {
        set_half(&driver_features_, driver_features_sel_ == 1, v);
      }
      break;
    case kQueueSel:
      queue_sel_ = v;
      break;
    case kQueueNum:
      if (q_writable) q->size = static_cast<uint16_t>(v > q->max_size ? 0 : v);
      break;
    case kQueueReady:
      if (q == nullptr) break;
      if ((v & 1) && !q->ready) {
        if (q->size == 0) break;  // refuse a queue the driver sized wrongly
        q->ready = true;
        q->start(mem_, driver_features_);
      } else if (!(v & 1)) {
        q->ready = false;
      }
      break;
    case kQueueNotify:
      if (driver_ok() && v < queues_.size() && queues_[v].ready) device_->queue_notify(v);
      break;
    case kInterruptAck:
      interrupt_status_ &= ~v;
      update_irq();
      break;
    case kStatus:
      write_status(v);
      break;
    case kQueueDescLow:
    case kQueueDescHigh:
      if (q_writable) set_half(&q->desc_addr, offset == kQueueDescHigh, v);
      break;
    case kQueueDriverLow:
    case kQueueDriverHigh:
      if (q_writable) set_half(&q->avail_addr, offset == kQueueDriverHigh, v);
      break;
    case kQueueDeviceLow:
    case kQueueDeviceHigh:
      if (q_writable) set_half(&q->used_addr, offset == kQueueDeviceHigh, v);
      break;
    default:
      break;
  }
}

void VirtioMmio::write_status(uint32_t v) {
  if (v == 0) {
    reset();
    return;
  }
  uint32_t added = v & ~status_;
  if (added & kFeaturesOk) {
    // §3.1.1: the device accepts FEATURES_OK only for a subset of what it
    // offered that includes VERSION_1 (no legacy interface here).
    uint64_t offered = offered_features();
    if ((driver_features_ & ~offered) != 0 || !((driver_features_ >> kFeatureVersion1) & 1)) {
      v &= ~kFeaturesOk;
      added &= ~kFeaturesOk;
    }
  }
  if ((added & kDriverOk) && !(status_ & kFeaturesOk) && !(v & kFeaturesOk)) {
    v &= ~kDriverOk;  // DRIVER_OK without negotiated features is refused
    added &= ~kDriverOk;
  }
  status_ = (status_ & kNeedsReset) | v;
  if (added & kDriverOk) device_->activate();
}

void VirtioMmio::notify_used(size_t index) {
  if (index >= queues_.size()) return;
  if (queues_[index].should_notify()) {
    interrupt_status_ |= kIntUsedBuffer;
    update_irq();
  }
}

void VirtioMmio::config_changed() {
  ++config_generation_;
  if (status_ & kDriverOk) {
    interrupt_status_ |= kIntConfigChange;
    update_irq();
  }
}

void VirtioMmio::set_needs_reset() {
  if (status_ & kNeedsReset) return;
  if (log::enabled(log::kUnimp)) log::printf("virtio-mmio: malformed queue, device needs reset\n");
  status_ |= kNeedsReset;
  // §2.1.2: a driver that has DRIVER_OK learns of it by a config interrupt.
  if (status_ & kDriverOk) {
    interrupt_status_ |= kIntConfigChange;
    update_irq();
  }
}

}  // namespace mimic::hw::virtio
