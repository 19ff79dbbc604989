#pragma once
// Character devices: the host side of a serial line (stdio, file, socket,
// the mon:stdio multiplexer). A device model (UART, virtio-console) is the
// frontend: it writes guest output with Chardev::write and receives host
// input through CharFrontend. Input is buffered here until the frontend has
// room, so a backend never loses typed bytes while the guest is slow.
//
// Threading: all calls are made with the big lock held (the event loop holds
// it while dispatching backend input; devices hold it during MMIO).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace mimic::chardev {

class CharFrontend {
 public:
  virtual ~CharFrontend() = default;
  // Bytes the device can accept right now.
  virtual size_t can_receive() = 0;
  // Delivers at most can_receive() bytes.
  virtual void receive(const uint8_t* data, size_t len) = 0;
};

class Chardev {
 public:
  static constexpr size_t kMaxBufferedInput = 64 * 1024;

  virtual ~Chardev() = default;
  // Guest output. Must not block for long; output to a vanished peer is dropped.
  virtual void write(const uint8_t* data, size_t len) = 0;
  void write(const std::string& s) { write(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

  void set_frontend(CharFrontend* fe) {
    frontend_ = fe;
    flush_input();
  }
  CharFrontend* frontend() const { return frontend_; }
  // The frontend calls this when it has room again (e.g. the guest read RBR).
  void accept_input() { flush_input(); }

  // Host input for the frontend (backends and tests call this).
  void push_input(const uint8_t* data, size_t len);
  size_t buffered_input() const { return input_.size(); }

 private:
  void flush_input();

  CharFrontend* frontend_ = nullptr;
  std::deque<uint8_t> input_;
  bool flushing_ = false;
};

// Discards output, never has input (-serial none / null).
class NullChardev final : public Chardev {
 public:
  void write(const uint8_t*, size_t) override {}
};

// Collects output in memory (tests).
class BufferChardev final : public Chardev {
 public:
  void write(const uint8_t* data, size_t len) override { output.append(reinterpret_cast<const char*>(data), len); }
  std::string output;
};

}  // namespace mimic::chardev
