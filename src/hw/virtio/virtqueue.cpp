#include "hw/virtio/virtqueue.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace mimic::hw::virtio {

namespace {
constexpr uint64_t kDescSize = 16;
constexpr uint64_t kUsedElemSize = 8;
}  // namespace

bool DescriptorChain::read(memory::GuestMemory& mem, uint64_t offset, void* dst, uint64_t len) const {
  if (offset > readable_bytes || len > readable_bytes - offset) return false;
  auto* out = static_cast<uint8_t*>(dst);
  for (const VirtBuffer& b : buffers) {
    if (len == 0) break;
    if (b.device_writable) break;
    if (offset >= b.len) {
      offset -= b.len;
      continue;
    }
    uint64_t n = std::min<uint64_t>(len, b.len - offset);
    if (!mem.read(b.addr + offset, out, n)) return false;
    out += n;
    len -= n;
    offset = 0;
  }
  return len == 0;
}

bool DescriptorChain::write(memory::GuestMemory& mem, uint64_t offset, const void* src,
                            uint64_t len) const {
  if (offset > writable_bytes || len > writable_bytes - offset) return false;
  auto* in = static_cast<const uint8_t*>(src);
  for (const VirtBuffer& b : buffers) {
    if (len == 0) break;
    if (!b.device_writable) continue;
    if (offset >= b.len) {
      offset -= b.len;
      continue;
    }
    uint64_t n = std::min<uint64_t>(len, b.len - offset);
    if (!mem.write(b.addr + offset, in, n)) return false;
    in += n;
    len -= n;
    offset = 0;
  }
  return len == 0;
}

void VirtQueue::reset() {
  size = max_size;
  ready = false;
  desc_addr = avail_addr = used_addr = 0;
  mem_ = nullptr;
  last_avail_ = used_idx_ = signalled_used_ = 0;
  signalled_valid_ = false;
}

void VirtQueue::start(memory::GuestMemory* mem, uint64_t features) {
  mem_ = mem;
  event_idx_ = (features >> kFeatureEventIdx) & 1;
  indirect_ = (features >> kFeatureIndirectDesc) & 1;
  last_avail_ = used_idx_ = signalled_used_ = 0;
  signalled_valid_ = false;
}

bool VirtQueue::read_desc(uint64_t table, uint32_t index, uint64_t* addr, uint32_t* len,
                          uint16_t* flags, uint16_t* next) {
  uint8_t raw[kDescSize];
  if (!mem_->read(table + kDescSize * index, raw, sizeof raw)) return false;
  std::memcpy(addr, raw, 8);
  std::memcpy(len, raw + 8, 4);
  std::memcpy(flags, raw + 12, 2);
  std::memcpy(next, raw + 14, 2);
  return true;
}

bool VirtQueue::add_buffer(DescriptorChain* chain, uint64_t addr, uint32_t len, uint16_t flags) {
  bool writable = flags & kDescWrite;
  // §2.7.4.2: device-readable descriptors come before device-writable ones.
  if (!writable && chain->writable_bytes > 0) return false;
  if (!chain->buffers.empty() && !writable && chain->buffers.back().device_writable) return false;
  chain->buffers.push_back({addr, len, writable});
  (writable ? chain->writable_bytes : chain->readable_bytes) += len;
  return true;
}

bool VirtQueue::has_available() {
  if (!ready || mem_ == nullptr) return false;
  uint16_t avail_idx = 0;
  if (!mem_->read(avail_addr + 2, &avail_idx, 2)) return false;
  return avail_idx != last_avail_;
}

VirtQueue::Pop VirtQueue::pop(DescriptorChain* chain) {
  chain->buffers.clear();
  chain->readable_bytes = chain->writable_bytes = 0;
  if (!ready || mem_ == nullptr || size == 0) return Pop::kBroken;
  uint16_t avail_idx = 0;
  if (!mem_->read(avail_addr + 2, &avail_idx, 2)) return Pop::kBroken;
  if (avail_idx == last_avail_) return Pop::kEmpty;
  // More entries than the ring holds means the index is garbage (§2.7.13.3).
  if (static_cast<uint16_t>(avail_idx - last_avail_) > size) return Pop::kBroken;
  // Read the ring entry and descriptors only after seeing the index.
  std::atomic_thread_fence(std::memory_order_acquire);
  uint16_t head = 0;
  if (!mem_->read(avail_addr + 4 + 2 * uint64_t{static_cast<uint16_t>(last_avail_ % size)}, &head, 2)) {
    return Pop::kBroken;
  }
  if (head >= size) return Pop::kBroken;
  chain->head = head;

  uint32_t budget = size;  // total descriptors a chain may have (§2.7.5.3.1)
  uint64_t table = desc_addr;
  uint32_t table_len = size;
  uint32_t index = head;
  bool in_indirect = false;
  for (;;) {
    if (budget-- == 0) return Pop::kBroken;  // loop or over-long chain
    if (index >= table_len) return Pop::kBroken;
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
    if (!read_desc(table, index, &addr, &len, &flags, &next)) return Pop::kBroken;
    if (flags & kDescIndirect) {
      // §2.7.5.3.1: only with the feature, not nested, not together with
      // NEXT, and the table is a whole number of descriptors.
      if (!indirect_ || in_indirect || (flags & kDescNext) || len == 0 || len % kDescSize != 0) {
        return Pop::kBroken;
      }
      table = addr;
      table_len = len / kDescSize;
      index = 0;
      in_indirect = true;
      continue;
    }
    if (!add_buffer(chain, addr, len, flags)) return Pop::kBroken;
    if (!(flags & kDescNext)) break;
    index = next;
  }
  ++last_avail_;
  if (event_idx_) {  // ask to be notified of every new buffer (avail_event, §2.7.10)
    if (!mem_->write(used_addr + 4 + kUsedElemSize * size, &last_avail_, 2)) return Pop::kBroken;
  }
  return Pop::kChain;
}

bool VirtQueue::push(uint16_t head, uint32_t written) {
  if (mem_ == nullptr || size == 0) return false;
  uint8_t elem[kUsedElemSize];
  uint32_t id = head;
  std::memcpy(elem, &id, 4);
  std::memcpy(elem + 4, &written, 4);
  if (!mem_->write(used_addr + 4 + kUsedElemSize * (used_idx_ % size), elem, sizeof elem)) return false;
  // The element must be visible before the index that publishes it.
  std::atomic_thread_fence(std::memory_order_release);
  ++used_idx_;
  return mem_->write(used_addr + 2, &used_idx_, 2);
}

bool VirtQueue::should_notify() {
  if (mem_ == nullptr) return false;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  uint16_t old = signalled_used_;
  bool valid = signalled_valid_;
  signalled_used_ = used_idx_;
  signalled_valid_ = true;
  if (event_idx_) {
    uint16_t used_event = 0;
    if (!mem_->read(avail_addr + 4 + 2 * uint64_t{size}, &used_event, 2)) return true;
    // vring_need_event (§2.7.10): notify if used_event lies in (old, new].
    return !valid || static_cast<uint16_t>(used_idx_ - used_event - 1) < static_cast<uint16_t>(used_idx_ - old);
  }
  uint16_t flags = 0;
  if (!mem_->read(avail_addr, &flags, 2)) return true;
  return !(flags & kAvailNoInterrupt);
}

}  // namespace mimic::hw::virtio
