// mimic-system-riscv64: the RISC-V 64 system emulator (QEMU's command line).
// Builds the virt machine (devices, device tree, boot images), creates one
// hart per -smp with its vCPU thread, and runs the event loop on the main
// thread until the guest powers off (exit status from the sifive_test
// device), Ctrl-a x / the monitor's quit, or a reset request (the machine is
// reset and runs on, or exits under -no-reboot).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <thread>
#include <string>
#include <vector>

#include "core/log.h"
#include "exec/cpu_loop.h"
#include "exec/region.h"
#include "hw/timer/clint.h"
#include "memory/bql.h"
#include "system/machine_setup.h"
#include "system/options.h"
#include "system/vcpu.h"

using namespace mimic;

namespace {
int fail(const std::string& message) {
  std::fprintf(stderr, "mimic-system-riscv64: %s\n", message.c_str());
  return 1;
}

// SIGTERM, SIGINT and SIGHUP shut the machine down cleanly, as in QEMU: the
// harts stop and the drives are flushed and closed (exit status 0). They are
// blocked in every thread and taken by one thread with sigwait.
// Before the machine runs, a signal ends the process at once; while it runs,
// it requests the shutdown; while the drives are being closed, it is ignored.
std::atomic<system::SystemInstance*> g_running{nullptr};
std::atomic<bool> g_finishing{false};

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

void start_signal_thread() {
  sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every later thread
  std::thread([set] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      std::fprintf(stderr, "mimic-system-riscv64: terminating on signal %d\n", sig);
      memory::BigLockGuard g(memory::big_lock());
      if (system::SystemInstance* s = g_running.load()) {
        s->request_shutdown(0);
      } else if (!g_finishing.load()) {
        std::_Exit(0);
      }
    }
  }).detach();
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto opts = system::parse_system_options(args);
  if (!opts.ok()) return fail(opts.error().message);
  if (opts->help) {
    std::fputs(system::system_usage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("mimic-system-riscv64 version %s\n", MIMIC_VERSION);
    return 0;
  }
  if (opts->log_items == "help") {
    std::fputs(log::help_text().c_str(), stdout);
    return 0;
  }
  if (!opts->log_items.empty()) {
    std::string err;
    if (!log::parse_mask(opts->log_items, &log::g_mask, &err)) return fail("-d: " + err);
  }
  if (!opts->log_file.empty() && !log::set_file(opts->log_file.c_str())) {
    return fail("-D: cannot open '" + opts->log_file + "'");
  }

  start_signal_thread();
  std::vector<std::unique_ptr<system::RiscvHart>> harts;
  std::vector<hw::HartInterrupts*> lines;
  for (int i = 0; i < opts->smp; ++i) {
    harts.push_back(std::make_unique<system::RiscvHart>(static_cast<uint64_t>(i)));
    lines.push_back(harts.back().get());
  }
  auto sys = system::SystemInstance::create(*opts, lines);
  if (!sys.ok()) return fail(sys.error().message);
  for (const std::string& w : (*sys)->warnings()) std::fprintf(stderr, "%s\n", w.c_str());
  // Drives are drained, flushed and closed when *sys is destroyed (after
  // the harts have stopped); -snapshot overlays vanish with them.

  if (!opts->dumpdtb.empty()) {
    auto r = system::write_file(opts->dumpdtb, (*sys)->machine().fdt());
    if (!r.ok()) return fail(r.error().message);
    return 0;
  }

  hw::virt::VirtMachine& machine = (*sys)->machine();
  auto read_mtime = [](void* clint) { return static_cast<hw::Clint*>(clint)->mtime(); };
  for (auto& h : harts) h->attach(&machine.address_space(), read_mtime, &machine.clint());

  chardev::MonitorHooks hooks;
  hooks.info_registers = [&harts] {
    std::string text;
    for (auto& h : harts) text += h->registers_text();
    return text;
  };
  // Called from the event loop with the big lock held: request only.
  hooks.stop = [&harts] {
    for (auto& h : harts) h->request_pause();
  };
  hooks.cont = [&harts] {
    for (auto& h : harts) h->resume();
  };
  hooks.system_reset = [&sys] { (*sys)->request_reset(); };
  (*sys)->set_monitor_hooks(hooks);

  g_running.store(sys->get());
  exec::set_default_region_threshold(exec::kSystemRegionThreshold);
  for (auto& h : harts) h->start(machine.boot_info().reset_pc, false);
  for (;;) {
    (*sys)->loop().run();
    if ((*sys)->pending_request() != system::RunRequest::kReset) break;
    // Reset: every hart waits, the devices and boot images are reset, the
    // harts start again at the reset vector.
    for (auto& h : harts) h->pause();
    auto r = machine.reset();
    if (!r.ok()) {
      for (auto& h : harts) h->stop();
      return fail("reset: " + r.error().message);
    }
    exec::invalidate_all();
    for (auto& h : harts) h->reset(machine.boot_info().reset_pc);
    (*sys)->clear_request();
    (*sys)->loop().clear_stop();
    for (auto& h : harts) h->resume();
  }
  for (auto& h : harts) h->stop();
  const int status = (*sys)->exit_code();
  {
    memory::BigLockGuard g(memory::big_lock());
    g_finishing.store(true);
    g_running.store(nullptr);
  }
  auto drained = (*sys)->shutdown_drives();
  if (!drained.ok()) std::fprintf(stderr, "mimic-system-riscv64: %s\n", drained.error().message.c_str());
  return status;
}
