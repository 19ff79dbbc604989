#pragma once
// A split virtqueue (virtio 1.2 §2.7) seen from the device. The rings live in
// guest memory and every field read from them is guest-controlled: a chain
// walk visits at most queue-size descriptors (indirect ones included,
// §2.7.5.3.1 / §2.7.4.2), every index is range-checked, and any violation
// makes pop() report kBroken so the transport can set DEVICE_NEEDS_RESET.
#include <cstdint>
#include <vector>

#include "memory/guest_memory.h"

namespace mimic::hw::virtio {

// Descriptor flags (§2.7.5).
inline constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
inline constexpr uint16_t kAvailNoInterrupt = 1;

// Feature bits handled by the ring itself (§6).
inline constexpr unsigned kFeatureIndirectDesc = 28;
inline constexpr unsigned kFeatureEventIdx = 29;
inline constexpr unsigned kFeatureVersion1 = 32;

struct VirtBuffer {
  uint64_t addr;
  uint32_t len;
  bool device_writable;
};

// One request: the buffers of a descriptor chain in order, readable ones
// first (§2.7.4.2 requires it; a chain that breaks the rule is refused).
struct DescriptorChain {
  uint16_t head = 0;
  std::vector<VirtBuffer> buffers;
  uint64_t readable_bytes = 0;
  uint64_t writable_bytes = 0;

  // Copies from the readable part at byte offset `offset`; false if the
  // range is beyond it or the memory is not RAM.
  bool read(memory::GuestMemory& mem, uint64_t offset, void* dst, uint64_t len) const;
  // Copies into the writable part at byte offset `offset`.
  bool write(memory::GuestMemory& mem, uint64_t offset, const void* src, uint64_t len) const;
};

class VirtQueue {
 public:
  enum class Pop { kEmpty, kChain, kBroken };

  // Driver-set configuration (transport registers).
  uint16_t max_size = 256;
  uint16_t size = 0;
  bool ready = false;
  uint64_t desc_addr = 0, avail_addr = 0, used_addr = 0;

  void reset();
  // Called when the driver sets QueueReady with the negotiated features.
  void start(memory::GuestMemory* mem, uint64_t features);

  // Takes the next available chain.
  Pop pop(DescriptorChain* chain);
  // Returns a chain to the driver with `written` bytes written into it.
  // False if the used ring is not in guest RAM (the queue is broken).
  bool push(uint16_t head, uint32_t written);
  // Whether the driver wants an interrupt for the buffers pushed since the
  // last call (§2.7.7.2, §2.7.10); resets the tracking.
  bool should_notify();
  // True if the driver has made buffers available that are not popped yet.
  bool has_available();

 private:
  bool read_desc(uint64_t table, uint32_t index, uint64_t* addr, uint32_t* len, uint16_t* flags,
                 uint16_t* next);
  bool add_buffer(DescriptorChain* chain, uint64_t addr, uint32_t len, uint16_t flags);

  memory::GuestMemory* mem_ = nullptr;
  bool event_idx_ = false;
  bool indirect_ = false;
  uint16_t last_avail_ = 0;
  uint16_t used_idx_ = 0;
  uint16_t signalled_used_ = 0;  // used idx at the last should_notify()
  bool signalled_valid_ = false;
};

}  // namespace mimic::hw::virtio
