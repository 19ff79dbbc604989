#include "system/machine_setup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "chardev/fd_chardev.h"
#include "chardev/socket_chardev.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_console.h"
#include "hw/virtio/virtio_rng.h"
#include "memory/bql.h"
#include "system/drive_setup.h"

namespace mimic::system {

Result<void> write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return make_error("cannot create '" + path + "': " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return make_error("cannot write '" + path + "': " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return make_error("cannot write '" + path + "': " + std::strerror(errno));
  return {};
}

SystemInstance::~SystemInstance() {
  // In-flight block requests complete into the machine: drain them first.
  (void)shutdown_drives();
  // Devices first (they detach from chardevs), then the chardevs.
  machine_.reset();
  virtio_devices_.clear();
  monitor_.reset();
  while (!chardevs_.empty()) chardevs_.pop_back();
}

block::Drive* SystemInstance::drive(const std::string& id) {
  for (size_t i = 0; i < drives_.size(); ++i) {
    if (drives_[i]->config().name == id) return drives_[i].get();
  }
  return nullptr;
}

void SystemInstance::commit_snapshots() {
  for (auto& d : drives_) {
    if (!d->config().snapshot) continue;
    block::Drive* drive = d.get();
    drive->submit([drive] {
      auto r = drive->commit_snapshot();
      if (!r.ok()) std::fprintf(stderr, "mimic: commit of '%s' failed: %s\n", drive->config().name.c_str(),
                                r.error().message.c_str());
    });
  }
}

Result<void> SystemInstance::commit_snapshots_and_wait() {
  Result<void> result;
  for (auto& d : drives_) {
    if (!d->config().snapshot) continue;
    block::Drive* drive = d.get();
    Result<void> r;
    drive->submit([drive, &r] { r = drive->commit_snapshot(); });
    drive->drain();
    if (!r.ok() && result.ok()) result = make_error("commit of '" + drive->config().name + "': " + r.error().message);
  }
  return result;
}

Result<void> SystemInstance::shutdown_drives() {
  Result<void> result;
  for (auto& d : drives_) {
    auto r = d->shutdown();
    if (!r.ok() && result.ok()) result = make_error(d->config().name + ": " + r.error().message);
  }
  return result;
}

void SystemInstance::request_shutdown(int exit_code) {
  request_ = RunRequest::kShutdown;
  exit_code_ = exit_code;
  loop_.stop();
}

void SystemInstance::request_reset() {
  if (options_.no_reboot) {
    request_shutdown(0);
    return;
  }
  request_ = RunRequest::kReset;
  loop_.stop();
}

void SystemInstance::set_monitor_hooks(chardev::MonitorHooks hooks) {
  if (!hooks.quit) hooks.quit = [this] { request_shutdown(0); };
  hooks_ = hooks;
  if (monitor_ != nullptr && mux_ != nullptr) {
    monitor_ = std::make_unique<chardev::SimpleMonitor>(mux_->backend(), hooks_);
    mux_->set_monitor(monitor_.get());
  }
}

Result<chardev::Chardev*> SystemInstance::find_chardev(const std::string& id) {
  for (auto& [name, c] : named_chardevs_) {
    if (name == id) return c;
  }
  return make_error("chardev '" + id + "' not found");
}

Result<chardev::Chardev*> SystemInstance::make_chardev(const std::string& spec, bool for_serial) {
  auto keep = [this](std::unique_ptr<chardev::Chardev> c) {
    chardevs_.push_back(std::move(c));
    return chardevs_.back().get();
  };
  if (spec == "null" || spec == "none") return keep(std::make_unique<chardev::NullChardev>());
  if (spec == "stdio" || spec == "mon:stdio") {
    if (stdio_used_) return make_error("'" + spec + "': stdio is already in use");
    stdio_used_ = true;
    bool mux = spec == "mon:stdio";
    chardev::Chardev* backend = keep(chardev::make_stdio_chardev(&loop_, !mux));
    if (!mux) return backend;
    auto m = std::make_unique<chardev::MuxChardev>(backend, [this] { request_shutdown(0); });
    m->set_commit_handler([this] { commit_snapshots(); });
    mux_ = m.get();
    if (!hooks_.quit) hooks_.quit = [this] { request_shutdown(0); };
    monitor_ = std::make_unique<chardev::SimpleMonitor>(backend, hooks_);
    mux_->set_monitor(monitor_.get());
    return keep(std::move(m));
  }
  if (spec.rfind("file:", 0) == 0) {
    auto f = chardev::make_file_chardev(&loop_, spec.substr(5));
    if (!f.ok()) return f.error();
    return keep(std::move(*f));
  }
  if (spec.rfind("tcp:", 0) == 0) {
    auto t = chardev::parse_tcp_spec(spec);
    if (!t.ok()) return t.error();
    auto s = chardev::SocketChardev::listen_tcp(&loop_, t->host, t->port, t->wait);
    if (!s.ok()) return s.error();
    return keep(std::move(*s));
  }
  if (spec.rfind("chardev:", 0) == 0) return find_chardev(spec.substr(8));
  return make_error("'" + spec + "': unsupported character device" + (for_serial ? " for -serial" : ""));
}

Result<void> SystemInstance::build_devices() {
  for (const ChardevOptions& c : options_.chardevs) {
    std::string spec;
    if (c.backend == "stdio") {
      auto mux = c.props.get_bool("mux", false);
      if (!mux.ok()) return make_error("-chardev: " + mux.error().message);
      spec = *mux ? "mon:stdio" : "stdio";
    } else if (c.backend == "null") {
      spec = "null";
    } else if (c.backend == "file") {
      spec = "file:" + c.props.get_or("path", "");
    } else {
      auto server = c.props.get_bool("server", false);
      auto wait = c.props.get_bool("wait", true);
      if (!server.ok() || !wait.ok()) return make_error("-chardev: server/wait expect on or off");
      spec = "tcp:" + c.props.get_or("host", "") + ":" + c.props.get_or("port", "") + (*server ? ",server" : "") +
             (*wait ? "" : ",wait=off");
    }
    auto chr = make_chardev(spec, false);
    if (!chr.ok()) return make_error("-chardev " + c.id + ": " + chr.error().message);
    named_chardevs_.emplace_back(c.id, *chr);
  }

  // Drives: opened through the block layer, each with its I/O thread.
  for (const DriveOptions& d : options_.drives) {
    auto drive = open_drive(d, &warnings_);
    if (!drive.ok()) return drive.error();
    drives_.push_back(std::move(*drive));
  }
  const std::vector<DriveOptions>& drives = options_.drives;
  std::vector<bool> drive_used(drives.size(), false);
  auto add_blk = [&](size_t i, const std::string& serial) {
    virtio_devices_.push_back(std::make_unique<hw::virtio::VirtioBlk>(drives_[i].get(), serial));
    drive_used[i] = true;
  };
  for (size_t i = 0; i < drives.size(); ++i) {
    if (drives[i].interface == "virtio") add_blk(i, "");
  }
  for (size_t n = 0; n < options_.devices.size(); ++n) {
    const DeviceOptions& dev = options_.devices[n];
    if (dev.driver == "virtio-blk-device") {
      std::string id = dev.props.get_or("drive", "");
      size_t i = 0;
      while (i < drives.size() && drives[i].id != id) ++i;
      if (i == drives.size()) {
        for (const DriveOptions& d : drives) {
          if (!id.empty() && d.file_node_name == id) {
            return make_error("-device virtio-blk-device: node '" + id + "' is already in use by node '" + d.id + "'");
          }
        }
        return make_error("-device virtio-blk-device: drive '" + id + "' not found");
      }
      if (drive_used[i]) return make_error("-device virtio-blk-device: drive '" + id + "' is already in use");
      add_blk(i, dev.props.get_or("serial", ""));
    } else if (dev.driver == "virtio-rng-device") {
      virtio_devices_.push_back(std::make_unique<hw::virtio::VirtioRng>());
    } else if (dev.driver == "virtio-serial-device") {
      // The port is the next virtconsole on the command line, if any.
      chardev::Chardev* chr = nullptr;
      if (n + 1 < options_.devices.size() && options_.devices[n + 1].driver == "virtconsole") {
        auto c = find_chardev(options_.devices[n + 1].props.get_or("chardev", ""));
        if (!c.ok()) return make_error("-device virtconsole: " + c.error().message);
        chr = *c;
        ++n;
      }
      virtio_devices_.push_back(std::make_unique<hw::virtio::VirtioConsole>(chr));
    } else if (dev.driver == "virtconsole") {
      return make_error("-device virtconsole: needs a virtio-serial-device before it");
    }
  }
  if (virtio_devices_.size() > static_cast<size_t>(hw::virt::kVirtioCount)) {
    return make_error("too many virtio devices (the virt board has " + std::to_string(hw::virt::kVirtioCount) +
                      " virtio-mmio slots)");
  }
  return {};
}

Result<std::unique_ptr<SystemInstance>> SystemInstance::create(const SystemOptions& o,
                                                              std::vector<hw::HartInterrupts*> harts) {
  std::unique_ptr<SystemInstance> s(new SystemInstance(o));
  s->loop_.set_dispatch_lock(&memory::big_lock());
  if (harts.empty()) {
    for (int i = 0; i < o.smp; ++i) {
      s->stand_in_harts_.push_back(std::make_unique<hw::RecordingHartInterrupts>());
      harts.push_back(s->stand_in_harts_.back().get());
    }
  }
  if (harts.size() != static_cast<size_t>(o.smp)) return make_error("internal: hart count does not match -smp");
  bool dumping = !o.dumpdtb.empty();

  hw::virt::VirtConfig cfg;
  cfg.ram_size = o.ram_size;
  // -cpu rv64,sv39=on limits the MMU the device tree advertises.
  auto cpu = KeyVal::parse(o.cpu, "model");
  if (!cpu.ok()) return make_error("-cpu: " + cpu.error().message);
  auto sv39 = cpu->get_bool("sv39", false);
  if (!sv39.ok()) return make_error("-cpu: " + sv39.error().message);
  if (*sv39) cfg.mmu_type = "riscv,sv39";
  cfg.bios = o.bios.empty() ? hw::virt::kDefaultBios : o.bios;
  cfg.kernel = o.kernel;
  cfg.initrd = o.initrd;
  cfg.dtb = o.dtb;
  cfg.append = o.append;
  if (dumping) {
    // Like QEMU, dumpdtb still loads the images so the tree describes the
    // initrd and command line; without the default firmware it goes on.
    cfg.bios = o.bios.empty() ? (access(hw::virt::kDefaultBios, R_OK) == 0 ? cfg.bios : "none") : o.bios;
  }
  if (!dumping) {
    // -nographic puts the serial port and the monitor on stdio (muxed)
    // unless -serial or -monitor say otherwise, as in QEMU.
    bool monitor_none = o.monitor == "none";
    if (!o.monitor.empty() && !monitor_none && o.monitor != "stdio") {
      return make_error("-monitor " + o.monitor + ": unsupported (stdio or none)");
    }
    std::string serial = !o.serial.empty() ? o.serial[0] : (o.nographic ? "mon:stdio" : "null");
    if (o.nographic && serial == "stdio" && !monitor_none) serial = "mon:stdio";
    if (monitor_none && serial == "mon:stdio" && o.serial.empty()) serial = "stdio";
    if (o.monitor == "stdio" && (serial == "stdio" || serial == "mon:stdio")) serial = "mon:stdio";
    auto chr = s->make_chardev(serial, true);
    if (!chr.ok()) return make_error("-serial " + serial + ": " + chr.error().message);
    cfg.serial = *chr;
    if (o.monitor == "stdio" && s->mux_ == nullptr) {
      auto mon = s->make_chardev("mon:stdio", false);
      if (!mon.ok()) return make_error("-monitor stdio: " + mon.error().message);
      s->mux_->focus_monitor();  // nothing else reads this stdio
    }
  }
  if (auto r = s->build_devices(); !r.ok()) return r.error();
  cfg.harts = harts;
  cfg.timers = &s->loop_;
  cfg.power = s.get();
  for (auto& d : s->virtio_devices_) cfg.virtio.push_back(d.get());
  auto m = hw::virt::VirtMachine::create(cfg);
  if (!m.ok()) return m.error();
  s->machine_ = std::move(*m);
  return s;
}

}  // namespace mimic::system
