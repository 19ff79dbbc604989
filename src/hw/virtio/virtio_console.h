#pragma once
// virtio-console with a single port and no MULTIPORT (virtio 1.2 §5.3):
// queue 0 (receiveq) carries host input to the guest, queue 1 (transmitq)
// guest output to the chardev. Linux binds it to hvc0.
#include <cstdint>

#include "chardev/chardev.h"
#include "hw/virtio/virtio_device.h"

namespace mimic::hw::virtio {

class VirtioConsole final : public VirtioDevice, public chardev::CharFrontend {
 public:
  static constexpr uint64_t kMaxTransmitBytes = 64 * 1024;

  // `chr` may be nullptr; it must outlive the device.
  explicit VirtioConsole(chardev::Chardev* chr);
  ~VirtioConsole() override;

  uint32_t device_id() const override { return kIdConsole; }
  uint64_t device_features() const override { return 0; }
  size_t num_queues() const override { return 2; }
  void read_config(uint64_t offset, uint8_t* dst, unsigned len) override;
  void queue_notify(size_t index) override;
  void activate() override;
  void reset() override { rx_held_ = false; }

  // CharFrontend: one receive buffer at a time is taken from queue 0.
  size_t can_receive() override;
  void receive(const uint8_t* data, size_t len) override;

 private:
  void transmit();

  chardev::Chardev* chr_;
  DescriptorChain rx_chain_;
  bool rx_held_ = false;  // rx_chain_ popped and not yet returned
};

}  // namespace mimic::hw::virtio
