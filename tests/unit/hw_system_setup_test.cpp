// Building a whole virt machine from a command line (system/machine_setup).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hw/virtio/virtio_device.h"
#include "system/machine_setup.h"

using namespace mimic;
using namespace mimic::system;

namespace {
std::string temp_path(const std::string& name) { return ::testing::TempDir() + "/" + name; }
}  // namespace

TEST(SystemSetup, VirtioSlotsSerialFileAndPower) {
  std::string disk = temp_path("mimic_setup_disk.img");
  ASSERT_TRUE(write_file(disk, std::vector<uint8_t>(1 << 20, 0)).ok());
  std::string fw = temp_path("mimic_setup_fw.bin");
  ASSERT_TRUE(write_file(fw, std::vector<uint8_t>(4096, 0x13)).ok());
  std::string serial = temp_path("mimic_setup_serial.txt");
  auto o = parse_system_options({"-M", "virt", "-bios", fw, "-serial", "file:" + serial, "-drive",
                                 "file=" + disk + ",format=raw,if=none,id=d0", "-device",
                                 "virtio-blk-device,drive=d0", "-device", "virtio-rng-device", "-no-reboot"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  auto s = SystemInstance::create(*o, {});
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto& vm = (*s)->machine();
  memory::AddressSpace& as = vm.address_space();
  uint64_t id = 0;
  // The first device sits in the highest slot, as on QEMU.
  ASSERT_TRUE(as.load(0x10008008, 4, &id));
  EXPECT_EQ(id, hw::virtio::kIdBlock);
  ASSERT_TRUE(as.load(0x10007008, 4, &id));
  EXPECT_EQ(id, hw::virtio::kIdRng);
  ASSERT_TRUE(as.load(0x10001008, 4, &id));
  EXPECT_EQ(id, 0u);
  uint64_t cap = 0;
  ASSERT_TRUE(as.load(0x10008100, 8, &cap));
  EXPECT_EQ(cap, 2048u);  // 1 MiB in sectors
  for (char c : std::string("ok\n")) ASSERT_TRUE(as.store(0x10000000, 1, static_cast<uint8_t>(c)));
  std::ifstream f(serial);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), "ok\n");
  // A guest reset with -no-reboot becomes a shutdown.
  ASSERT_TRUE(as.store(0x100000, 4, 0x7777));
  EXPECT_EQ((*s)->pending_request(), RunRequest::kShutdown);
  EXPECT_EQ((*s)->exit_code(), 0);
  (*s)->clear_request();
  ASSERT_TRUE(as.store(0x100000, 4, (3u << 16) | 0x3333));
  EXPECT_EQ((*s)->exit_code(), 3);
}

TEST(SystemSetup, ErrorsNameTheProblem) {
  auto o = parse_system_options({"-M", "virt", "-bios", "none", "-device", "virtio-serial-device", "-device",
                                 "virtconsole,chardev=nope"});
  ASSERT_TRUE(o.ok());
  auto s = SystemInstance::create(*o, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "-device virtconsole: chardev 'nope' not found");
  o = parse_system_options({"-M", "virt", "-bios", "none", "-kernel", "/nonexistent/Image"});
  ASSERT_TRUE(o.ok());
  s = SystemInstance::create(*o, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "kernel: could not open '/nonexistent/Image': No such file or directory");
  std::vector<std::string> args = {"-M", "virt", "-bios", "none"};
  for (int i = 0; i < 9; ++i) {
    args.push_back("-device");
    args.push_back("virtio-rng-device");
  }
  o = parse_system_options(args);
  ASSERT_TRUE(o.ok());
  s = SystemInstance::create(*o, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("too many virtio devices"), std::string::npos);
}
