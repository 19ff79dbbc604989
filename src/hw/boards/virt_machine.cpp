#include "hw/boards/virt_machine.h"

#include <sys/random.h>

#include <algorithm>

#include "hw/boards/boot_rom.h"
#include "hw/boards/image_loader.h"
#include "hw/boards/virt_fdt.h"

namespace mimic::hw::virt {

namespace {
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kGiB = 1024 * kMiB;
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
}  // namespace

Result<std::unique_ptr<VirtMachine>> VirtMachine::create(const VirtConfig& config) {
  if (config.harts.empty() || config.harts.size() > static_cast<size_t>(kMaxHarts)) {
    return make_error("virt: the number of CPUs must be between 1 and " + std::to_string(kMaxHarts));
  }
  if (config.ram_size < 16 * kMiB || config.ram_size % 4096 != 0 || config.ram_size > 1024 * kGiB) {
    return make_error("virt: RAM size must be a multiple of 4 KiB between 16 MiB and 1 TiB");
  }
  if (config.virtio.size() > static_cast<size_t>(kVirtioCount)) {
    return make_error("virt: at most " + std::to_string(kVirtioCount) + " virtio-mmio devices");
  }
  if (config.timers == nullptr || config.power == nullptr) return make_error("virt: missing timer or power wiring");
  std::unique_ptr<VirtMachine> m(new VirtMachine(config));
  if (auto r = m->build_devices(); !r.ok()) return r.error();
  if (auto r = m->load_and_boot(); !r.ok()) return r.error();
  return m;
}

Result<void> VirtMachine::build_devices() {
  auto map = [&](uint64_t base, std::unique_ptr<memory::MemoryRegion> r) -> Result<void> {
    auto res = as_.map(base, r.get());
    regions_.push_back(std::move(r));
    return res;
  };
  using memory::MemoryRegion;
  if (auto r = map(base(Region::kDram), MemoryRegion::make_ram("virt.ram", config_.ram_size)); !r.ok()) return r;
  if (auto r = map(base(Region::kMrom), MemoryRegion::make_rom("virt.mrom", size(Region::kMrom))); !r.ok()) return r;

  clint_ = std::make_unique<Clint>(config_.harts, config_.timers, kTimebaseHz);
  plic_ = std::make_unique<Plic>(kPlicNumDevices + 1, Plic::contexts_for_harts(config_.harts));
  uart_ = std::make_unique<Serial16550>(config_.serial, IrqLine(plic_.get(), kUart0Irq));
  test_ = std::make_unique<SifiveTest>(config_.power);
  rtc_ = std::make_unique<GoldfishRtc>(IrqLine(plic_.get(), kRtcIrq), config_.timers);
  struct Mmio {
    Region region;
    memory::MmioOps* ops;
    const char* name;
  };
  const Mmio devices[] = {
      {Region::kClint, clint_.get(), "clint"}, {Region::kPlic, plic_.get(), "plic"},
      {Region::kUart0, uart_.get(), "serial"}, {Region::kTest, test_.get(), "test"},
      {Region::kRtc, rtc_.get(), "rtc"},
  };
  for (const Mmio& d : devices) {
    if (auto r = map(base(d.region), MemoryRegion::make_mmio(d.name, size(d.region), d.ops)); !r.ok()) return r;
  }
  // Like QEMU, the first device goes to the highest transport, which the
  // device tree lists first, so it is probed first (vda).
  for (int i = 0; i < kVirtioCount; ++i) {
    size_t from_top = static_cast<size_t>(kVirtioCount - 1 - i);
    virtio::VirtioDevice* dev = from_top < config_.virtio.size() ? config_.virtio[from_top] : nullptr;
    virtio_.push_back(std::make_unique<virtio::VirtioMmio>(
        &as_, IrqLine(plic_.get(), kVirtioIrqFirst + static_cast<uint32_t>(i)), dev));
    uint64_t b = base(Region::kVirtio) + static_cast<uint64_t>(i) * size(Region::kVirtio);
    if (auto r = map(b, MemoryRegion::make_mmio("virtio-mmio", size(Region::kVirtio), virtio_.back().get()));
        !r.ok()) {
      return r;
    }
  }
  return {};
}

Result<void> VirtMachine::load_and_boot() {
  const uint64_t dram = base(Region::kDram);
  const uint64_t dram_end = dram + config_.ram_size;
  uint64_t firmware_end = dram;
  bool no_bios = config_.bios == "none";
  if (config_.load_images && !no_bios) {
    auto fw = load_image(as_, config_.bios, dram, config_.ram_size, "firmware");
    if (!fw.ok()) return fw.error();
    boot_.firmware_entry = fw->entry;
    firmware_end = fw->high;
  }
  if (config_.load_images && !config_.kernel.empty()) {
    uint64_t kernel_addr = no_bios ? dram : align_up(firmware_end, kKernelAlign);
    auto k = load_image(as_, config_.kernel, kernel_addr, config_.ram_size, "kernel");
    if (!k.ok()) return k.error();
    boot_.kernel_entry = k->entry;
    if (!config_.initrd.empty()) {
      // QEMU's placement: far enough above the kernel that it survives the
      // kernel's own relocation, low enough to stay in low memory.
      uint64_t start = boot_.kernel_entry + std::min(config_.ram_size / 2, 128 * kMiB);
      auto data = read_file(config_.initrd, config_.ram_size);
      if (!data.ok()) return make_error("initrd: " + data.error().message);
      start = std::max(start, align_up(k->high, 4096));
      if (start >= dram_end || data->size() > dram_end - start) {
        return make_error("initrd '" + config_.initrd + "' does not fit in guest RAM");
      }
      auto r = load_raw(as_, *data, start, "initrd '" + config_.initrd + "'");
      if (!r.ok()) return r.error();
      boot_.initrd_start = start;
      boot_.initrd_end = start + data->size();
    }
  } else if (!config_.initrd.empty() && config_.load_images) {
    return make_error("-initrd needs -kernel");
  }
  if (no_bios) boot_.firmware_entry = boot_.kernel_entry != 0 ? boot_.kernel_entry : dram;

  FdtParams fp;
  fp.harts = static_cast<int>(config_.harts.size());
  fp.ram_size = config_.ram_size;
  fp.isa = config_.isa;
  fp.mmu_type = config_.mmu_type;
  fp.bootargs = config_.append;
  fp.has_initrd = boot_.initrd_end != 0;
  fp.initrd_start = boot_.initrd_start;
  fp.initrd_end = boot_.initrd_end;
  fp.rng_seed.resize(32);
  if (getrandom(fp.rng_seed.data(), fp.rng_seed.size(), GRND_NONBLOCK) != 32) fp.rng_seed.clear();
  if (!config_.dtb.empty()) {
    auto blob = read_file(config_.dtb, 16 * kMiB);
    if (!blob.ok()) return make_error("-dtb: " + blob.error().message);
    auto patched = patch_chosen(std::move(*blob), fp);
    if (!patched.ok()) return patched.error();
    fdt_ = std::move(*patched);
  } else {
    auto tree = build_fdt(fp);
    if (!tree.ok()) return tree.error();
    fdt_ = std::move(*tree);
  }
  // The device tree goes at the top of RAM (below 3 GiB so a 32-bit-clean
  // firmware reaches it), 2 MiB aligned, as QEMU does.
  uint64_t top = std::min(dram_end, dram + 3 * kGiB);
  if (fdt_.size() > top - dram - 2 * kMiB) return make_error("device tree too large for guest RAM");
  boot_.fdt_addr = align_down(top - fdt_.size(), 2 * kMiB);
  if (!as_.write(boot_.fdt_addr, fdt_.data(), fdt_.size())) return make_error("cannot place the device tree");

  BootRomParams rp;
  rp.rom_base = base(Region::kMrom);
  rp.firmware_entry = boot_.firmware_entry != 0 ? boot_.firmware_entry : dram;
  rp.fdt_addr = boot_.fdt_addr;
  rp.next_addr = boot_.kernel_entry != 0 ? boot_.kernel_entry : align_up(firmware_end, kKernelAlign);
  rp.next_mode = kNextModeS;
  rp.boot_hart = 0;
  std::vector<uint8_t> rom = build_boot_rom(rp);
  if (!as_.write_rom_or_ram(rp.rom_base, rom.data(), rom.size())) return make_error("cannot write the boot ROM");
  boot_.reset_pc = rp.rom_base;
  return {};
}

Result<void> VirtMachine::reset() {
  clint_->reset();
  plic_->reset();
  uart_->reset();
  rtc_->reset();
  for (auto& t : virtio_) t->reset();
  if (!config_.load_images) return {};
  boot_ = BootInfo{};
  return load_and_boot();
}

}  // namespace mimic::hw::virt
