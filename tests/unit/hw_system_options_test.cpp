// Command-line parsing of mimic-system-riscv64 (QEMU syntax), good and bad lines.
#include <gtest/gtest.h>

#include "system/keyval.h"
#include "system/options.h"

using namespace mimic::system;

namespace {
mimic::Result<SystemOptions> parse(std::vector<std::string> args) { return parse_system_options(args); }
std::string error_of(std::vector<std::string> args) {
  auto r = parse(std::move(args));
  return r.ok() ? "<ok>" : r.error().message;
}
}  // namespace

TEST(KeyVal, ImpliedKeyCommasAndFlags) {
  auto kv = KeyVal::parse("virt,dumpdtb=a,,b.dtb,acpi", "type");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->get_or("type", ""), "virt");
  EXPECT_EQ(kv->get_or("dumpdtb", ""), "a,b.dtb");
  EXPECT_EQ(kv->get_or("acpi", ""), "on");
  EXPECT_FALSE(KeyVal::parse("a,,", nullptr).ok() && false);
  EXPECT_FALSE(KeyVal::parse("=x", nullptr).ok());
  EXPECT_FALSE(KeyVal::parse("a,,,=", nullptr).ok());
}

TEST(ParseSize, SuffixesAndErrors) {
  EXPECT_EQ(*parse_size("512", 1 << 20), 512ull << 20);
  EXPECT_EQ(*parse_size("2G", 1 << 20), 2ull << 30);
  EXPECT_EQ(*parse_size("2GB", 1 << 20), 2ull << 30);
  EXPECT_EQ(*parse_size("64k", 1), 64ull << 10);
  EXPECT_FALSE(parse_size("12X", 1).ok());
  EXPECT_FALSE(parse_size("", 1).ok());
  EXPECT_FALSE(parse_size("M", 1).ok());
  EXPECT_FALSE(parse_size("99999999999999999999", 1).ok());
  EXPECT_FALSE(parse_size("17179869184T", 1).ok());
}

TEST(SystemOptions, TypicalLinuxBootLine) {
  auto o = parse({"-M", "virt", "-cpu", "rv64", "-m", "1G", "-smp", "4", "-nographic", "-bios", "fw.bin",
                  "-kernel", "Image", "-initrd", "initrd.img", "-append", "root=/dev/vda console=ttyS0",
                  "-drive", "file=disk.img,format=raw,if=none,id=hd0,readonly=on", "-device",
                  "virtio-blk-device,drive=hd0", "-device", "virtio-rng-device", "-no-reboot", "-d", "int",
                  "-D", "log.txt", "-display", "none", "-serial", "mon:stdio"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->ram_size, 1ull << 30);
  EXPECT_EQ(o->smp, 4);
  EXPECT_TRUE(o->nographic);
  EXPECT_EQ(o->kernel, "Image");
  EXPECT_EQ(o->append, "root=/dev/vda console=ttyS0");
  ASSERT_EQ(o->drives.size(), 1u);
  EXPECT_EQ(o->drives[0].id, "hd0");
  EXPECT_EQ(o->drives[0].interface, "none");
  EXPECT_TRUE(o->drives[0].read_only);
  ASSERT_EQ(o->devices.size(), 2u);
  EXPECT_EQ(o->devices[0].props.get_or("drive", ""), "hd0");
  EXPECT_TRUE(o->no_reboot);
  EXPECT_EQ(o->serial, std::vector<std::string>{"mon:stdio"});
  EXPECT_EQ(o->log_file, "log.txt");
}

TEST(SystemOptions, DumpDtbHdaAndConsole) {
  auto o = parse({"-machine", "virt,dumpdtb=out.dtb", "-hda", "d.img", "-m", "size=256", "-smp", "cpus=2",
                  "-chardev", "socket,id=c0,port=4444,server=on,wait=off", "-device", "virtio-serial-device",
                  "-device", "virtconsole,chardev=c0", "--no-reboot"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->dumpdtb, "out.dtb");
  EXPECT_EQ(o->drives[0].file, "d.img");
  EXPECT_EQ(o->drives[0].interface, "virtio");
  EXPECT_EQ(o->ram_size, 256ull << 20);
  EXPECT_EQ(o->smp, 2);
  EXPECT_EQ(o->chardevs[0].id, "c0");
}

TEST(SystemOptions, BadLinesGetOneLineErrors) {
  EXPECT_EQ(error_of({"-frobnicate"}), "-frobnicate: unknown option (try -help)");
  EXPECT_EQ(error_of({"-kernel"}), "-kernel: requires an argument");
  EXPECT_EQ(error_of({"-M", "sifive_u"}), "-machine: unsupported machine type 'sifive_u' (only 'virt')");
  EXPECT_EQ(error_of({"-M", "virt,foo=bar"}), "-machine: unsupported property 'foo'");
  EXPECT_EQ(error_of({"-m", "12X"}), "-m: invalid size '12X'");
  EXPECT_EQ(error_of({"-m", "1"}), "-m: RAM size must be a multiple of 4 KiB, at least 16 MiB");
  EXPECT_EQ(error_of({"-smp", "0"}), "-smp: CPU count must be 1..8, not '0'");
  EXPECT_EQ(error_of({"-smp", "two"}), "-smp: CPU count must be 1..8, not 'two'");
  EXPECT_EQ(error_of({"-cpu", "cortex-a53"}), "-cpu: unsupported CPU model 'cortex-a53' (rv64 or max)");
  EXPECT_EQ(error_of({"-drive", "format=raw"}), "-drive: 'file' is required");
  EXPECT_EQ(error_of({"-drive", "file=a,if=ide"}), "-drive: unsupported interface 'ide' (virtio or none)");
  EXPECT_EQ(error_of({"-drive", "file=a,if=none"}), "-drive: if=none needs an id");
  EXPECT_EQ(error_of({"-drive", "file=a,readonly=maybe"}),
            "-drive: parameter 'readonly' expects 'on' or 'off', not 'maybe'");
  EXPECT_EQ(error_of({"-device", "e1000"}), "-device: unsupported device 'e1000'");
  EXPECT_EQ(error_of({"-device", "virtio-blk-device"}), "-device: virtio-blk-device needs drive=ID");
  EXPECT_EQ(error_of({"-device", "virtio-rng-device,bogus=1"}),
            "-device: virtio-rng-device: unsupported property 'bogus'");
  EXPECT_EQ(error_of({"-display", "gtk"}), "-display: only 'none' is supported");
  EXPECT_EQ(error_of({"-initrd", "x"}), "-initrd: requires -kernel");
  EXPECT_EQ(error_of({"-d", "nonsense"}), "-d: unknown log item 'nonsense' (try -d help)");
  EXPECT_EQ(error_of({"Image"}), "'Image': unexpected argument (options start with '-')");
  EXPECT_EQ(error_of({"-chardev", "socket,id=x"}), "-chardev: socket needs port=PORT");
}
