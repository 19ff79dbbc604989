#pragma once
// Clocks and one-shot timers as interfaces, so devices (CLINT, RTC) can be
// driven by the event loop in the emulator and by a manual clock in tests.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace mimic::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds of a monotonic clock (CLOCK_MONOTONIC for the host one).
  virtual int64_t now_ns() const = 0;
};

class HostMonotonicClock final : public Clock {
 public:
  int64_t now_ns() const override;
};

// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
int64_t host_realtime_ns();

// A one-shot timer: the callback runs once, on the timer's thread (the event
// loop), at or after the deadline, unless cancelled or re-armed first.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void arm(int64_t deadline_ns) = 0;  // replaces any earlier deadline
  virtual void cancel() = 0;
};

class TimerService {
 public:
  virtual ~TimerService() = default;
  virtual const Clock& clock() const = 0;
  virtual std::unique_ptr<Timer> create_timer(std::function<void()> callback) = 0;
};

// Test double: time moves only when advance() is called; due callbacks run
// inside advance(), in deadline order.
class ManualTimerService final : public TimerService, private Clock {
 public:
  const Clock& clock() const override { return *this; }
  int64_t now_ns() const override { return now_; }
  std::unique_ptr<Timer> create_timer(std::function<void()> callback) override;
  void advance(int64_t ns);
  void set_now(int64_t ns) { now_ = ns; }

 private:
  class ManualTimer;
  int64_t now_ = 0;
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::pair<int64_t, std::function<void()>*>> armed_;  // id -> deadline
};

}  // namespace mimic::core
