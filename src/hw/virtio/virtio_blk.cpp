#include "hw/virtio/virtio_blk.h"

#include <cstring>
#include <vector>

namespace mimic::hw::virtio {

namespace {
// struct virtio_blk_config up to blk_size (§5.2.4), little-endian.
struct BlkConfig {
  uint64_t capacity;
  uint32_t size_max;
  uint32_t seg_max;
  uint16_t cylinders;
  uint8_t heads;
  uint8_t sectors;
  uint32_t blk_size;
} __attribute__((packed));
static_assert(sizeof(BlkConfig) == 24);

constexpr uint64_t kHeaderBytes = 16;  // type, reserved, sector
}  // namespace

VirtioBlk::VirtioBlk(block::BlockDriver* disk, bool read_only, std::string serial)
    : disk_(disk), read_only_(read_only), serial_(std::move(serial)) {}

uint64_t VirtioBlk::device_features() const {
  uint64_t f = (uint64_t{1} << kFeatureSegMax) | (uint64_t{1} << kFeatureBlkSize) |
               (uint64_t{1} << kFeatureFlush);
  if (read_only_) f |= uint64_t{1} << kFeatureRo;
  return f;
}

void VirtioBlk::read_config(uint64_t offset, uint8_t* dst, unsigned len) {
  BlkConfig cfg{};
  cfg.capacity = disk_->length() / kSectorSize;
  cfg.seg_max = kSegMax;
  cfg.blk_size = kSectorSize;
  read_config_bytes(&cfg, sizeof cfg, offset, dst, len);
}

uint8_t VirtioBlk::execute(const DescriptorChain& chain, uint32_t type, uint64_t sector,
                           uint64_t data_len, uint64_t* data_written) {
  *data_written = 0;
  memory::GuestMemory& mem = transport_->guest_memory();
  switch (type) {
    case kTypeIn:
    case kTypeOut: {
      if (data_len % kSectorSize != 0 || data_len > kMaxRequestBytes) return kStatusIoErr;
      uint64_t size = disk_->length();
      if (sector > size / kSectorSize || data_len > size - sector * kSectorSize) return kStatusIoErr;
      uint64_t offset = sector * kSectorSize;
      std::vector<uint8_t> buf(data_len);
      if (type == kTypeIn) {
        if (!disk_->read(offset, buf.data(), data_len).ok()) return kStatusIoErr;
        if (!chain.write(mem, 0, buf.data(), data_len)) return kStatusIoErr;
        *data_written = data_len;
      } else {
        if (read_only_) return kStatusIoErr;
        if (!chain.read(mem, kHeaderBytes, buf.data(), data_len)) return kStatusIoErr;
        if (!disk_->write(offset, buf.data(), data_len).ok()) return kStatusIoErr;
      }
      return kStatusOk;
    }
    case kTypeFlush:
      if (!read_only_ && !disk_->flush().ok()) return kStatusIoErr;
      return kStatusOk;
    case kTypeGetId: {
      uint8_t id[kIdBytes] = {};
      std::memcpy(id, serial_.data(), std::min<size_t>(serial_.size(), kIdBytes));
      uint64_t n = std::min<uint64_t>(kIdBytes, data_len);
      if (!chain.write(mem, 0, id, n)) return kStatusIoErr;
      *data_written = n;
      return kStatusOk;
    }
    default:
      return kStatusUnsupported;
  }
}

void VirtioBlk::queue_notify(size_t index) {
  if (index != 0 || !transport_->driver_ok()) return;
  VirtQueue& q = transport_->queue(0);
  memory::GuestMemory& mem = transport_->guest_memory();
  DescriptorChain chain;
  bool pushed = false;
  // Bounded: pop() refuses an avail index more than a ring ahead.
  for (uint32_t n = 0; n < q.size; ++n) {
    VirtQueue::Pop r = q.pop(&chain);
    if (r == VirtQueue::Pop::kEmpty) break;
    if (r == VirtQueue::Pop::kBroken) {
      transport_->set_needs_reset();
      break;
    }
    // Layout (§5.2.6): 16-byte readable header, data, 1 writable status byte.
    uint8_t header[kHeaderBytes];
    if (chain.writable_bytes == 0 || !chain.read(mem, 0, header, sizeof header)) {
      // No place for a status byte, or no header: drop the request.
      if (!q.push(chain.head, 0)) transport_->set_needs_reset();
      pushed = true;
      continue;
    }
    uint32_t type;
    uint64_t sector;
    std::memcpy(&type, header, 4);
    std::memcpy(&sector, header + 8, 8);
    uint64_t data_len = 0;
    if (type == kTypeOut) {
      data_len = chain.readable_bytes - kHeaderBytes;
    } else {
      data_len = chain.writable_bytes - 1;
    }
    uint64_t written = 0;
    uint8_t status = execute(chain, type, sector, data_len, &written);
    if (!chain.write(mem, chain.writable_bytes - 1, &status, 1)) {
      transport_->set_needs_reset();
      break;
    }
    if (!q.push(chain.head, static_cast<uint32_t>(written + 1))) {
      transport_->set_needs_reset();
      break;
    }
    pushed = true;
  }
  if (pushed) transport_->notify_used(0);
}

}  // namespace mimic::hw::virtio
