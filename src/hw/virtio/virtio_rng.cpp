#include "hw/virtio/virtio_rng.h"

#include <sys/random.h>

#include <algorithm>
#include <vector>

namespace mimic::hw::virtio {

void VirtioRng::queue_notify(size_t index) {
  if (index != 0 || !transport_->driver_ok()) return;
  VirtQueue& q = transport_->queue(0);
  DescriptorChain chain;
  bool pushed = false;
  for (uint32_t n = 0; n < q.size; ++n) {
    VirtQueue::Pop r = q.pop(&chain);
    if (r == VirtQueue::Pop::kEmpty) break;
    if (r == VirtQueue::Pop::kBroken) {
      transport_->set_needs_reset();
      break;
    }
    uint64_t want = std::min(chain.writable_bytes, kMaxRequestBytes);
    std::vector<uint8_t> buf(want);
    size_t got = 0;
    while (got < want) {
      ssize_t k = getrandom(buf.data() + got, want - got, 0);
      if (k <= 0) break;  // EINTR or no entropy: hand back what we have
      got += static_cast<size_t>(k);
    }
    if (!chain.write(transport_->guest_memory(), 0, buf.data(), got)) got = 0;
    if (!q.push(chain.head, static_cast<uint32_t>(got))) {
      transport_->set_needs_reset();
      break;
    }
    pushed = true;
  }
  if (pushed) transport_->notify_used(0);
}

}  // namespace mimic::hw::virtio
