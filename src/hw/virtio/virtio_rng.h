#pragma once
// virtio-rng / entropy device (virtio 1.2 §5.4): fills each device-writable
// buffer with bytes from the host's getrandom(2).
#include <cstdint>

#include "hw/virtio/virtio_device.h"

namespace mimic::hw::virtio {

class VirtioRng final : public VirtioDevice {
 public:
  // At most this many bytes per request (the driver asks for small amounts).
  static constexpr uint64_t kMaxRequestBytes = 64 * 1024;

  uint32_t device_id() const override { return kIdRng; }
  uint64_t device_features() const override { return 0; }
  size_t num_queues() const override { return 1; }
  void read_config(uint64_t, uint8_t* dst, unsigned len) override { read_config_bytes(nullptr, 0, 0, dst, len); }
  void queue_notify(size_t index) override;
};

}  // namespace mimic::hw::virtio
