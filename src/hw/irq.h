#pragma once
// Interrupt wiring. A device owns IrqLine outputs and sets their level; the
// line forwards the level to an IrqSink input (an interrupt controller) with
// the input number it was connected to. Levels are level-triggered wires:
// setting the same level twice is harmless. Called with the big lock held.
#include <cstdint>

namespace mimic::hw {

class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void set_irq(uint32_t n, bool level) = 0;
};

class IrqLine {
 public:
  IrqLine() = default;
  IrqLine(IrqSink* sink, uint32_t n) : sink_(sink), n_(n) {}
  void connect(IrqSink* sink, uint32_t n) {
    sink_ = sink;
    n_ = n;
  }
  // An unconnected line drops its level.
  void set(bool level) const {
    if (sink_ != nullptr) sink_->set_irq(n_, level);
  }
  void raise() const { set(true); }
  void lower() const { set(false); }
  bool connected() const { return sink_ != nullptr; }

 private:
  IrqSink* sink_ = nullptr;
  uint32_t n_ = 0;
};

// mip bit numbers (RISC-V privileged spec §3.1.9).
enum MipBit : unsigned {
  kMipSsip = 1,
  kMipMsip = 3,
  kMipStip = 5,
  kMipMtip = 7,
  kMipSeip = 9,
  kMipMeip = 11,
};

// What the CLINT and the PLIC drive on one hart; implemented by the RISC-V
// CPU. set_pending may be called from any thread (the event loop's timers
// or a vCPU thread doing MMIO) with the big lock held. The implementation
// sets or clears the hardware-driven bit of mip atomically, makes the hart
// re-check interrupts at its next block boundary (exit_request), and, when
// level is true, wakes the hart if it sleeps in WFI (WFI also resumes for a
// pending-but-disabled interrupt, privileged spec §3.3.3).
class HartInterrupts {
 public:
  virtual ~HartInterrupts() = default;
  virtual void set_pending(unsigned mip_bit, bool level) = 0;
};

// Test double: records the level of every bit.
class RecordingHartInterrupts final : public HartInterrupts {
 public:
  void set_pending(unsigned bit, bool level) override {
    if (level) {
      mip |= uint64_t{1} << bit;
    } else {
      mip &= ~(uint64_t{1} << bit);
    }
    ++calls;
  }
  bool pending(unsigned bit) const { return (mip >> bit) & 1; }
  uint64_t mip = 0;
  int calls = 0;
};

}  // namespace mimic::hw
