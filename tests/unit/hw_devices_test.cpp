// Register-level tests of the virt board's core devices.
#include <gtest/gtest.h>

#include "chardev/chardev.h"
#include "core/timer.h"
#include "hw/char/serial_16550.h"
#include "hw/intc/plic.h"
#include "hw/misc/sifive_test.h"
#include "hw/timer/clint.h"
#include "hw/timer/goldfish_rtc.h"

using namespace mimic;
using namespace mimic::hw;

namespace {
struct LevelSink final : IrqSink {
  bool level[128] = {};
  void set_irq(uint32_t n, bool l) override { level[n] = l; }
};
}  // namespace

TEST(Clint, TimerCompareRaisesMtip) {
  core::ManualTimerService timers;
  RecordingHartInterrupts h0, h1;
  Clint clint({&h0, &h1}, &timers);
  EXPECT_FALSE(h0.pending(kMipMtip));
  timers.advance(1000);  // 1 us = 10 ticks at 10 MHz
  EXPECT_EQ(clint.read(Clint::kMtime, 8), 10u);
  EXPECT_EQ(clint.read(Clint::kMtime, 4), 10u);
  EXPECT_EQ(clint.read(Clint::kMtime + 4, 4), 0u);
  clint.write(Clint::kMtimecmpBase + 8, 100, 8);  // hart 1: fire at mtime 100
  EXPECT_FALSE(h1.pending(kMipMtip));
  timers.advance(8900);  // mtime 99
  EXPECT_FALSE(h1.pending(kMipMtip));
  timers.advance(100);   // mtime 100: the timer callback raised MTIP
  EXPECT_TRUE(h1.pending(kMipMtip));
  EXPECT_FALSE(h0.pending(kMipMtip));
  // Writing the high half to all ones (as OpenSBI does) clears it.
  clint.write(Clint::kMtimecmpBase + 8 + 4, 0xffffffff, 4);
  EXPECT_FALSE(h1.pending(kMipMtip));
  EXPECT_EQ(clint.read(Clint::kMtimecmpBase + 8, 8), 0xffffffff00000064ull);
  // A compare in the past fires at once.
  clint.write(Clint::kMtimecmpBase, 5, 8);
  EXPECT_TRUE(h0.pending(kMipMtip));
}

TEST(Clint, MsipAndMtimeWrite) {
  core::ManualTimerService timers;
  RecordingHartInterrupts h0;
  Clint clint({&h0}, &timers);
  clint.write(0, 1, 4);
  EXPECT_TRUE(h0.pending(kMipMsip));
  EXPECT_EQ(clint.read(0, 4), 1u);
  clint.write(0, 0, 4);
  EXPECT_FALSE(h0.pending(kMipMsip));
  clint.write(4, 1, 4);  // no hart 1: ignored
  clint.write(Clint::kMtime, 1000000, 8);
  EXPECT_EQ(clint.mtime(), 1000000u);
  timers.advance(100);
  EXPECT_EQ(clint.mtime(), 1000001u);
  EXPECT_EQ(clint.deadline_ns_for(1000011), timers.clock().now_ns() + 1000);
}

TEST(Plic, ClaimCompleteWithPriorityAndThreshold) {
  RecordingHartInterrupts h0;
  Plic plic(97, Plic::contexts_for_harts({&h0}));
  const uint64_t s_ctx = 1;
  plic.write(4 * 10, 1, 4);  // priority(10) = 1
  plic.write(4 * 1, 5, 4);   // priority(1) = 5
  plic.write(Plic::kEnableBase + Plic::kEnableStride * s_ctx, (1u << 10) | (1u << 1), 4);
  plic.set_irq(10, true);
  EXPECT_TRUE(h0.pending(kMipSeip));
  EXPECT_FALSE(h0.pending(kMipMeip));  // not enabled for the M context
  EXPECT_EQ(plic.read(Plic::kPendingBase, 4), 1u << 10);
  plic.set_irq(1, true);
  // Highest priority first.
  uint64_t claim = Plic::kContextBase + Plic::kContextStride * s_ctx + 4;
  EXPECT_EQ(plic.read(claim, 4), 1u);
  EXPECT_EQ(plic.read(claim, 4), 10u);
  EXPECT_EQ(plic.read(claim, 4), 0u);  // both in service
  EXPECT_FALSE(h0.pending(kMipSeip));
  plic.set_irq(1, false);
  plic.write(claim, 1, 4);  // complete 1: line low, not pending again
  EXPECT_FALSE(h0.pending(kMipSeip));
  plic.write(claim, 10, 4);  // complete 10: line still high, pending again
  EXPECT_TRUE(h0.pending(kMipSeip));
  // Threshold masks priority <= threshold.
  plic.write(Plic::kContextBase + Plic::kContextStride * s_ctx, 1, 4);
  EXPECT_FALSE(h0.pending(kMipSeip));
  plic.write(4 * 10, 2, 4);
  EXPECT_TRUE(h0.pending(kMipSeip));
  EXPECT_EQ(plic.read(Plic::kContextBase + Plic::kContextStride * s_ctx, 4), 1u);
}

TEST(Plic, IgnoresBadSourcesAndContexts) {
  RecordingHartInterrupts h0;
  Plic plic(33, Plic::contexts_for_harts({&h0}));
  plic.set_irq(0, true);
  plic.set_irq(33, true);
  plic.set_irq(1000, true);
  plic.write(Plic::kEnableBase, 0xffffffff, 4);
  EXPECT_EQ(plic.read(Plic::kEnableBase, 4), 0xfffffffeu);  // source 0 does not exist
  plic.write(Plic::kEnableBase + 4, 0xffffffff, 4);
  EXPECT_EQ(plic.read(Plic::kEnableBase + 4, 4), 1u);  // only source 32 exists
  EXPECT_EQ(plic.read(Plic::kContextBase + Plic::kContextStride * 7 + 4, 4), 0u);
  plic.write(Plic::kContextBase + Plic::kContextStride * 7 + 4, 3, 4);
  plic.write(Plic::kPendingBase, 0xffffffff, 4);  // read-only
  EXPECT_EQ(plic.read(Plic::kPendingBase, 4), 0u);
  EXPECT_FALSE(h0.pending(kMipMeip));
}

TEST(Serial16550, TransmitAndReceiveWithInterrupts) {
  chardev::BufferChardev chr;
  LevelSink sink;
  Serial16550 uart(&chr, IrqLine(&sink, 10));
  uart.write(Serial16550::kRbrThr, 'h', 1);
  uart.write(Serial16550::kRbrThr, 'i', 1);
  EXPECT_EQ(chr.output, "hi");
  EXPECT_EQ(uart.read(Serial16550::kLsr, 1) & 0x60, 0x60u);
  EXPECT_EQ(uart.read(Serial16550::kIirFcr, 1), 0x01u);  // nothing enabled
  uart.write(Serial16550::kIirFcr, 0x07, 1);  // FIFO on, clear
  uart.write(Serial16550::kIer, 0x01, 1);     // RX interrupts
  EXPECT_FALSE(sink.level[10]);
  const uint8_t in[] = {'a', 'b'};
  chr.push_input(in, 2);
  EXPECT_TRUE(sink.level[10]);
  EXPECT_EQ(uart.read(Serial16550::kIirFcr, 1), 0xc0u | 0x04u);  // FIFO on, data >= trigger (1)
  EXPECT_EQ(uart.read(Serial16550::kLsr, 1) & 1, 1u);
  EXPECT_EQ(uart.read(Serial16550::kRbrThr, 1), 'a');
  EXPECT_EQ(uart.read(Serial16550::kRbrThr, 1), 'b');
  EXPECT_FALSE(sink.level[10]);
  EXPECT_EQ(uart.read(Serial16550::kLsr, 1) & 1, 0u);
  // THR-empty interrupt: raised on enable, cleared by reading IIR.
  uart.write(Serial16550::kIer, 0x03, 1);
  EXPECT_TRUE(sink.level[10]);
  EXPECT_EQ(uart.read(Serial16550::kIirFcr, 1) & 0x0f, 0x02u);
  EXPECT_FALSE(sink.level[10]);
  uart.write(Serial16550::kRbrThr, '!', 1);  // after sending, THR is empty again
  EXPECT_TRUE(sink.level[10]);
}

TEST(Serial16550, FlowControlAndOverrunFree) {
  chardev::BufferChardev chr;
  LevelSink sink;
  Serial16550 uart(&chr, IrqLine(&sink, 10));
  uart.write(Serial16550::kIirFcr, 0x01, 1);
  std::string many(40, 'x');
  chr.push_input(reinterpret_cast<const uint8_t*>(many.data()), many.size());
  EXPECT_EQ(chr.buffered_input(), 40u - Serial16550::kFifoSize);  // the rest waits
  int got = 0;
  while (uart.read(Serial16550::kLsr, 1) & 1) {
    EXPECT_EQ(uart.read(Serial16550::kRbrThr, 1), 'x');
    ++got;
  }
  EXPECT_EQ(got, 40);
}

TEST(Serial16550, LoopbackAndDivisor) {
  chardev::BufferChardev chr;
  LevelSink sink;
  Serial16550 uart(&chr, IrqLine(&sink, 10));
  uart.write(Serial16550::kLcr, 0x80, 1);
  uart.write(Serial16550::kRbrThr, 0x34, 1);
  uart.write(Serial16550::kIer, 0x12, 1);
  EXPECT_EQ(uart.read(Serial16550::kRbrThr, 1), 0x34u);
  EXPECT_EQ(uart.read(Serial16550::kIer, 1), 0x12u);
  uart.write(Serial16550::kLcr, 0x03, 1);
  EXPECT_EQ(uart.read(Serial16550::kIer, 1), 0u);
  uart.write(Serial16550::kMcr, 0x10 | 0x0a, 1);  // loop, RTS, OUT2
  EXPECT_EQ(uart.read(Serial16550::kMsr, 1) & 0xf0, 0x90u);  // CTS, DCD
  uart.write(Serial16550::kRbrThr, 'L', 1);
  EXPECT_EQ(chr.output, "");
  EXPECT_EQ(uart.read(Serial16550::kRbrThr, 1), 'L');
  uart.write(Serial16550::kScr, 0x5a, 1);
  EXPECT_EQ(uart.read(Serial16550::kScr, 1), 0x5au);
}

namespace {
struct RecordingPower final : PowerControl {
  int shutdown = -1;
  int resets = 0;
  void request_shutdown(int code) override { shutdown = code; }
  void request_reset() override { ++resets; }
};
}  // namespace

TEST(SifiveTest, FinisherCommands) {
  RecordingPower power;
  SifiveTest dev(&power);
  dev.write(0, 0x1234, 4);
  EXPECT_EQ(power.shutdown, -1);
  dev.write(0, 0x7777, 4);
  EXPECT_EQ(power.resets, 1);
  dev.write(0, (42u << 16) | 0x3333, 4);
  EXPECT_EQ(power.shutdown, 42);
  dev.write(0, 0x5555, 4);
  EXPECT_EQ(power.shutdown, 0);
}

namespace {
int64_t g_realtime = 1'700'000'000'000'000'000;
int64_t fake_realtime() { return g_realtime; }
}  // namespace

TEST(GoldfishRtc, TimeAndAlarm) {
  core::ManualTimerService timers;
  LevelSink sink;
  GoldfishRtc rtc(IrqLine(&sink, 11), &timers, fake_realtime);
  uint64_t lo = rtc.read(GoldfishRtc::kTimeLow, 4);
  uint64_t hi = rtc.read(GoldfishRtc::kTimeHigh, 4);
  EXPECT_EQ((hi << 32) | lo, 1'700'000'000'000'000'000ull);
  // Set the clock one second later.
  uint64_t t = 1'700'000'001'000'000'000ull;
  rtc.write(GoldfishRtc::kTimeHigh, t >> 32, 4);
  rtc.write(GoldfishRtc::kTimeLow, t & 0xffffffff, 4);
  EXPECT_EQ(rtc.now(), t);
  // Alarm 5 ms ahead.
  rtc.write(GoldfishRtc::kIrqEnabled, 1, 4);
  uint64_t alarm = t + 5'000'000;
  rtc.write(GoldfishRtc::kAlarmHigh, alarm >> 32, 4);
  rtc.write(GoldfishRtc::kAlarmLow, alarm & 0xffffffff, 4);
  EXPECT_EQ(rtc.read(GoldfishRtc::kAlarmStatus, 4), 1u);
  EXPECT_FALSE(sink.level[11]);
  g_realtime += 5'000'000;
  timers.advance(5'000'000);
  EXPECT_TRUE(sink.level[11]);
  EXPECT_EQ(rtc.read(GoldfishRtc::kAlarmStatus, 4), 0u);
  rtc.write(GoldfishRtc::kClearInterrupt, 1, 4);
  EXPECT_FALSE(sink.level[11]);
}
