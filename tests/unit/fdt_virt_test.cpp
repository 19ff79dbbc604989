// The generated virt device tree, parsed back with libfdt and checked with dtc.
#include <gtest/gtest.h>

extern "C" {
#include <libfdt.h>
}

#include <cstdio>
#include <cstdlib>
#include <string>

#include "hw/boards/virt_fdt.h"
#include "system/machine_setup.h"

using namespace mimic;
using namespace mimic::hw::virt;

namespace {
std::string prop_string(const void* fdt, const char* path, const char* name) {
  int node = fdt_path_offset(fdt, path);
  if (node < 0) return "<no node>";
  int len = 0;
  const char* v = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
  return v ? std::string(v, strnlen(v, static_cast<size_t>(len))) : "<no prop>";
}
std::vector<uint32_t> prop_cells(const void* fdt, const char* path, const char* name) {
  std::vector<uint32_t> out;
  int node = fdt_path_offset(fdt, path);
  if (node < 0) return out;
  int len = 0;
  const auto* v = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, name, &len));
  for (int i = 0; v != nullptr && i < len / 4; ++i) out.push_back(fdt32_to_cpu(v[i]));
  return out;
}
uint32_t phandle_of(const void* fdt, const char* path) {
  return fdt_get_phandle(fdt, fdt_path_offset(fdt, path));
}
}  // namespace

TEST(VirtFdt, NodesAndProperties) {
  FdtParams p;
  p.harts = 2;
  p.ram_size = 256ull << 20;
  p.bootargs = "console=ttyS0 earlycon";
  p.has_initrd = true;
  p.initrd_start = 0x88200000;
  p.initrd_end = 0x88300000;
  auto blob = build_fdt(p);
  ASSERT_TRUE(blob.ok()) << blob.error().message;
  const void* fdt = blob->data();
  ASSERT_EQ(fdt_check_header(fdt), 0);
  EXPECT_EQ(prop_string(fdt, "/", "compatible"), "riscv-virtio");
  EXPECT_EQ(prop_string(fdt, "/chosen", "bootargs"), "console=ttyS0 earlycon");
  EXPECT_EQ(prop_string(fdt, "/chosen", "stdout-path"), "/soc/serial@10000000");
  EXPECT_EQ(prop_cells(fdt, "/chosen", "linux,initrd-start"), (std::vector<uint32_t>{0, 0x88200000}));
  EXPECT_EQ(prop_cells(fdt, "/chosen", "linux,initrd-end"), (std::vector<uint32_t>{0, 0x88300000}));
  EXPECT_EQ(prop_cells(fdt, "/memory@80000000", "reg"), (std::vector<uint32_t>{0, 0x80000000, 0, 0x10000000}));
  EXPECT_EQ(prop_cells(fdt, "/cpus", "timebase-frequency"), std::vector<uint32_t>{10000000});
  EXPECT_EQ(prop_string(fdt, "/cpus/cpu@1", "riscv,isa"), "rv64imafdc_zicsr_zifencei_zba_zbb_zbs");
  EXPECT_EQ(prop_string(fdt, "/cpus/cpu@1", "mmu-type"), "riscv,sv48");
  EXPECT_EQ(prop_cells(fdt, "/cpus/cpu-map/cluster0/core1", "cpu")[0], phandle_of(fdt, "/cpus/cpu@1"));
  uint32_t intc0 = phandle_of(fdt, "/cpus/cpu@0/interrupt-controller");
  uint32_t intc1 = phandle_of(fdt, "/cpus/cpu@1/interrupt-controller");
  EXPECT_EQ(prop_cells(fdt, "/soc/plic@c000000", "interrupts-extended"),
            (std::vector<uint32_t>{intc0, 11, intc0, 9, intc1, 11, intc1, 9}));
  EXPECT_EQ(prop_cells(fdt, "/soc/clint@2000000", "interrupts-extended"),
            (std::vector<uint32_t>{intc0, 3, intc0, 7, intc1, 3, intc1, 7}));
  EXPECT_EQ(prop_cells(fdt, "/soc/plic@c000000", "riscv,ndev"), std::vector<uint32_t>{0x60});
  uint32_t plic = phandle_of(fdt, "/soc/plic@c000000");
  EXPECT_EQ(prop_cells(fdt, "/soc/serial@10000000", "interrupt-parent")[0], plic);
  EXPECT_EQ(prop_cells(fdt, "/soc/serial@10000000", "interrupts"), std::vector<uint32_t>{10});
  EXPECT_EQ(prop_cells(fdt, "/soc/serial@10000000", "clock-frequency"), std::vector<uint32_t>{3686400});
  EXPECT_EQ(prop_cells(fdt, "/soc/rtc@101000", "interrupts"), std::vector<uint32_t>{11});
  for (int i = 0; i < 8; ++i) {
    char path[64];
    std::snprintf(path, sizeof path, "/soc/virtio_mmio@%x", 0x10001000 + 0x1000 * i);
    EXPECT_EQ(prop_cells(fdt, path, "interrupts"), std::vector<uint32_t>{static_cast<uint32_t>(1 + i)}) << path;
    EXPECT_EQ(prop_string(fdt, path, "compatible"), "virtio,mmio");
  }
  uint32_t test = phandle_of(fdt, "/soc/test@100000");
  EXPECT_EQ(prop_cells(fdt, "/poweroff", "regmap")[0], test);
  EXPECT_EQ(prop_cells(fdt, "/poweroff", "value")[0], 0x5555u);
  EXPECT_EQ(prop_cells(fdt, "/reboot", "value")[0], 0x7777u);
  EXPECT_EQ(prop_string(fdt, "/soc/test@100000", "compatible"), "sifive,test1");
}

TEST(VirtFdt, DtcAcceptsIt) {
  if (std::system("command -v dtc > /dev/null 2>&1") != 0) GTEST_SKIP() << "dtc not installed";
  FdtParams p;
  p.ram_size = 128ull << 20;
  auto blob = build_fdt(p);
  ASSERT_TRUE(blob.ok());
  std::string path = ::testing::TempDir() + "/mimic_fdt_test.dtb";
  ASSERT_TRUE(system::write_file(path, *blob).ok());
  std::string cmd = "dtc -q -I dtb -O dts " + path + " -o " + path + ".dts";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::remove(path.c_str());
  std::remove((path + ".dts").c_str());
}

TEST(VirtFdt, PatchChosenOfUserBlob) {
  FdtParams p;
  p.ram_size = 128ull << 20;
  auto blob = build_fdt(p);
  ASSERT_TRUE(blob.ok());
  FdtParams q;
  q.bootargs = "root=/dev/vda";
  q.has_initrd = true;
  q.initrd_start = 0x84000000;
  q.initrd_end = 0x84100000;
  auto patched = patch_chosen(*blob, q);
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(prop_string(patched->data(), "/chosen", "bootargs"), "root=/dev/vda");
  EXPECT_EQ(prop_cells(patched->data(), "/chosen", "linux,initrd-end"), (std::vector<uint32_t>{0, 0x84100000}));
  std::vector<uint8_t> junk(100, 0xab);
  EXPECT_FALSE(patch_chosen(junk, q).ok());
  std::vector<uint8_t> truncated(blob->begin(), blob->begin() + 64);
  EXPECT_FALSE(patch_chosen(truncated, q).ok());
}

TEST(VirtFdt, RejectsBadHartCount) {
  FdtParams p;
  p.harts = 0;
  EXPECT_FALSE(build_fdt(p).ok());
  p.harts = 99;
  EXPECT_FALSE(build_fdt(p).ok());
}
