#include "hw/boards/virt_fdt.h"

extern "C" {
#include <libfdt.h>
}

#include <cstdio>
#include <initializer_list>

#include "hw/boards/virt_layout.h"
#include "hw/intc/plic.h"
#include "hw/irq.h"

namespace mimic::hw::virt {

namespace {

// A thin wrapper over libfdt's sequential-write API that remembers the first
// failure, so the tree is written as straight-line code.
class FdtWriter {
 public:
  explicit FdtWriter(size_t capacity) : buf_(capacity) {
    check(fdt_create(buf_.data(), static_cast<int>(buf_.size())));
    check(fdt_finish_reservemap(buf_.data()));
  }
  void begin(const std::string& name) { check(fdt_begin_node(buf_.data(), name.c_str())); }
  void end() { check(fdt_end_node(buf_.data())); }
  void prop(const char* name) { check(fdt_property(buf_.data(), name, nullptr, 0)); }
  void prop(const char* name, const std::string& s) { check(fdt_property_string(buf_.data(), name, s.c_str())); }
  // A string list: "a\0b\0".
  void strings(const char* name, std::initializer_list<const char*> list) {
    std::string all;
    for (const char* s : list) {
      all += s;
      all.push_back('\0');
    }
    check(fdt_property(buf_.data(), name, all.data(), static_cast<int>(all.size())));
  }
  void cells(const char* name, std::initializer_list<uint32_t> values) { cells(name, std::vector<uint32_t>(values)); }
  void cells(const char* name, const std::vector<uint32_t>& values) {
    std::vector<fdt32_t> be;
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    check(fdt_property(buf_.data(), name, be.data(), static_cast<int>(be.size() * sizeof(fdt32_t))));
  }
  void u32(const char* name, uint32_t v) { check(fdt_property_u32(buf_.data(), name, v)); }
  void u64(const char* name, uint64_t v) { check(fdt_property_u64(buf_.data(), name, v)); }
  void bytes(const char* name, const std::vector<uint8_t>& b) {
    check(fdt_property(buf_.data(), name, b.data(), static_cast<int>(b.size())));
  }
  // reg = <base size> with #address-cells = #size-cells = 2.
  void reg64(uint64_t base, uint64_t size) {
    cells("reg", {static_cast<uint32_t>(base >> 32), static_cast<uint32_t>(base),
                  static_cast<uint32_t>(size >> 32), static_cast<uint32_t>(size)});
  }

  Result<std::vector<uint8_t>> finish() {
    check(fdt_finish(buf_.data()));
    if (err_ != 0) return make_error(std::string("device tree: ") + fdt_strerror(err_));
    buf_.resize(fdt_totalsize(buf_.data()));
    return std::move(buf_);
  }

 private:
  void check(int r) {
    if (r < 0 && err_ == 0) err_ = r;
  }
  std::vector<uint8_t> buf_;
  int err_ = 0;
};

std::string hex_name(const char* name, uint64_t addr) {
  char b[64];
  std::snprintf(b, sizeof b, "%s@%llx", name, static_cast<unsigned long long>(addr));
  return b;
}

}  // namespace

Result<std::vector<uint8_t>> build_fdt(const FdtParams& p) {
  if (p.harts < 1 || p.harts > kMaxHarts) return make_error("device tree: bad hart count");
  const uint32_t harts = static_cast<uint32_t>(p.harts);
  auto cpu_phandle = [](uint32_t h) { return 1 + 2 * h; };
  auto intc_phandle = [](uint32_t h) { return 2 + 2 * h; };
  const uint32_t plic_phandle = 2 * harts + 1;
  const uint32_t test_phandle = plic_phandle + 1;

  FdtWriter w(64 * 1024);
  w.begin("");
  w.u32("#address-cells", 2);
  w.u32("#size-cells", 2);
  w.prop("compatible", "riscv-virtio");
  w.prop("model", "riscv-virtio,qemu");

  w.begin("chosen");
  if (!p.bootargs.empty()) w.prop("bootargs", p.bootargs);
  w.prop("stdout-path", hex_name("/soc/serial", base(Region::kUart0)));
  if (p.has_initrd) {
    w.u64("linux,initrd-start", p.initrd_start);
    w.u64("linux,initrd-end", p.initrd_end);
  }
  if (!p.rng_seed.empty()) w.bytes("rng-seed", p.rng_seed);
  w.end();

  // syscon-poweroff / syscon-reboot drive the sifive_test finisher.
  w.begin("poweroff");
  w.u32("value", 0x5555);
  w.u32("offset", 0);
  w.u32("regmap", test_phandle);
  w.prop("compatible", "syscon-poweroff");
  w.end();
  w.begin("reboot");
  w.u32("value", 0x7777);
  w.u32("offset", 0);
  w.u32("regmap", test_phandle);
  w.prop("compatible", "syscon-reboot");
  w.end();

  w.begin(hex_name("memory", base(Region::kDram)));
  w.prop("device_type", "memory");
  w.reg64(base(Region::kDram), p.ram_size);
  w.end();

  w.begin("cpus");
  w.u32("#address-cells", 1);
  w.u32("#size-cells", 0);
  w.u32("timebase-frequency", static_cast<uint32_t>(kTimebaseHz));
  for (uint32_t h = 0; h < harts; ++h) {
    w.begin(hex_name("cpu", h));
    w.u32("phandle", cpu_phandle(h));
    w.prop("device_type", "cpu");
    w.u32("reg", h);
    w.prop("status", "okay");
    w.prop("compatible", "riscv");
    w.prop("riscv,isa", p.isa);
    w.prop("mmu-type", p.mmu_type);
    w.begin("interrupt-controller");
    w.u32("#interrupt-cells", 1);
    w.prop("interrupt-controller");
    w.prop("compatible", "riscv,cpu-intc");
    w.u32("phandle", intc_phandle(h));
    w.end();
    w.end();
  }
  w.begin("cpu-map");
  w.begin("cluster0");
  for (uint32_t h = 0; h < harts; ++h) {
    w.begin("core" + std::to_string(h));
    w.u32("cpu", cpu_phandle(h));
    w.end();
  }
  w.end();
  w.end();
  w.end();  // cpus

  w.begin("soc");
  w.u32("#address-cells", 2);
  w.u32("#size-cells", 2);
  w.prop("compatible", "simple-bus");
  w.prop("ranges");

  w.begin(hex_name("rtc", base(Region::kRtc)));
  w.u32("interrupts", kRtcIrq);
  w.u32("interrupt-parent", plic_phandle);
  w.reg64(base(Region::kRtc), size(Region::kRtc));
  w.prop("compatible", "google,goldfish-rtc");
  w.end();

  w.begin(hex_name("serial", base(Region::kUart0)));
  w.u32("interrupts", kUart0Irq);
  w.u32("interrupt-parent", plic_phandle);
  w.u32("clock-frequency", 3686400);
  w.reg64(base(Region::kUart0), size(Region::kUart0));
  w.prop("compatible", "ns16550a");
  w.end();

  w.begin(hex_name("test", base(Region::kTest)));
  w.u32("phandle", test_phandle);
  w.reg64(base(Region::kTest), size(Region::kTest));
  w.strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  w.end();

  // Highest address first, as QEMU writes them (Linux probes in tree order,
  // so the first -device lands at the lowest address = vda).
  for (int i = kVirtioCount - 1; i >= 0; --i) {
    uint64_t b = base(Region::kVirtio) + static_cast<uint64_t>(i) * size(Region::kVirtio);
    w.begin(hex_name("virtio_mmio", b));
    w.u32("interrupts", kVirtioIrqFirst + static_cast<uint32_t>(i));
    w.u32("interrupt-parent", plic_phandle);
    w.reg64(b, size(Region::kVirtio));
    w.prop("compatible", "virtio,mmio");
    w.end();
  }

  std::vector<uint32_t> plic_ext, clint_ext;
  for (uint32_t h = 0; h < harts; ++h) {
    plic_ext.insert(plic_ext.end(), {intc_phandle(h), kMipMeip, intc_phandle(h), kMipSeip});
    clint_ext.insert(clint_ext.end(), {intc_phandle(h), kMipMsip, intc_phandle(h), kMipMtip});
  }
  w.begin(hex_name("plic", base(Region::kPlic)));
  w.u32("phandle", plic_phandle);
  w.u32("riscv,ndev", kPlicNumDevices);
  w.reg64(base(Region::kPlic), size(Region::kPlic));
  w.cells("interrupts-extended", plic_ext);
  w.prop("interrupt-controller");
  w.strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  w.u32("#address-cells", 0);
  w.u32("#interrupt-cells", 1);
  w.end();

  w.begin(hex_name("clint", base(Region::kClint)));
  w.cells("interrupts-extended", clint_ext);
  w.reg64(base(Region::kClint), size(Region::kClint));
  w.strings("compatible", {"sifive,clint0", "riscv,clint0"});
  w.end();

  w.end();  // soc
  w.end();  // root
  return w.finish();
}

Result<std::vector<uint8_t>> patch_chosen(std::vector<uint8_t> blob, const FdtParams& p) {
  if (blob.size() < sizeof(fdt_header) || fdt_check_header(blob.data()) != 0 ||
      fdt_totalsize(blob.data()) > blob.size()) {
    return make_error("-dtb: not a valid flattened device tree");
  }
  std::vector<uint8_t> out(fdt_totalsize(blob.data()) + 4096 + p.bootargs.size());
  int r = fdt_open_into(blob.data(), out.data(), static_cast<int>(out.size()));
  int chosen = r < 0 ? r : fdt_path_offset(out.data(), "/chosen");
  if (chosen == -FDT_ERR_NOTFOUND) chosen = fdt_add_subnode(out.data(), 0, "chosen");
  if (chosen >= 0 && !p.bootargs.empty()) r = fdt_setprop_string(out.data(), chosen, "bootargs", p.bootargs.c_str());
  if (chosen >= 0 && r >= 0 && p.has_initrd) {
    r = fdt_setprop_u64(out.data(), chosen, "linux,initrd-start", p.initrd_start);
    if (r >= 0) r = fdt_setprop_u64(out.data(), chosen, "linux,initrd-end", p.initrd_end);
  }
  if (chosen < 0) r = chosen;
  if (r < 0) return make_error(std::string("-dtb: ") + fdt_strerror(r));
  fdt_pack(out.data());
  out.resize(fdt_totalsize(out.data()));
  return out;
}

}  // namespace mimic::hw::virt
