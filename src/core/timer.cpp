#include "core/timer.h"

#include <ctime>

namespace mimic::core {

int64_t HostMonotonicClock::now_ns() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int64_t host_realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

class ManualTimerService::ManualTimer final : public Timer {
 public:
  ManualTimer(ManualTimerService* svc, std::function<void()> cb)
      : svc_(svc), id_(svc->next_id_++), cb_(std::move(cb)) {}
  ~ManualTimer() override { cancel(); }
  void arm(int64_t deadline_ns) override { svc_->armed_[id_] = {deadline_ns, &cb_}; }
  void cancel() override { svc_->armed_.erase(id_); }

 private:
  ManualTimerService* svc_;
  uint64_t id_;
  std::function<void()> cb_;
};

std::unique_ptr<Timer> ManualTimerService::create_timer(std::function<void()> callback) {
  return std::make_unique<ManualTimer>(this, std::move(callback));
}

void ManualTimerService::advance(int64_t ns) {
  int64_t target = now_ + ns;
  for (;;) {
    auto best = armed_.end();
    for (auto it = armed_.begin(); it != armed_.end(); ++it) {
      if (it->second.first <= target && (best == armed_.end() || it->second.first < best->second.first)) {
        best = it;
      }
    }
    if (best == armed_.end()) break;
    if (best->second.first > now_) now_ = best->second.first;
    std::function<void()>* cb = best->second.second;
    armed_.erase(best);
    (*cb)();
  }
  now_ = target;
}

}  // namespace mimic::core
