#pragma once
// A drive as the system emulator sees it (QEMU's BlockBackend): one
// BlockDriver graph, the options of its -drive / -blockdev line (read-only,
// cache mode, discard, snapshot) and the block I/O thread that owns it.
//
// Threading contract:
//  - A BlockDriver is not thread-safe (block_driver.h). The drive's I/O
//    thread is its only user once the drive exists: every driver call is
//    made from a job passed to submit(). Jobs run one at a time, in
//    submission order, so a request's effects are visible to every later
//    request, and a job that finishes a write or flush has it done at the
//    format layer (and on stable storage for a flush) when it returns.
//  - submit() may be called from any thread (vCPU threads holding the big
//    lock, the main loop). It only takes the queue's own mutex, never the
//    big lock, so jobs may take the big lock to complete device requests.
//  - drain() and shutdown() wait for jobs and so must not be called while
//    holding a lock that a job takes (the big lock), nor from a job.
//  - The I/O-thread operations below (read ... commit_snapshot) must be
//    called from a job (or, with Threading::kInline, from the submitter).
//  - Threading::kInline runs each job at once on the submitting thread: for
//    deterministic unit tests and single-threaded tools.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "block/block_driver.h"
#include "block/image.h"
#include "core/error.h"

namespace mimic::block {

// QEMU's -drive cache modes as the switches they stand for (QEMU manual,
// "-drive cache="): writeback = {}, writethrough = {writethrough},
// none = {direct}, directsync = {direct, writethrough},
// unsafe = {no_flush}.
struct CacheMode {
  bool direct = false;        // O_DIRECT: bypass the host page cache
  bool no_flush = false;      // flush requests do not reach the disk
  bool writethrough = false;  // each write is flushed before it completes
  bool operator==(const CacheMode&) const = default;
};
Result<CacheMode> cache_mode_from_name(const std::string& name);
std::string cache_mode_name(const CacheMode& mode);

struct DriveConfig {
  std::string name;  // drive id or node name, for messages
  bool read_only = false;
  bool discard_unmap = false;  // discard=unmap: guest discards reach the format layer
  CacheMode cache;
  // The format was probed as raw: writes that would make block 0 probe as
  // another format are refused (QEMU's protection for probed raw images).
  bool protect_block0 = false;
  // The driver is a temporary overlay (snapshot=on, -snapshot) over a base
  // opened with `base_opts`; commit_snapshot() writes it back.
  bool snapshot = false;
  OpenOptions base_opts;
};

class Drive {
 public:
  enum class Threading { kIoThread, kInline };

  Drive(std::unique_ptr<BlockDriver> driver, DriveConfig config,
        Threading threading = Threading::kIoThread);
  // A borrowed driver, which must outlive the drive.
  Drive(BlockDriver* driver, DriveConfig config, Threading threading);
  ~Drive();  // shutdown()
  Drive(const Drive&) = delete;
  Drive& operator=(const Drive&) = delete;

  using Job = std::function<void()>;
  void submit(Job job);
  // Returns once every job submitted before the call has run.
  void drain();
  // Drains, closes the driver on the I/O thread (flush, image marked clean)
  // and ends the thread. Later submissions run nothing. Idempotent.
  Result<void> shutdown();
  // Test hooks: hold the I/O thread before its next job, then let it go.
  void pause();
  void resume();

  // Constant after construction: any thread.
  const DriveConfig& config() const { return config_; }
  bool read_only() const { return config_.read_only; }
  uint64_t length() const { return length_; }

  // I/O-thread operations, with the drive's policy applied.
  Result<void> read(uint64_t offset, void* buf, uint64_t len);
  // Refused on read-only drives; flushed before returning in writethrough mode.
  Result<void> write(uint64_t offset, const void* buf, uint64_t len);
  Result<void> write_zeroes(uint64_t offset, uint64_t len);
  // Ignored (success, nothing changes) unless discard=unmap.
  Result<void> discard(uint64_t offset, uint64_t len);
  // fdatasync of every written file (cache=unsafe: the metadata is written
  // but the sync is skipped, see FileProtocol::set_unsafe).
  Result<void> flush();
  // Snapshot drives: commit the overlay into its base (Ctrl-a s). Others:
  // nothing to do.
  Result<void> commit_snapshot();
  BlockDriver* driver() { return driver_; }

 private:
  void run();
  Result<void> after_write();

  std::unique_ptr<BlockDriver> owned_;
  BlockDriver* driver_;
  DriveConfig config_;
  uint64_t length_;
  Threading threading_;

  std::mutex mutex_;
  std::condition_variable cv_;       // the worker waits for jobs / resume
  std::condition_variable done_cv_;  // drain() waits for progress
  std::deque<Job> queue_;
  uint64_t submitted_ = 0, finished_ = 0;
  bool paused_ = false, stopping_ = false, closed_ = false;
  Result<void> close_result_;
  std::thread thread_;
};

}  // namespace mimic::block
