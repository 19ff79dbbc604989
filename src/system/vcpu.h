#pragma once
// One RISC-V hart of the system emulator and the host thread that runs it
// (DESIGN.md "Threads and locks": one thread per vCPU; devices and the event
// loop on the main thread; MMIO under the big lock).
//
// Run states: running, paused (monitor `stop`, reset in progress), stopped
// (thread ended). The vCPU thread sleeps in WFI until an interrupt is pending
// (wfi_should_wake) and while paused. Interrupt lines (HartInterrupts) may
// change from any thread: they update mip and kick the hart out of generated
// code at its next block boundary.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "guest/riscv/cpu.h"
#include "hw/irq.h"
#include "memory/softmmu.h"

namespace mimic::memory {
class AddressSpace;
}

namespace mimic::system {

class RiscvHart final : public hw::HartInterrupts {
 public:
  explicit RiscvHart(uint64_t hartid);
  ~RiscvHart() override;
  RiscvHart(const RiscvHart&) = delete;
  RiscvHart& operator=(const RiscvHart&) = delete;

  // Connects the hart to its machine (before start): the address space its
  // softMMU dispatches to and the platform's mtime.
  void attach(memory::AddressSpace* as, uint64_t (*read_mtime)(void*), void* mtime_ctx);

  // HartInterrupts: any thread, big lock held.
  void set_pending(unsigned mip_bit, bool level) override;

  // Starts the vCPU thread at reset_pc (M mode), running unless paused.
  void start(uint64_t reset_pc, bool paused);
  // Makes the thread leave guest code and wait; returns once it waits (or
  // has ended). Not from the vCPU thread, nor with the big lock held (the
  // thread may be waiting for it in MMIO).
  void pause();
  // The same without waiting (monitor `stop`, under the big lock).
  void request_pause();
  void resume();
  // Resets the hart's architectural state (call while paused).
  void reset(uint64_t reset_pc);
  // Ends the thread and joins it (idempotent).
  void stop();
  bool paused() const;

  riscv::RiscvCpu& cpu() { return *cpu_; }
  std::string registers_text() const;

 private:
  void run();
  void kick();  // leave generated code at the next block boundary

  uint64_t hartid_;
  std::unique_ptr<riscv::RiscvCpu> cpu_;
  std::unique_ptr<memory::SoftMmu> mmu_;
  memory::AddressSpace* as_ = nullptr;
  uint64_t (*read_mtime_)(void*) = nullptr;
  void* mtime_ctx_ = nullptr;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool pause_requested_ = false;
  bool is_waiting_paused_ = false;  // the thread acknowledged a pause
  bool running_ = false;            // thread started and not ended
  std::thread thread_;
};

}  // namespace mimic::system
