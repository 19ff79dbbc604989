#pragma once
// virtio-mmio transport, version 2 (virtio 1.2 §4.2.2). One 0x1000-byte
// window: registers at 0x000..0x0ff, device config space from 0x100. A
// transport without a device reads DeviceID 0, which drivers skip, as on
// QEMU's virt board whose eight transports are always present.
#include <cstdint>
#include <vector>

#include "hw/irq.h"
#include "hw/virtio/virtio_device.h"
#include "memory/memory_region.h"

namespace mimic::hw::virtio {

class VirtioMmio final : public memory::MmioOps, public VirtioTransport {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kMagic = 0x74726976;  // "virt"
  static constexpr uint32_t kVendorId = 0x554d4551;
  static constexpr uint64_t kConfigBase = 0x100;

  // Status bits (§2.1).
  static constexpr uint32_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8,
                            kNeedsReset = 64, kFailed = 128;
  // InterruptStatus bits (§4.2.2).
  static constexpr uint32_t kIntUsedBuffer = 1, kIntConfigChange = 2;

  enum Reg : uint64_t {
    kMagicValue = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendor = 0x00c,
    kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020,
    kDriverFeaturesSel = 0x024, kQueueSel = 0x030, kQueueNumMax = 0x034, kQueueNum = 0x038,
    kQueueReady = 0x044, kQueueNotify = 0x050, kInterruptStatus = 0x060, kInterruptAck = 0x064,
    kStatus = 0x070, kQueueDescLow = 0x080, kQueueDescHigh = 0x084, kQueueDriverLow = 0x090,
    kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0, kQueueDeviceHigh = 0x0a4,
    kShmSel = 0x0ac, kShmLenLow = 0x0b0, kShmLenHigh = 0x0b4, kShmBaseLow = 0x0b8,
    kShmBaseHigh = 0x0bc, kQueueReset = 0x0c0, kConfigGeneration = 0x0fc,
  };

  // `device` may be nullptr (an empty slot). All pointers outlive the transport.
  VirtioMmio(memory::GuestMemory* mem, IrqLine irq, VirtioDevice* device);

  void reset();
  uint32_t status() const { return status_; }
  uint32_t interrupt_status() const { return interrupt_status_; }
  VirtioDevice* device() const { return device_; }

  // MmioOps
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

  // VirtioTransport
  memory::GuestMemory& guest_memory() override { return *mem_; }
  VirtQueue& queue(size_t index) override { return queues_[index]; }
  uint64_t driver_features() const override { return driver_features_; }
  void notify_used(size_t index) override;
  void config_changed() override;
  void set_needs_reset() override;
  bool driver_ok() const override {
    return (status_ & kDriverOk) && !(status_ & kNeedsReset);
  }

 private:
  uint64_t offered_features() const;
  VirtQueue* selected_queue();
  void write_status(uint32_t value);
  void update_irq() { irq_.set(interrupt_status_ != 0); }
  static void set_half(uint64_t* reg, bool high, uint32_t value);

  memory::GuestMemory* mem_;
  IrqLine irq_;
  VirtioDevice* device_;
  std::vector<VirtQueue> queues_;
  uint32_t status_ = 0;
  uint32_t interrupt_status_ = 0;
  uint32_t device_features_sel_ = 0;
  uint32_t driver_features_sel_ = 0;
  uint64_t driver_features_ = 0;
  uint32_t queue_sel_ = 0;
  uint32_t config_generation_ = 0;
};

}  // namespace mimic::hw::virtio
