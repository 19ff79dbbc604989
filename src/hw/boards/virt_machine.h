#pragma once
// The riscv "virt" board: RAM, the reset-vector ROM, CLINT, PLIC, UART0,
// sifive_test, goldfish RTC and eight virtio-mmio transports at QEMU's
// addresses (virt_layout.h), the device tree, and the boot images. The CPUs
// are not part of it: the system layer creates harts and hands their
// HartInterrupts in; each hart starts at reset_pc() in M mode.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chardev/chardev.h"
#include "core/error.h"
#include "core/timer.h"
#include "hw/boards/virt_layout.h"
#include "hw/char/serial_16550.h"
#include "hw/intc/plic.h"
#include "hw/misc/power_control.h"
#include "hw/misc/sifive_test.h"
#include "hw/timer/clint.h"
#include "hw/timer/goldfish_rtc.h"
#include "hw/virtio/virtio_device.h"
#include "hw/virtio/virtio_mmio.h"
#include "memory/address_space.h"

namespace mimic::hw::virt {

inline constexpr const char* kDefaultBios = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

struct VirtConfig {
  uint64_t ram_size = kDefaultRamSize;
  std::string isa = "rv64imafdc_zicsr_zifencei_zba_zbb_zbs";
  std::string mmu_type = "riscv,sv48";
  std::string bios = kDefaultBios;  // "none": no firmware, the kernel starts at DRAM base
  std::string kernel;               // raw Image or ELF; empty: none
  std::string initrd;
  std::string dtb;                  // user blob instead of the generated tree
  std::string append;               // kernel command line
  bool load_images = true;          // false: build the machine only (dumpdtb)

  // Wiring supplied by the system layer; all must outlive the machine.
  std::vector<HartInterrupts*> harts;       // one per hart (-smp)
  core::TimerService* timers = nullptr;
  PowerControl* power = nullptr;
  chardev::Chardev* serial = nullptr;       // UART0 backend, may be nullptr
  std::vector<virtio::VirtioDevice*> virtio;  // at most kVirtioCount
};

// Where the boot images went (for the CPU side and for tests).
struct BootInfo {
  uint64_t reset_pc = 0;       // every hart starts here, a0..a2 set by the ROM
  uint64_t firmware_entry = 0;
  uint64_t kernel_entry = 0;   // 0 if no kernel
  uint64_t fdt_addr = 0;
  uint64_t initrd_start = 0, initrd_end = 0;
};

class VirtMachine {
 public:
  static Result<std::unique_ptr<VirtMachine>> create(const VirtConfig& config);

  memory::AddressSpace& address_space() { return as_; }
  Clint& clint() { return *clint_; }
  Plic& plic() { return *plic_; }
  Serial16550& uart() { return *uart_; }
  const std::vector<uint8_t>& fdt() const { return fdt_; }
  const BootInfo& boot_info() const { return boot_; }
  const VirtConfig& config() const { return config_; }
  // Transport i sits at base(kVirtio) + i * 0x1000 with PLIC source 1 + i.
  virtio::VirtioMmio& virtio_transport(int i) { return *virtio_[static_cast<size_t>(i)]; }

  // System reset: resets the devices and loads the boot images again
  // (firmware, kernel, initrd, device tree, reset ROM), as a reboot expects
  // to find them; the rest of RAM is kept. The CPU side resets the harts.
  Result<void> reset();

 private:
  explicit VirtMachine(const VirtConfig& c) : config_(c) {}
  Result<void> build_devices();
  Result<void> load_and_boot();

  VirtConfig config_;
  memory::AddressSpace as_;
  std::vector<std::unique_ptr<memory::MemoryRegion>> regions_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<Serial16550> uart_;
  std::unique_ptr<SifiveTest> test_;
  std::unique_ptr<GoldfishRtc> rtc_;
  std::vector<std::unique_ptr<virtio::VirtioMmio>> virtio_;
  std::vector<uint8_t> fdt_;
  BootInfo boot_;
};

}  // namespace mimic::hw::virt
