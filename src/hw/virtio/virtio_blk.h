#pragma once
// virtio-blk (virtio 1.2 §5.2) over a block-layer driver. Requests are
// parsed whole before any I/O (header, data length, status byte), checked
// against the disk size, and executed synchronously on notify.
#include <cstdint>
#include <string>

#include "block/block_driver.h"
#include "hw/virtio/virtio_device.h"

namespace mimic::hw::virtio {

class VirtioBlk final : public VirtioDevice {
 public:
  // Feature bits (§5.2.3).
  static constexpr unsigned kFeatureSegMax = 2, kFeatureRo = 5, kFeatureBlkSize = 6,
                            kFeatureFlush = 9;
  // Request types and status (§5.2.6).
  static constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8;
  static constexpr uint8_t kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupported = 2;
  static constexpr uint64_t kSectorSize = 512;
  static constexpr uint32_t kSegMax = 126;
  static constexpr unsigned kIdBytes = 20;
  // Largest data transfer accepted in one request.
  static constexpr uint64_t kMaxRequestBytes = 16 * 1024 * 1024;

  // `disk` must outlive the device. `serial` is returned by GET_ID (truncated to 20 bytes).
  VirtioBlk(block::BlockDriver* disk, bool read_only, std::string serial = "");

  uint32_t device_id() const override { return kIdBlock; }
  uint64_t device_features() const override;
  size_t num_queues() const override { return 1; }
  void read_config(uint64_t offset, uint8_t* dst, unsigned len) override;
  void queue_notify(size_t index) override;
  void activate() override { queue_notify(0); }

 private:
  // Executes one request; returns the status byte and sets *data_written.
  uint8_t execute(const DescriptorChain& chain, uint32_t type, uint64_t sector,
                  uint64_t data_len, uint64_t* data_written);

  block::BlockDriver* disk_;
  bool read_only_;
  std::string serial_;
};

}  // namespace mimic::hw::virtio
