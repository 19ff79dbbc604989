#include "hw/char/serial_16550.h"

namespace mimic::hw {

namespace {
// IER
constexpr uint8_t kIerRdi = 0x01, kIerThri = 0x02, kIerRlsi = 0x04, kIerMsi = 0x08;
// IIR
constexpr uint8_t kIirNoInt = 0x01, kIirMsi = 0x00, kIirThri = 0x02, kIirRdi = 0x04,
                  kIirRlsi = 0x06, kIirCti = 0x0c, kIirFifoEnabled = 0xc0;
// FCR
constexpr uint8_t kFcrEnable = 0x01, kFcrClearRx = 0x02;
// LCR
constexpr uint8_t kLcrDlab = 0x80;
// MCR
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10;
// LSR
constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrThre = 0x20, kLsrTemt = 0x40;
// MSR
constexpr uint8_t kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;
}  // namespace

Serial16550::Serial16550(chardev::Chardev* chr, IrqLine irq) : chr_(chr), irq_(irq) {
  reset();
  if (chr_ != nullptr) chr_->set_frontend(this);
}

Serial16550::~Serial16550() {
  if (chr_ != nullptr && chr_->frontend() == this) chr_->set_frontend(nullptr);
}

void Serial16550::reset() {
  rx_.clear();
  ier_ = lcr_ = mcr_ = scr_ = fcr_ = 0;
  dll_ = 0x0c;  // 9600 baud at 1.8432 MHz, the usual power-on divisor
  dlm_ = 0;
  overrun_ = false;
  thr_interrupt_ = false;
  msr_delta_ = 0;
  update_irq();
}

size_t Serial16550::rx_trigger() const {
  if ((fcr_ & kFcrEnable) == 0) return 1;
  static constexpr size_t kLevels[4] = {1, 4, 8, 14};
  return kLevels[fcr_ >> 6];
}

uint8_t Serial16550::modem_status() const {
  if (mcr_ & kMcrLoop) {  // outputs looped back to inputs (datasheet §8.6.4)
    uint8_t m = 0;
    if (mcr_ & kMcrRts) m |= kMsrCts;
    if (mcr_ & kMcrDtr) m |= kMsrDsr;
    if (mcr_ & kMcrOut1) m |= kMsrRi;
    if (mcr_ & kMcrOut2) m |= kMsrDcd;
    return m;
  }
  return kMsrDcd | kMsrDsr | kMsrCts;  // a connected, ready peer
}

uint8_t Serial16550::compute_iir() const {
  uint8_t fifo = (fcr_ & kFcrEnable) ? kIirFifoEnabled : 0;
  if ((ier_ & kIerRlsi) && overrun_) return fifo | kIirRlsi;
  if ((ier_ & kIerRdi) && !rx_.empty()) {
    return fifo | (rx_.size() >= rx_trigger() ? kIirRdi : kIirCti);
  }
  if ((ier_ & kIerThri) && thr_interrupt_) return fifo | kIirThri;
  if ((ier_ & kIerMsi) && (msr_delta_ & 0x0f)) return fifo | kIirMsi;
  return fifo | kIirNoInt;
}

void Serial16550::update_irq() { irq_.set((compute_iir() & kIirNoInt) == 0); }

void Serial16550::transmit(uint8_t byte) {
  if (mcr_ & kMcrLoop) {
    if (rx_.size() < ((fcr_ & kFcrEnable) ? kFifoSize : 1)) {
      rx_.push_back(byte);
    } else {
      overrun_ = true;
    }
  } else if (chr_ != nullptr) {
    chr_->write(&byte, 1);
  }
  thr_interrupt_ = true;  // the byte left at once: THR is empty again
}

size_t Serial16550::can_receive() {
  if (mcr_ & kMcrLoop) return 0;  // the line is disconnected in loopback
  size_t cap = (fcr_ & kFcrEnable) ? kFifoSize : 1;
  return rx_.size() < cap ? cap - rx_.size() : 0;
}

void Serial16550::receive(const uint8_t* data, size_t len) {
  size_t cap = (fcr_ & kFcrEnable) ? kFifoSize : 1;
  for (size_t i = 0; i < len; ++i) {
    if (rx_.size() < cap) {
      rx_.push_back(data[i]);
    } else {
      overrun_ = true;
    }
  }
  update_irq();
}

uint64_t Serial16550::read(uint64_t offset, unsigned size) {
  uint8_t v = 0;
  switch (offset) {
    case kRbrThr:
      if (lcr_ & kLcrDlab) return dll_;
      if (!rx_.empty()) {
        v = rx_.front();
        rx_.pop_front();
      }
      update_irq();
      if (chr_ != nullptr && !(mcr_ & kMcrLoop)) chr_->accept_input();
      return v;
    case kIer:
      return (lcr_ & kLcrDlab) ? dlm_ : ier_;
    case kIirFcr:
      v = compute_iir();
      // Reading IIR while it reports THRE clears that source (datasheet Table 4).
      if ((v & 0x0f) == kIirThri) {
        thr_interrupt_ = false;
        update_irq();
      }
      return v;
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr:
      v = kLsrThre | kLsrTemt;
      if (!rx_.empty()) v |= kLsrDr;
      if (overrun_) v |= kLsrOe;
      overrun_ = false;  // reading LSR clears the error bits
      update_irq();
      return v;
    case kMsr:
      v = modem_status() | msr_delta_;
      msr_delta_ = 0;
      update_irq();
      return v;
    case kScr:
      return scr_;
    default:
      return 0;
  }
}

void Serial16550::write(uint64_t offset, uint64_t value, unsigned size) {
  uint8_t v = static_cast<uint8_t>(value);
  switch (offset) {
    case kRbrThr:
      if (lcr_ & kLcrDlab) {
        dll_ = v;
        return;
      }
      transmit(v);
      break;
    case kIer:
      if (lcr_ & kLcrDlab) {
        dlm_ = v;
        return;
      }
      // Enabling ETBEI while THR is empty raises THRE at once.
      if ((v & kIerThri) && !(ier_ & kIerThri)) thr_interrupt_ = true;
      ier_ = v & 0x0f;
      break;
    case kIirFcr:
      if (v & kFcrClearRx) {
        rx_.clear();
        overrun_ = false;
      }
      if ((v & kFcrEnable) != (fcr_ & kFcrEnable)) rx_.clear();  // changing mode resets FIFOs
      fcr_ = v & 0xc9;
      break;
    case kLcr:
      lcr_ = v;
      return;
    case kMcr: {
      uint8_t before = modem_status();
      mcr_ = v & 0x1f;
      uint8_t after = modem_status();
      uint8_t changed = before ^ after;
      if (changed & kMsrCts) msr_delta_ |= 0x01;
      if (changed & kMsrDsr) msr_delta_ |= 0x02;
      if ((before & kMsrRi) && !(after & kMsrRi)) msr_delta_ |= 0x04;
      if (changed & kMsrDcd) msr_delta_ |= 0x08;
      break;
    }
    case kScr:
      scr_ = v;
      return;
    default:
      return;
  }
  update_irq();
  if (chr_ != nullptr && !(mcr_ & kMcrLoop)) chr_->accept_input();
}

}  // namespace mimic::hw
