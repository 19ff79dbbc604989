#include "block/drive.h"

#include <cstring>

#include "block/commit.h"
#include "block/qcow2.h"
#include "block/qcow2_header.h"

namespace mimic::block {

Result<CacheMode> cache_mode_from_name(const std::string& name) {
  CacheMode m;
  if (name == "writeback") return m;
  if (name == "writethrough") {
    m.writethrough = true;
  } else if (name == "none") {
    m.direct = true;
  } else if (name == "directsync") {
    m.direct = m.writethrough = true;
  } else if (name == "unsafe") {
    m.no_flush = true;
  } else {
    return make_error("invalid cache option '" + name +
                      "' (writeback, writethrough, none, directsync or unsafe)");
  }
  return m;
}

std::string cache_mode_name(const CacheMode& m) {
  if (m.no_flush) return "unsafe";
  if (m.direct) return m.writethrough ? "directsync" : "none";
  return m.writethrough ? "writethrough" : "writeback";
}

Drive::Drive(std::unique_ptr<BlockDriver> driver, DriveConfig config, Threading threading)
    : Drive(driver.get(), std::move(config), threading) {
  owned_ = std::move(driver);
}

Drive::Drive(BlockDriver* driver, DriveConfig config, Threading threading)
    : driver_(driver),
      config_(std::move(config)),
      length_(driver->length()),
      threading_(threading) {
  if (threading_ == Threading::kIoThread) thread_ = std::thread([this] { run(); });
}

Drive::~Drive() { (void)shutdown(); }

void Drive::submit(Job job) {
  if (threading_ == Threading::kInline) {
    if (!closed_) job();
    return;
  }
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(job));
    ++submitted_;
  }
  cv_.notify_one();
}

void Drive::run() {
  std::unique_lock<std::mutex> lk(mutex_);
  for (;;) {
    cv_.wait(lk, [this] { return (!queue_.empty() && !paused_) || (stopping_ && queue_.empty()); });
    if (queue_.empty()) break;  // stopping with nothing left
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lk.unlock();
    job();  // runs without the queue lock: it may take the big lock
    lk.lock();
    ++finished_;
    done_cv_.notify_all();
  }
}

void Drive::drain() {
  if (threading_ == Threading::kInline) return;
  std::unique_lock<std::mutex> lk(mutex_);
  const uint64_t target = submitted_;
  done_cv_.wait(lk, [&] { return finished_ >= target || !thread_.joinable(); });
}

void Drive::pause() {
  std::lock_guard<std::mutex> g(mutex_);
  paused_ = true;
}

void Drive::resume() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    paused_ = false;
  }
  cv_.notify_all();
}

Result<void> Drive::shutdown() {
  if (threading_ == Threading::kIoThread) {
    {
      std::lock_guard<std::mutex> g(mutex_);
      if (closed_) return close_result_;
      paused_ = false;
    }
    submit([this] { close_result_ = driver_->close(); });
    {
      std::lock_guard<std::mutex> g(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> g(mutex_);
    closed_ = true;
    return close_result_;
  }
  if (closed_) return close_result_;
  // A borrowed driver in inline mode belongs to its owner: only flush it.
  close_result_ =
      owned_ ? driver_->close() : (config_.read_only ? Result<void>() : driver_->flush());
  closed_ = true;
  return close_result_;
}

Result<void> Drive::read(uint64_t offset, void* buf, uint64_t len) {
  return driver_->read(offset, buf, len);
}

Result<void> Drive::after_write() {
  if (config_.cache.writethrough) return driver_->flush();
  return {};
}

Result<void> Drive::write(uint64_t offset, const void* buf, uint64_t len) {
  if (config_.read_only) return make_error("'" + config_.name + "' is read-only");
  if (config_.protect_block0 && offset < 4 && len > 0) {
    // The first bytes after this write, as a probe would see them.
    uint8_t head[4] = {};
    if (auto r = driver_->read(0, head, std::min<uint64_t>(4, length_)); !r) return r;
    uint64_t n = std::min<uint64_t>(len, 4 - offset);
    std::memcpy(head + offset, buf, n);
    if (qcow2::be32(head) == qcow2::kMagic) {
      return make_error("'" + config_.name +
                        "': write to block 0 would change the probed format (refused)");
    }
  }
  if (auto r = driver_->write(offset, buf, len); !r) return r;
  return after_write();
}

Result<void> Drive::write_zeroes(uint64_t offset, uint64_t len) {
  if (config_.read_only) return make_error("'" + config_.name + "' is read-only");
  if (auto r = driver_->write_zeroes(offset, len); !r) return r;
  return after_write();
}

Result<void> Drive::discard(uint64_t offset, uint64_t len) {
  if (config_.read_only) return make_error("'" + config_.name + "' is read-only");
  if (!config_.discard_unmap) return {};
  if (auto r = driver_->discard(offset, len); !r) return r;
  return after_write();
}

Result<void> Drive::flush() {
  if (config_.read_only) return {};
  return driver_->flush();
}

Result<void> Drive::commit_snapshot() {
  if (!config_.snapshot) return {};
  auto* overlay = dynamic_cast<Qcow2Driver*>(driver_);
  if (overlay == nullptr) return make_error("'" + config_.name + "': not a snapshot overlay");
  return commit_temporary_overlay(overlay, config_.base_opts);
}

}  // namespace mimic::block
