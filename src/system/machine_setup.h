#pragma once
// Builds a runnable virt machine from parsed options: the event loop,
// character devices (-serial, -chardev, mon:stdio with the monitor),
// drives (through the block layer), virtio devices in command-line order,
// and the board itself. The CPU side creates the harts and passes their
// HartInterrupts; without them (e.g. -M virt,dumpdtb=) stand-ins are used.
#include <memory>
#include <string>
#include <vector>

#include "block/drive.h"
#include "chardev/chardev.h"
#include "chardev/mux_chardev.h"
#include "chardev/simple_monitor.h"
#include "core/error.h"
#include "core/event_loop.h"
#include "hw/boards/virt_machine.h"
#include "hw/irq.h"
#include "hw/misc/power_control.h"
#include "hw/virtio/virtio_device.h"
#include "system/options.h"

namespace mimic::system {

enum class RunRequest { kNone, kShutdown, kReset };

class SystemInstance final : public hw::PowerControl {
 public:
  static Result<std::unique_ptr<SystemInstance>> create(const SystemOptions& options,
                                                        std::vector<hw::HartInterrupts*> harts);
  ~SystemInstance() override;

  hw::virt::VirtMachine& machine() { return *machine_; }
  core::EventLoop& loop() { return loop_; }
  const SystemOptions& options() const { return options_; }

  // Warnings met while building (probed raw formats), for the caller to print.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The drive with this id or node name, or nullptr.
  block::Drive* drive(const std::string& id);
  // Ctrl-a s: queues a commit of every snapshot overlay into its image on
  // the drives' I/O threads, between guest requests; returns at once (the
  // caller may hold the big lock). Failures are reported on stderr.
  void commit_snapshots();
  // The same, waiting for the result. Not with the big lock held.
  Result<void> commit_snapshots_and_wait();
  // Finishes every queued request, then flushes and closes the images
  // (qcow2 marked clean, overlays deleted). Call after the harts stopped and
  // without the big lock; the destructor does it too.
  Result<void> shutdown_drives();

  // The monitor's actions (info registers, stop, cont) come from the CPU side.
  void set_monitor_hooks(chardev::MonitorHooks hooks);

  // PowerControl: recorded for the run loop, which stops the harts and then
  // exits (shutdown, or reset with -no-reboot) or resets the machine.
  void request_shutdown(int exit_code) override;
  void request_reset() override;
  RunRequest pending_request() const { return request_; }
  int exit_code() const { return exit_code_; }
  void clear_request() { request_ = RunRequest::kNone; }

 private:
  explicit SystemInstance(const SystemOptions& o) : options_(o) {}
  Result<chardev::Chardev*> make_chardev(const std::string& spec, bool for_serial);
  Result<chardev::Chardev*> find_chardev(const std::string& id);
  Result<void> build_devices();

  SystemOptions options_;
  core::EventLoop loop_;
  std::vector<std::unique_ptr<chardev::Chardev>> chardevs_;
  std::vector<std::pair<std::string, chardev::Chardev*>> named_chardevs_;
  chardev::MuxChardev* mux_ = nullptr;
  std::unique_ptr<chardev::SimpleMonitor> monitor_;
  chardev::MonitorHooks hooks_;
  std::vector<std::unique_ptr<block::Drive>> drives_;
  std::vector<std::string> warnings_;
  std::vector<std::unique_ptr<hw::virtio::VirtioDevice>> virtio_devices_;
  std::vector<std::unique_ptr<hw::RecordingHartInterrupts>> stand_in_harts_;
  std::unique_ptr<hw::virt::VirtMachine> machine_;
  RunRequest request_ = RunRequest::kNone;
  int exit_code_ = 0;
  bool stdio_used_ = false;
};

Result<void> write_file(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace mimic::system
