#pragma once
// The main thread's event loop (DESIGN.md "Threads and locks"): epoll over
// file descriptors (character devices, sockets) plus one-shot timers on
// CLOCK_MONOTONIC driven by a timerfd. fd callbacks run with the dispatch
// lock held (the system layer passes the big lock); timer callbacks take
// whatever lock they need themselves. Timers may be armed or cancelled from
// any thread; everything else is for the loop's thread.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/error.h"
#include "core/timer.h"

namespace mimic::core {

class EventLoop final : public TimerService {
 public:
  using FdCallback = std::function<void(uint32_t epoll_events)>;

  EventLoop();
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Fails for fds epoll cannot watch (regular files).
  Result<void> add_fd(int fd, uint32_t events, FdCallback cb);
  void modify_fd(int fd, uint32_t events);
  void remove_fd(int fd);

  const Clock& clock() const override { return clock_; }
  std::unique_ptr<Timer> create_timer(std::function<void()> callback) override;

  // Dispatches events for at most `max_wait_ms` (-1: until something happens).
  void run_once(int max_wait_ms);
  // Runs until stop() is called (from any thread or from a callback).
  void run();
  void stop();
  bool stopped() const;
  // Makes run() usable again after stop() (the system run loop stops the
  // loop to act on a reset request, then runs it again).
  void clear_stop();
  void set_dispatch_lock(std::recursive_mutex* lock) { dispatch_lock_ = lock; }

 private:
  class LoopTimer;
  void wake();
  void rearm_timerfd();  // with timer_mutex_ held
  void run_due_timers();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;   // eventfd: stop() and earlier timers wake epoll_wait
  int timer_fd_ = -1;
  HostMonotonicClock clock_;
  std::unordered_map<int, std::shared_ptr<FdCallback>> fds_;
  std::recursive_mutex* dispatch_lock_ = nullptr;

  mutable std::mutex timer_mutex_;
  uint64_t next_timer_id_ = 0;
  std::multimap<int64_t, uint64_t> deadlines_;        // deadline -> id
  std::unordered_map<uint64_t, std::multimap<int64_t, uint64_t>::iterator> armed_;
  std::unordered_map<uint64_t, std::function<void()>*> callbacks_;
  bool stop_ = false;
};

}  // namespace mimic::core
