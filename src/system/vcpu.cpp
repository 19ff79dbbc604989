// The vCPU thread of a RISC-V hart (vcpu.h).
#include "system/vcpu.h"

#include "exec/cpu_loop.h"
#include "guest/riscv/system.h"

namespace mimic::system {

RiscvHart::RiscvHart(uint64_t hartid)
    : hartid_(hartid), cpu_(std::make_unique<riscv::RiscvCpu>()),
      mmu_(std::make_unique<memory::SoftMmu>()) {}

RiscvHart::~RiscvHart() { stop(); }

void RiscvHart::attach(memory::AddressSpace* as, uint64_t (*read_mtime)(void*), void* mtime_ctx) {
  as_ = as;
  read_mtime_ = read_mtime;
  mtime_ctx_ = mtime_ctx;
}

void RiscvHart::kick() { cpu_->common.exit_request.store(1, std::memory_order_release); }

void RiscvHart::set_pending(unsigned mip_bit, bool level) {
  const uint64_t bit = uint64_t{1} << mip_bit;
  if (level) {
    cpu_->mip.fetch_or(bit, std::memory_order_acq_rel);
  } else {
    cpu_->mip.fetch_and(~bit, std::memory_order_acq_rel);
  }
  if (level) {
    kick();
    // Under the mutex, so a thread about to sleep in WFI either sees the
    // new mip or is already waiting and gets the notification.
    std::lock_guard<std::mutex> g(mutex_);
    cv_.notify_all();
  }
}

void RiscvHart::start(uint64_t reset_pc, bool paused) {
  riscv::HartConfig config;
  config.hartid = hartid_;
  config.reset_pc = reset_pc;
  config.as = as_;
  config.read_mtime = read_mtime_;
  config.mtime_ctx = mtime_ctx_;
  riscv::hart_init(*cpu_, *mmu_, config);
  {
    std::lock_guard<std::mutex> g(mutex_);
    pause_requested_ = paused;
    stop_requested_ = false;
    running_ = true;
  }
  thread_ = std::thread([this] { run(); });
}

void RiscvHart::pause() {
  std::unique_lock<std::mutex> lk(mutex_);
  pause_requested_ = true;
  kick();
  cv_.notify_all();
  cv_.wait(lk, [this] { return is_waiting_paused_ || !running_; });
}

void RiscvHart::request_pause() {
  std::lock_guard<std::mutex> g(mutex_);
  pause_requested_ = true;
  kick();
  cv_.notify_all();
}

void RiscvHart::resume() {
  std::lock_guard<std::mutex> g(mutex_);
  pause_requested_ = false;
  cv_.notify_all();
}

bool RiscvHart::paused() const {
  std::lock_guard<std::mutex> g(mutex_);
  return pause_requested_;
}

void RiscvHart::reset(uint64_t reset_pc) { riscv::hart_reset(*cpu_, reset_pc); }

void RiscvHart::stop() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    stop_requested_ = true;
    kick();
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

std::string RiscvHart::registers_text() const { return riscv::format_registers(*cpu_); }

void RiscvHart::run() {
  const exec::GuestOps& ops = riscv::system_guest_ops();
  riscv::RiscvCpu& cpu = *cpu_;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mutex_);
      if (stop_requested_) break;
      if (pause_requested_) {
        is_waiting_paused_ = true;
        cv_.notify_all();
        cv_.wait(lk, [this] { return stop_requested_ || !pause_requested_; });
        is_waiting_paused_ = false;
        continue;
      }
    }
    riscv::take_interrupt(cpu);
    const uint64_t code = exec::cpu_exec(&cpu.common, ops);
    riscv::fold_host_fp_flags(cpu);
    if (riscv::handle_exit(cpu, code) == riscv::HartEvent::kWfi) {
      std::unique_lock<std::mutex> lk(mutex_);
      cv_.wait(lk, [&] { return stop_requested_ || pause_requested_ || riscv::wfi_should_wake(cpu); });
    }
  }
  exec::cpu_exec_release(&cpu.common);
  std::lock_guard<std::mutex> g(mutex_);
  running_ = false;
  cv_.notify_all();
}

}  // namespace mimic::system
