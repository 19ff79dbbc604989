#pragma once
// The contract between a virtio device (blk, rng, console) and its
// transport (virtio-mmio today, PCI later), after Firecracker's
// VirtioDevice: the device declares its id, features, queues and config
// space, and handles queue notifications; the transport owns the
// registers, the feature negotiation, the queues' configuration and the
// interrupt. All calls are made with the big lock held.
#include <cstddef>
#include <cstdint>

#include "hw/virtio/virtqueue.h"
#include "memory/guest_memory.h"

namespace mimic::hw::virtio {

// Device IDs (virtio 1.2 §5).
inline constexpr uint32_t kIdBlock = 2, kIdConsole = 3, kIdRng = 4;

// What a device may ask of its transport.
class VirtioTransport {
 public:
  virtual ~VirtioTransport() = default;
  virtual memory::GuestMemory& guest_memory() = 0;
  virtual VirtQueue& queue(size_t index) = 0;
  // Features the driver accepted (valid once FEATURES_OK).
  virtual uint64_t driver_features() const = 0;
  // Raises the used-buffer interrupt if the driver wants it for queue `index`.
  virtual void notify_used(size_t index) = 0;
  // The device changed its config space: bump the generation, interrupt.
  virtual void config_changed() = 0;
  // The device found the driver's rings unusable (§2.1.2): sets
  // DEVICE_NEEDS_RESET and stops processing until the driver resets.
  virtual void set_needs_reset() = 0;
  // True while the driver is running (DRIVER_OK and not NEEDS_RESET).
  virtual bool driver_ok() const = 0;
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  virtual uint32_t device_id() const = 0;
  // Device-specific feature bits; the transport adds VERSION_1 and the ring
  // features it implements.
  virtual uint64_t device_features() const = 0;
  virtual size_t num_queues() const = 0;
  virtual uint16_t queue_max_size(size_t index) const { return 256; }
  // Config space (little-endian fields); reads beyond its size return 0,
  // writes to read-only fields are ignored.
  virtual void read_config(uint64_t offset, uint8_t* dst, unsigned len) = 0;
  virtual void write_config(uint64_t offset, const uint8_t* src, unsigned len) {}

  // Called once by the transport that owns the device.
  virtual void attach(VirtioTransport* transport) { transport_ = transport; }
  // The driver set DRIVER_OK.
  virtual void activate() {}
  // The driver notified queue `index` (only while driver_ok()).
  virtual void queue_notify(size_t index) = 0;
  // The driver wrote 0 to Status: drop all in-flight state.
  virtual void reset() {}

 protected:
  VirtioTransport* transport_ = nullptr;
};

// Copies `len` bytes of a little-endian config struct `cfg` at `offset`.
void read_config_bytes(const void* cfg, size_t cfg_size, uint64_t offset, uint8_t* dst, unsigned len);

}  // namespace mimic::hw::virtio
