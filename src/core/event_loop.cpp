#include "core/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <initializer_list>
#include <vector>

namespace mimic::core {

class EventLoop::LoopTimer final : public Timer {
 public:
  LoopTimer(EventLoop* loop, std::function<void()> cb) : loop_(loop), cb_(std::move(cb)) {
    std::lock_guard<std::mutex> g(loop_->timer_mutex_);
    id_ = loop_->next_timer_id_++;
    loop_->callbacks_[id_] = &cb_;
  }
  ~LoopTimer() override {
    std::lock_guard<std::mutex> g(loop_->timer_mutex_);
    erase_locked();
    loop_->callbacks_.erase(id_);
  }
  void arm(int64_t deadline_ns) override {
    bool earliest;
    {
      std::lock_guard<std::mutex> g(loop_->timer_mutex_);
      erase_locked();
      auto it = loop_->deadlines_.emplace(deadline_ns, id_);
      loop_->armed_[id_] = it;
      earliest = it == loop_->deadlines_.begin();
      if (earliest) loop_->rearm_timerfd();
    }
  }
  void cancel() override {
    std::lock_guard<std::mutex> g(loop_->timer_mutex_);
    erase_locked();
  }

 private:
  void erase_locked() {
    auto it = loop_->armed_.find(id_);
    if (it == loop_->armed_.end()) return;
    loop_->deadlines_.erase(it->second);
    loop_->armed_.erase(it);
  }
  EventLoop* loop_;
  std::function<void()> cb_;
  uint64_t id_ = 0;
};

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  for (int fd : {wake_fd_, timer_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

EventLoop::~EventLoop() {
  for (int fd : {epoll_fd_, wake_fd_, timer_fd_}) {
    if (fd >= 0) close(fd);
  }
}

Result<void> EventLoop::add_fd(int fd, uint32_t events, FdCallback cb) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return make_error(std::string("cannot watch file descriptor: ") + std::strerror(errno));
  }
  fds_[fd] = std::make_shared<FdCallback>(std::move(cb));
  return {};
}

void EventLoop::modify_fd(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove_fd(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  fds_.erase(fd);
}

std::unique_ptr<Timer> EventLoop::create_timer(std::function<void()> callback) {
  return std::make_unique<LoopTimer>(this, std::move(callback));
}

void EventLoop::rearm_timerfd() {
  itimerspec its{};
  if (!deadlines_.empty()) {
    int64_t d = std::max<int64_t>(deadlines_.begin()->first, 1);  // 0 would disarm
    its.it_value.tv_sec = d / 1000000000;
    its.it_value.tv_nsec = d % 1000000000;
  }
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &its, nullptr);
}

void EventLoop::run_due_timers() {
  uint64_t expirations;
  while (read(timer_fd_, &expirations, sizeof expirations) > 0) {
  }
  for (;;) {
    std::function<void()>* cb = nullptr;
    {
      std::lock_guard<std::mutex> g(timer_mutex_);
      int64_t now = clock_.now_ns();
      if (deadlines_.empty() || deadlines_.begin()->first > now) {
        rearm_timerfd();
        return;
      }
      uint64_t id = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      armed_.erase(id);
      cb = callbacks_[id];
    }
    // The callback runs without timer_mutex_ (it may re-arm or take the big
    // lock). A Timer is only destroyed by its owner on this thread or with
    // the loop stopped, so cb stays valid.
    (*cb)();
  }
}

void EventLoop::wake() {
  uint64_t one = 1;
  ssize_t r = write(wake_fd_, &one, sizeof one);
  (void)r;
}

void EventLoop::stop() {
  {
    std::lock_guard<std::mutex> g(timer_mutex_);
    stop_ = true;
  }
  wake();
}

void EventLoop::clear_stop() {
  std::lock_guard<std::mutex> g(timer_mutex_);
  stop_ = false;
}

bool EventLoop::stopped() const {
  std::lock_guard<std::mutex> g(timer_mutex_);
  return stop_;
}

void EventLoop::run_once(int max_wait_ms) {
  epoll_event events[16];
  int n = epoll_wait(epoll_fd_, events, 16, max_wait_ms);
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      uint64_t v;
      while (read(wake_fd_, &v, sizeof v) > 0) {
      }
    } else if (fd == timer_fd_) {
      run_due_timers();
    } else {
      auto it = fds_.find(fd);
      if (it == fds_.end()) continue;
      std::shared_ptr<FdCallback> cb = it->second;  // survives remove_fd() inside the callback
      if (dispatch_lock_ != nullptr) {
        std::lock_guard<std::recursive_mutex> g(*dispatch_lock_);
        (*cb)(events[i].events);
      } else {
        (*cb)(events[i].events);
      }
    }
  }
}

void EventLoop::run() {
  while (!stopped()) run_once(-1);
}

}  // namespace mimic::core
