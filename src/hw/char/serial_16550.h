#pragma once
// NS16550A UART (National Semiconductor PC16550D datasheet), register
// stride 1 as on QEMU's virt board (compatible "ns16550a", regshift 0).
// Transmission is instantaneous: a THR write goes straight to the chardev
// and THR is empty again. Receive uses a 16-byte FIFO filled from the
// chardev. Interrupt sources in priority order: receiver line status (overrun),
// received data / character timeout, THR empty, modem status.
#include <cstdint>
#include <deque>

#include "chardev/chardev.h"
#include "hw/irq.h"
#include "memory/memory_region.h"

namespace mimic::hw {

class Serial16550 final : public memory::MmioOps, public chardev::CharFrontend {
 public:
  static constexpr uint64_t kSize = 0x100;
  static constexpr uint32_t kClockHz = 3686400;  // "clock-frequency" in QEMU's device tree
  static constexpr size_t kFifoSize = 16;

  enum Reg : uint64_t { kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };

  // `chr` may be nullptr (output dropped); both must outlive the UART.
  Serial16550(chardev::Chardev* chr, IrqLine irq);
  ~Serial16550() override;

  void reset();

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  unsigned min_access_size() const override { return 1; }
  unsigned max_access_size() const override { return 1; }

  size_t can_receive() override;
  void receive(const uint8_t* data, size_t len) override;

 private:
  uint8_t compute_iir() const;
  void update_irq();
  void transmit(uint8_t byte);
  uint8_t modem_status() const;
  size_t rx_trigger() const;

  chardev::Chardev* chr_;
  IrqLine irq_;
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0;
  uint8_t dll_ = 0, dlm_ = 0;
  bool overrun_ = false;
  bool thr_interrupt_ = false;  // THRE interrupt pending (cleared by IIR read or THR write)
  uint8_t msr_delta_ = 0;
};

}  // namespace mimic::hw
