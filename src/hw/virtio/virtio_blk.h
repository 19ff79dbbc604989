#pragma once
// virtio-blk (virtio 1.2 §5.2) over a block-layer drive.
//
// Request path and threading:
//  1. queue_notify() runs on a vCPU thread with the big lock held (MMIO
//     dispatch). It pops each available chain, reads the 16-byte header and
//     hands the request to the drive's I/O thread (block/drive.h). No disk
//     I/O happens under the big lock.
//  2. The I/O thread executes the request: it copies a write's data out of
//     guest RAM, calls the format driver, and for a read fills a buffer.
//     Guest RAM is reached through GuestMemory, whose RAM accesses take no
//     lock (the address map is fixed once the machine is built,
//     memory/address_space.h); the guest owns those buffers until the used
//     ring returns them, so nothing else writes them meanwhile.
//  3. Completion, still on the I/O thread, takes the big lock and copies
//     read data to the guest, writes the status byte, pushes the used
//     element and raises the interrupt through the transport. A request is
//     acknowledged only after its write (or flush, with fdatasync) returned
//     at the format layer. Requests complete in submission order per drive;
//     drivers must not rely on that (§5.2: "probably out of order").
//  4. reset() (driver wrote 0 to Status, big lock held) bumps a generation:
//     requests still in flight finish their disk I/O but complete nothing
//     (no guest memory is written after reset returns).
// The device must be destroyed without the big lock held: the destructor
// waits for its requests still in the I/O thread.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "block/block_driver.h"
#include "block/drive.h"
#include "hw/virtio/virtio_device.h"

namespace mimic::hw::virtio {

class VirtioBlk final : public VirtioDevice {
 public:
  // Feature bits (§5.2.3).
  static constexpr unsigned kFeatureSegMax = 2, kFeatureRo = 5, kFeatureBlkSize = 6,
                            kFeatureFlush = 9, kFeatureDiscard = 13, kFeatureWriteZeroes = 14;
  // Request types and status (§5.2.6).
  static constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8,
                            kTypeDiscard = 11, kTypeWriteZeroes = 13;
  static constexpr uint8_t kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupported = 2;
  static constexpr uint32_t kFlagUnmap = 1;  // virtio_blk_discard_write_zeroes.flags
  static constexpr uint64_t kSectorSize = 512;
  static constexpr uint32_t kSegMax = 126;
  static constexpr unsigned kIdBytes = 20;
  // Largest data transfer accepted in one request.
  static constexpr uint64_t kMaxRequestBytes = 16 * 1024 * 1024;
  // Discard / write-zeroes limits advertised in the config space.
  static constexpr uint32_t kMaxDiscardSectors = kMaxRequestBytes / kSectorSize;
  static constexpr uint32_t kMaxDiscardSegments = 32;
  static constexpr uint32_t kDiscardAlignmentSectors = 8;

  // `drive` must outlive the device. `serial` is returned by GET_ID
  // (truncated to 20 bytes).
  explicit VirtioBlk(block::Drive* drive, std::string serial = "");
  // Over a bare driver (which must outlive the device): requests run inline,
  // synchronously inside queue_notify.
  VirtioBlk(block::BlockDriver* disk, bool read_only, std::string serial = "");
  ~VirtioBlk() override;

  uint32_t device_id() const override { return kIdBlock; }
  uint64_t device_features() const override;
  size_t num_queues() const override { return 1; }
  void read_config(uint64_t offset, uint8_t* dst, unsigned len) override;
  void queue_notify(size_t index) override;
  void activate() override { queue_notify(0); }
  void reset() override { ++generation_; }

 private:
  struct Request {
    DescriptorChain chain;
    memory::GuestMemory* mem = nullptr;
    uint32_t type = 0;
    uint64_t sector = 0;
    uint64_t data_len = 0;  // bytes between the header and the status byte
    uint64_t generation = 0;
    // Filled by execute():
    uint8_t status = kStatusIoErr;
    std::vector<uint8_t> in_data;  // for the guest: read data or the id
  };

  // On the I/O thread, without the big lock.
  void execute(Request& r);
  uint8_t execute_rw(Request& r);
  uint8_t execute_discard_zeroes(Request& r);
  // On the I/O thread; takes the big lock.
  void complete(Request& r);

  std::unique_ptr<block::Drive> own_drive_;
  block::Drive* drive_;
  std::string serial_;
  uint64_t generation_ = 0;  // guarded by the big lock
};

}  // namespace mimic::hw::virtio
