#include "hw/virtio/virtio_blk.h"

#include <algorithm>
#include <cstring>

#include "memory/bql.h"

namespace mimic::hw::virtio {

namespace {
// struct virtio_blk_config (§5.2.4), little-endian.
struct BlkConfig {
  uint64_t capacity;
  uint32_t size_max;
  uint32_t seg_max;
  uint16_t cylinders;
  uint8_t heads;
  uint8_t sectors;
  uint32_t blk_size;
  uint8_t physical_block_exp;
  uint8_t alignment_offset;
  uint16_t min_io_size;
  uint32_t opt_io_size;
  uint8_t writeback;
  uint8_t unused0;
  uint16_t num_queues;
  uint32_t max_discard_sectors;
  uint32_t max_discard_seg;
  uint32_t discard_sector_alignment;
  uint32_t max_write_zeroes_sectors;
  uint32_t max_write_zeroes_seg;
  uint8_t write_zeroes_may_unmap;
  uint8_t unused1[3];
} __attribute__((packed));
static_assert(sizeof(BlkConfig) == 60);

constexpr uint64_t kHeaderBytes = 16;  // type, reserved, sector
}  // namespace

VirtioBlk::VirtioBlk(block::Drive* drive, std::string serial)
    : drive_(drive), serial_(std::move(serial)) {}

VirtioBlk::VirtioBlk(block::BlockDriver* disk, bool read_only, std::string serial)
    : serial_(std::move(serial)) {
  block::DriveConfig cfg;
  cfg.name = disk->filename();
  cfg.read_only = read_only;
  own_drive_ = std::make_unique<block::Drive>(disk, cfg, block::Drive::Threading::kInline);
  drive_ = own_drive_.get();
}

VirtioBlk::~VirtioBlk() { drive_->drain(); }

uint64_t VirtioBlk::device_features() const {
  uint64_t f = (uint64_t{1} << kFeatureSegMax) | (uint64_t{1} << kFeatureBlkSize) |
               (uint64_t{1} << kFeatureFlush);
  if (drive_->read_only()) {
    f |= uint64_t{1} << kFeatureRo;
  } else {
    // Offered whatever discard= says: with discard=ignore the requests
    // succeed and change nothing, as in QEMU.
    f |= (uint64_t{1} << kFeatureDiscard) | (uint64_t{1} << kFeatureWriteZeroes);
  }
  return f;
}

void VirtioBlk::read_config(uint64_t offset, uint8_t* dst, unsigned len) {
  BlkConfig cfg{};
  cfg.capacity = drive_->length() / kSectorSize;
  cfg.seg_max = kSegMax;
  cfg.blk_size = kSectorSize;
  cfg.num_queues = 1;
  cfg.max_discard_sectors = kMaxDiscardSectors;
  cfg.max_discard_seg = kMaxDiscardSegments;
  cfg.discard_sector_alignment = kDiscardAlignmentSectors;
  cfg.max_write_zeroes_sectors = kMaxDiscardSectors;
  cfg.max_write_zeroes_seg = kMaxDiscardSegments;
  cfg.write_zeroes_may_unmap = drive_->config().discard_unmap ? 1 : 0;
  read_config_bytes(&cfg, sizeof cfg, offset, dst, len);
}

uint8_t VirtioBlk::execute_rw(Request& r) {
  if (r.data_len % kSectorSize != 0 || r.data_len > kMaxRequestBytes) return kStatusIoErr;
  const uint64_t size = drive_->length();
  if (r.sector > size / kSectorSize || r.data_len > size - r.sector * kSectorSize)
    return kStatusIoErr;
  const uint64_t offset = r.sector * kSectorSize;
  if (r.type == kTypeIn) {
    r.in_data.resize(r.data_len);
    if (!drive_->read(offset, r.in_data.data(), r.data_len).ok()) return kStatusIoErr;
    return kStatusOk;
  }
  if (drive_->read_only()) return kStatusIoErr;
  std::vector<uint8_t> buf(r.data_len);
  if (!r.chain.read(*r.mem, kHeaderBytes, buf.data(), r.data_len)) return kStatusIoErr;
  if (!drive_->write(offset, buf.data(), r.data_len).ok()) return kStatusIoErr;
  return kStatusOk;
}

// §5.2.6: the data is an array of struct virtio_blk_discard_write_zeroes
// {le64 sector; le32 num_sectors; le32 flags}, all checked before any is done.
uint8_t VirtioBlk::execute_discard_zeroes(Request& r) {
  constexpr uint64_t kSegBytes = 16;
  if (drive_->read_only()) return kStatusIoErr;
  if (r.data_len == 0 || r.data_len % kSegBytes != 0) return kStatusUnsupported;
  const uint64_t nseg = r.data_len / kSegBytes;
  if (nseg > kMaxDiscardSegments) return kStatusUnsupported;
  std::vector<uint8_t> raw(r.data_len);
  if (!r.chain.read(*r.mem, kHeaderBytes, raw.data(), raw.size())) return kStatusIoErr;
  const uint64_t capacity = drive_->length() / kSectorSize;
  const bool zeroes = r.type == kTypeWriteZeroes;
  for (uint64_t i = 0; i < nseg; ++i) {
    uint64_t sector;
    uint32_t count, flags;
    std::memcpy(&sector, &raw[i * kSegBytes], 8);
    std::memcpy(&count, &raw[i * kSegBytes + 8], 4);
    std::memcpy(&flags, &raw[i * kSegBytes + 12], 4);
    // Unknown flags, or unmap on a discard: UNSUPP (§5.2.6.2).
    if ((flags & ~kFlagUnmap) != 0 || (!zeroes && (flags & kFlagUnmap))) return kStatusUnsupported;
    if (count > kMaxDiscardSectors || sector > capacity || count > capacity - sector)
      return kStatusIoErr;
  }
  for (uint64_t i = 0; i < nseg; ++i) {
    uint64_t sector;
    uint32_t count;
    std::memcpy(&sector, &raw[i * kSegBytes], 8);
    std::memcpy(&count, &raw[i * kSegBytes + 8], 4);
    if (count == 0) continue;
    uint64_t off = sector * kSectorSize, len = uint64_t{count} * kSectorSize;
    Result<void> res = zeroes ? drive_->write_zeroes(off, len) : drive_->discard(off, len);
    if (!res.ok()) return kStatusIoErr;
  }
  return kStatusOk;
}

void VirtioBlk::execute(Request& r) {
  switch (r.type) {
    case kTypeIn:
    case kTypeOut:
      r.status = execute_rw(r);
      break;
    case kTypeFlush:
      r.status = drive_->flush().ok() ? kStatusOk : kStatusIoErr;
      break;
    case kTypeGetId: {
      r.in_data.assign(kIdBytes, 0);
      std::memcpy(r.in_data.data(), serial_.data(), std::min<size_t>(serial_.size(), kIdBytes));
      r.in_data.resize(std::min<uint64_t>(kIdBytes, r.data_len));
      r.status = kStatusOk;
      break;
    }
    case kTypeDiscard:
    case kTypeWriteZeroes:
      r.status = execute_discard_zeroes(r);
      break;
    default:
      r.status = kStatusUnsupported;
      break;
  }
}

void VirtioBlk::complete(Request& r) {
  memory::BigLockGuard guard(memory::big_lock());
  if (r.generation != generation_ || transport_ == nullptr) return;  // the driver reset the device
  uint64_t written = 0;
  if (r.status == kStatusOk && !r.in_data.empty()) {
    if (!r.chain.write(*r.mem, 0, r.in_data.data(), r.in_data.size())) {
      r.status = kStatusIoErr;
    } else {
      written = r.in_data.size();
    }
  }
  VirtQueue& q = transport_->queue(0);
  if (!r.chain.write(*r.mem, r.chain.writable_bytes - 1, &r.status, 1) ||
      !q.push(r.chain.head, static_cast<uint32_t>(written + 1))) {
    transport_->set_needs_reset();
    return;
  }
  transport_->notify_used(0);
}

void VirtioBlk::queue_notify(size_t index) {
  if (index != 0 || !transport_->driver_ok()) return;
  VirtQueue& q = transport_->queue(0);
  memory::GuestMemory& mem = transport_->guest_memory();
  // Bounded: pop() refuses an avail index more than a ring ahead.
  for (uint32_t n = 0; n < q.size; ++n) {
    auto req = std::make_shared<Request>();
    VirtQueue::Pop p = q.pop(&req->chain);
    if (p == VirtQueue::Pop::kEmpty) break;
    if (p == VirtQueue::Pop::kBroken) {
      transport_->set_needs_reset();
      break;
    }
    // Layout (§5.2.6): 16-byte readable header, data, 1 writable status byte.
    uint8_t header[kHeaderBytes];
    if (req->chain.writable_bytes == 0 || !req->chain.read(mem, 0, header, sizeof header)) {
      // No place for a status byte, or no header: return the buffers unused.
      if (!q.push(req->chain.head, 0)) transport_->set_needs_reset();
      transport_->notify_used(0);
      continue;
    }
    std::memcpy(&req->type, header, 4);
    std::memcpy(&req->sector, header + 8, 8);
    const bool out =
        req->type == kTypeOut || req->type == kTypeDiscard || req->type == kTypeWriteZeroes;
    req->data_len = out ? req->chain.readable_bytes - kHeaderBytes : req->chain.writable_bytes - 1;
    req->mem = &mem;
    req->generation = generation_;
    drive_->submit([this, req] {
      execute(*req);
      complete(*req);
    });
  }
}

}  // namespace mimic::hw::virtio
