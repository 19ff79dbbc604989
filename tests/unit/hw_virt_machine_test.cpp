// The virt board: memory map, wiring of devices to the PLIC and harts, boot
// ROM and image placement.
#include <gtest/gtest.h>

#include <cstring>

#include "chardev/chardev.h"
#include "core/timer.h"
#include "guest/riscv/disasm.h"
#include "hw/boards/boot_rom.h"
#include "hw/boards/virt_machine.h"
#include "system/machine_setup.h"

using namespace mimic;
using namespace mimic::hw;
using namespace mimic::hw::virt;

namespace {
struct NoPower final : PowerControl {
  int shutdowns = 0;
  void request_shutdown(int) override { ++shutdowns; }
  void request_reset() override {}
};

std::string temp_file(const std::string& name, const std::vector<uint8_t>& bytes) {
  std::string path = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(system::write_file(path, bytes).ok());
  return path;
}
}  // namespace

TEST(BootRom, JumpsToFirmwareWithHartFdtAndInfo) {
  BootRomParams p;
  p.firmware_entry = 0x80000000;
  p.fdt_addr = 0x87e00000;
  p.next_addr = 0x80200000;
  std::vector<uint8_t> rom = build_boot_rom(p);
  const char* expected[] = {"auipc t0, 0x0", "addi a2, t0, 40", "csrrs a0, mhartid, zero",
                            "ld a1, 32(t0)", "ld t0, 24(t0)", "jalr zero, 0(t0)"};
  for (int i = 0; i < 6; ++i) {
    uint32_t insn;
    std::memcpy(&insn, rom.data() + 4 * i, 4);
    std::string text = riscv::disassemble(0x1000 + 4 * i, insn, 4);
    // Disassembler spellings vary (pseudo-instructions); check the mnemonic.
    std::string want = expected[i];
    EXPECT_EQ(text.substr(0, text.find(' ')), want.substr(0, want.find(' '))) << text;
  }
  uint64_t v;
  std::memcpy(&v, rom.data() + kRomEntryOffset, 8);
  EXPECT_EQ(v, 0x80000000u);
  std::memcpy(&v, rom.data() + kRomFdtOffset, 8);
  EXPECT_EQ(v, 0x87e00000u);
  uint64_t info[6];
  std::memcpy(info, rom.data() + kRomFwInfoOffset, sizeof info);
  EXPECT_EQ(info[0], 0x4942534fu);
  EXPECT_EQ(info[1], 2u);
  EXPECT_EQ(info[2], 0x80200000u);
  EXPECT_EQ(info[3], 1u);  // S mode
  EXPECT_EQ(info[5], 0u);
}

TEST(VirtMachine, BuildsWiresAndBoots) {
  core::ManualTimerService timers;
  RecordingHartInterrupts hart;
  NoPower power;
  chardev::BufferChardev serial;
  std::vector<uint8_t> fw(0x1234, 0x13);  // nops
  std::vector<uint8_t> kernel(0x5000, 0x13);
  std::vector<uint8_t> initrd(0x800, 0x77);
  VirtConfig c;
  c.ram_size = 64ull << 20;
  c.bios = temp_file("mimic_fw.bin", fw);
  c.kernel = temp_file("mimic_kernel.bin", kernel);
  c.initrd = temp_file("mimic_initrd.bin", initrd);
  c.append = "console=ttyS0";
  c.harts = {&hart};
  c.timers = &timers;
  c.power = &power;
  c.serial = &serial;
  auto m = VirtMachine::create(c);
  ASSERT_TRUE(m.ok()) << m.error().message;
  VirtMachine& vm = **m;
  const BootInfo& b = vm.boot_info();
  EXPECT_EQ(b.reset_pc, 0x1000u);
  EXPECT_EQ(b.firmware_entry, 0x80000000u);
  EXPECT_EQ(b.kernel_entry, 0x80200000u);
  EXPECT_EQ(b.initrd_start, 0x80200000u + (32u << 20));  // half of RAM, capped at 128 MiB
  EXPECT_EQ(b.initrd_end, b.initrd_start + 0x800);
  EXPECT_EQ(b.fdt_addr, 0x83e00000u);
  memory::AddressSpace& as = vm.address_space();
  uint64_t v = 0;
  ASSERT_TRUE(as.load(0x80200000, 4, &v));
  EXPECT_EQ(v, 0x13131313u);
  ASSERT_TRUE(as.load(b.initrd_start, 1, &v));
  EXPECT_EQ(v, 0x77u);
  ASSERT_TRUE(as.load(b.fdt_addr, 4, &v));
  EXPECT_EQ(v, 0xedfe0dd0u);  // FDT magic, big-endian in memory
  // UART output through the address space.
  EXPECT_TRUE(as.store(0x10000000, 1, 'A'));
  EXPECT_EQ(serial.output, "A");
  // UART RX interrupt reaches the hart through the PLIC's S context.
  EXPECT_TRUE(as.store(0xc000000 + 4 * 10, 4, 1));          // priority(10) = 1
  EXPECT_TRUE(as.store(0xc000000 + 0x2000 + 0x80, 4, 1u << 10));  // enable for context 1
  EXPECT_TRUE(as.store(0x10000001, 1, 1));                  // UART IER: RX data
  serial.push_input(reinterpret_cast<const uint8_t*>("z"), 1);
  EXPECT_TRUE(hart.pending(kMipSeip));
  EXPECT_TRUE(as.load(0xc000000 + 0x201004, 4, &v));        // claim
  EXPECT_EQ(v, 10u);
  EXPECT_TRUE(as.load(0x10000000, 1, &v));
  EXPECT_EQ(v, 'z');
  EXPECT_TRUE(as.store(0xc000000 + 0x201004, 4, 10));       // complete
  EXPECT_FALSE(hart.pending(kMipSeip));
  // CLINT timer.
  EXPECT_TRUE(as.store(0x2004000, 8, 100));
  timers.advance(10'000);
  EXPECT_TRUE(hart.pending(kMipMtip));
  // sifive_test power off.
  EXPECT_TRUE(as.store(0x100000, 4, 0x5555));
  EXPECT_EQ(power.shutdowns, 1);
  // Empty virtio slots answer with device id 0; unmapped space faults.
  EXPECT_TRUE(as.load(0x10001000, 4, &v));
  EXPECT_EQ(v, 0x74726976u);
  EXPECT_TRUE(as.load(0x10001008, 4, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(as.load(0x30000000, 4, &v));
}

TEST(VirtMachine, ErrorsAreOneLine) {
  core::ManualTimerService timers;
  RecordingHartInterrupts hart;
  NoPower power;
  VirtConfig c;
  c.harts = {&hart};
  c.timers = &timers;
  c.power = &power;
  c.bios = "/nonexistent/fw.bin";
  auto m = VirtMachine::create(c);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("/nonexistent/fw.bin"), std::string::npos);
  EXPECT_EQ(m.error().message.find('\n'), std::string::npos);
  c.bios = "none";
  std::vector<uint8_t> big(65ull << 20, 0);
  c.ram_size = 64ull << 20;
  c.kernel = temp_file("mimic_big_kernel.bin", big);
  m = VirtMachine::create(c);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("too large"), std::string::npos);
  // A truncated ELF is refused, not loaded.
  std::vector<uint8_t> elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  elf.resize(40, 0);
  c.kernel = temp_file("mimic_trunc.elf", elf);
  m = VirtMachine::create(c);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("ELF"), std::string::npos);
}
