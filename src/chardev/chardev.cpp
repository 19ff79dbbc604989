#include "chardev/chardev.h"

#include <algorithm>
#include <vector>

namespace mimic::chardev {

void Chardev::push_input(const uint8_t* data, size_t len) {
  size_t room = kMaxBufferedInput - std::min(kMaxBufferedInput, input_.size());
  input_.insert(input_.end(), data, data + std::min(len, room));  // excess input is dropped
  flush_input();
}

void Chardev::flush_input() {
  // A frontend may call accept_input() from inside receive(); the outer loop
  // continues the delivery.
  if (frontend_ == nullptr || flushing_) return;
  flushing_ = true;
  while (!input_.empty()) {
    size_t n = std::min(frontend_->can_receive(), input_.size());
    if (n == 0) break;
    std::vector<uint8_t> chunk(input_.begin(), input_.begin() + static_cast<ptrdiff_t>(n));
    input_.erase(input_.begin(), input_.begin() + static_cast<ptrdiff_t>(n));
    frontend_->receive(chunk.data(), chunk.size());
  }
  flushing_ = false;
}

}  // namespace mimic::chardev
