#include "hw/virtio/virtio_console.h"

#include <algorithm>
#include <vector>

namespace mimic::hw::virtio {

namespace {
struct ConsoleConfig {  // §5.3.4
  uint16_t cols;
  uint16_t rows;
  uint32_t max_nr_ports;
  uint32_t emerg_wr;
} __attribute__((packed));
}  // namespace

VirtioConsole::VirtioConsole(chardev::Chardev* chr) : chr_(chr) {
  if (chr_ != nullptr) chr_->set_frontend(this);
}

VirtioConsole::~VirtioConsole() {
  if (chr_ != nullptr && chr_->frontend() == this) chr_->set_frontend(nullptr);
}

void VirtioConsole::read_config(uint64_t offset, uint8_t* dst, unsigned len) {
  ConsoleConfig cfg{0, 0, 1, 0};
  read_config_bytes(&cfg, sizeof cfg, offset, dst, len);
}

void VirtioConsole::activate() {
  transmit();
  if (chr_ != nullptr) chr_->accept_input();
}

void VirtioConsole::queue_notify(size_t index) {
  if (!transport_->driver_ok()) return;
  if (index == 1) {
    transmit();
  } else if (index == 0 && chr_ != nullptr) {
    chr_->accept_input();  // new receive buffers
  }
}

void VirtioConsole::transmit() {
  VirtQueue& q = transport_->queue(1);
  if (!q.ready) return;
  DescriptorChain chain;
  bool pushed = false;
  for (uint32_t n = 0; n < q.size; ++n) {
    VirtQueue::Pop r = q.pop(&chain);
    if (r == VirtQueue::Pop::kEmpty) break;
    if (r == VirtQueue::Pop::kBroken) {
      transport_->set_needs_reset();
      break;
    }
    uint64_t len = std::min(chain.readable_bytes, kMaxTransmitBytes);
    std::vector<uint8_t> buf(len);
    if (chain.read(transport_->guest_memory(), 0, buf.data(), len) && chr_ != nullptr) {
      chr_->write(buf.data(), len);
    }
    if (!q.push(chain.head, 0)) {
      transport_->set_needs_reset();
      break;
    }
    pushed = true;
  }
  if (pushed) transport_->notify_used(1);
}

size_t VirtioConsole::can_receive() {
  if (transport_ == nullptr || !transport_->driver_ok()) return 0;
  VirtQueue& q = transport_->queue(0);
  if (!q.ready) return 0;
  // Buffers without writable bytes are useless for input: return them empty.
  for (uint32_t n = 0; !rx_held_ && n < q.size; ++n) {
    VirtQueue::Pop r = q.pop(&rx_chain_);
    if (r == VirtQueue::Pop::kBroken) {
      transport_->set_needs_reset();
      return 0;
    }
    if (r == VirtQueue::Pop::kEmpty) return 0;
    if (rx_chain_.writable_bytes > 0) {
      rx_held_ = true;
    } else if (!q.push(rx_chain_.head, 0)) {
      transport_->set_needs_reset();
      return 0;
    }
  }
  if (!rx_held_) return 0;
  return static_cast<size_t>(std::min<uint64_t>(rx_chain_.writable_bytes, 1 << 20));
}

void VirtioConsole::receive(const uint8_t* data, size_t len) {
  if (!rx_held_) return;
  rx_held_ = false;
  len = std::min<uint64_t>(len, rx_chain_.writable_bytes);
  if (!rx_chain_.write(transport_->guest_memory(), 0, data, len)) len = 0;
  VirtQueue& q = transport_->queue(0);
  if (!q.push(rx_chain_.head, static_cast<uint32_t>(len))) {
    transport_->set_needs_reset();
    return;
  }
  transport_->notify_used(0);
}

}  // namespace mimic::hw::virtio
