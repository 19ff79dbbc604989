// -drive, -hda..-hdd, -cdrom, -snapshot and -blockdev parsing, and the
// drive errors met when the machine is built.
#include <gtest/gtest.h>

#include "system/machine_setup.h"
#include "system/options.h"

using namespace mimic::system;

namespace {
mimic::Result<SystemOptions> parse(std::vector<std::string> args) {
  return parse_system_options(args);
}
std::string error_of(std::vector<std::string> args) {
  auto r = parse(std::move(args));
  return r.ok() ? "<ok>" : r.error().message;
}
std::string temp_path(const std::string& name) { return ::testing::TempDir() + "/" + name; }
}  // namespace

TEST(DriveOptions, EveryProperty) {
  auto o = parse(
      {"-drive",
       "file=a.qcow2,format=qcow2,if=none,id=d0,index=3,media=disk,snapshot=on,cache=directsync,"
       "readonly=off,discard=unmap",
       "-drive", "file=b.img,format=raw,cache=unsafe,discard=ignore,readonly=on", "-drive",
       "file=c.iso,media=cdrom,cache=writethrough", "-drive",
       "file=d,,e.img,cache=none,discard=on"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  ASSERT_EQ(o->drives.size(), 4u);
  const DriveOptions& a = o->drives[0];
  EXPECT_EQ(a.file, "a.qcow2");
  EXPECT_EQ(a.format, "qcow2");
  EXPECT_EQ(a.interface, "none");
  EXPECT_EQ(a.id, "d0");
  EXPECT_EQ(a.index, 3);
  EXPECT_TRUE(a.snapshot);
  EXPECT_FALSE(a.read_only);
  EXPECT_TRUE(a.discard_unmap);
  EXPECT_TRUE(a.cache.direct && a.cache.writethrough && !a.cache.no_flush);
  const DriveOptions& b = o->drives[1];
  EXPECT_EQ(b.interface, "virtio");
  EXPECT_EQ(b.index, 0);  // the first free virtio index
  EXPECT_EQ(b.id, "virtio0");
  EXPECT_TRUE(b.read_only);
  EXPECT_FALSE(b.discard_unmap);
  EXPECT_EQ(mimic::block::cache_mode_name(b.cache), "unsafe");
  const DriveOptions& c = o->drives[2];
  EXPECT_EQ(c.media, "cdrom");
  EXPECT_TRUE(c.read_only);  // media=cdrom is read-only
  EXPECT_EQ(c.format, "");   // probed when opened
  EXPECT_EQ(c.index, 1);
  EXPECT_EQ(mimic::block::cache_mode_name(c.cache), "writethrough");
  EXPECT_EQ(o->drives[3].file, "d,e.img");
  EXPECT_EQ(mimic::block::cache_mode_name(o->drives[3].cache), "none");
  EXPECT_TRUE(o->drives[3].discard_unmap);
  EXPECT_FALSE(o->snapshot);
}

TEST(DriveOptions, BadValuesNameTheOption) {
  EXPECT_EQ(
      error_of({"-drive", "file=a,cache=bogus"}),
      "-drive: invalid cache option 'bogus' (writeback, writethrough, none, directsync or unsafe)");
  EXPECT_EQ(error_of({"-drive", "file=a,discard=bogus"}),
            "-drive: invalid discard option 'bogus' (ignore or unmap)");
  EXPECT_EQ(error_of({"-drive", "file=a,media=floppy"}),
            "-drive: 'floppy' invalid media (disk or cdrom)");
  EXPECT_EQ(error_of({"-drive", "file=a,format=vmdk"}),
            "-drive: unsupported format 'vmdk' (raw or qcow2)");
  EXPECT_EQ(error_of({"-drive", "file=a,snapshot=maybe"}),
            "-drive: parameter 'snapshot' expects 'on' or 'off', not 'maybe'");
  EXPECT_EQ(error_of({"-drive", "file=a,index=x"}),
            "-drive: parameter 'index' expects a number 0..1023, not 'x'");
  EXPECT_EQ(error_of({"-drive", "file=a,index=-1"}),
            "-drive: parameter 'index' expects a number 0..1023, not '-1'");
  EXPECT_EQ(error_of({"-drive", "file=a,aio=native"}), "-drive: unsupported property 'aio'");
  EXPECT_EQ(error_of({"-drive", "file=a,id=1x"}), "-drive: invalid id '1x'");
  EXPECT_EQ(error_of({"-drive", "file=a,if=none,id=x", "-drive", "file=b,if=none,id=x"}),
            "-drive: duplicate id 'x'");
  EXPECT_EQ(error_of({"-drive", "file=a,index=1", "-drive", "file=b,index=1"}),
            "-drive: drive with bus=0, unit=1 (index=1) exists");
  EXPECT_EQ(error_of({"-hdc", "a", "-cdrom", "b"}),
            "-cdrom: drive with bus=0, unit=2 (index=2) exists");
  EXPECT_EQ(error_of({"-hda", "a", "-drive", "file=b,index=0"}),
            "-drive: drive with bus=0, unit=0 (index=0) exists");
  EXPECT_EQ(error_of({"-snapshot", "x"}), "'x': unexpected argument (options start with '-')");
}

TEST(DriveOptions, ShorthandsAndSnapshot) {
  auto o = parse({"-hdb", "b,1.img", "-hda", "a.img", "-hdd", "d.qcow2", "-cdrom", "cd.iso",
                  "-drive", "file=e.img,snapshot=off", "-snapshot", "-blockdev",
                  "driver=raw,file.driver=file,file.filename=f.img,node-name=f"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  ASSERT_EQ(o->drives.size(), 6u);
  EXPECT_EQ(o->drives[0].file, "b,1.img");  // taken literally, as QEMU does
  EXPECT_EQ(o->drives[0].index, 1);
  EXPECT_EQ(o->drives[0].id, "virtio1");
  EXPECT_EQ(o->drives[0].option, "-hdb");
  EXPECT_EQ(o->drives[1].index, 0);
  EXPECT_EQ(o->drives[2].index, 3);
  EXPECT_EQ(o->drives[3].index, 2);
  EXPECT_EQ(o->drives[3].media, "cdrom");
  EXPECT_TRUE(o->drives[3].read_only);
  EXPECT_EQ(o->drives[4].index, 4);
  EXPECT_TRUE(o->snapshot);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(o->drives[i].snapshot) << i;  // -snapshot beats snapshot=off
  EXPECT_FALSE(o->drives[5].snapshot);        // -blockdev is not affected, as in QEMU
  EXPECT_FALSE(parse({"-hda", "a.img"})->drives[0].snapshot);
}

TEST(DriveOptions, BlockdevNodes) {
  auto o = parse({"-blockdev", "driver=file,filename=base.qcow2,node-name=f0,cache.direct=on",
                  "-blockdev", "driver=qcow2,file=f0,node-name=disk0,discard=unmap", "-blockdev",
                  "qcow2,file.driver=file,file.filename=x,,y.qcow2,file.node-name=fx,node-name="
                  "disk1,read-only=on,"
                  "cache.no-flush=on",
                  "-blockdev", "driver=file,filename=plain.img,node-name=plain,read-only=on",
                  "-device", "virtio-blk-device,drive=disk0"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  ASSERT_EQ(o->drives.size(), 3u);  // f0 is folded into disk0
  const DriveOptions& d0 = o->drives[0];
  EXPECT_EQ(d0.id, "disk0");
  EXPECT_EQ(d0.file, "base.qcow2");
  EXPECT_EQ(d0.format, "qcow2");
  EXPECT_EQ(d0.interface, "none");
  EXPECT_EQ(d0.file_node_name, "f0");
  EXPECT_TRUE(d0.cache.direct);
  EXPECT_TRUE(d0.discard_unmap);
  const DriveOptions& d1 = o->drives[1];
  EXPECT_EQ(d1.file, "x,y.qcow2");
  EXPECT_EQ(d1.file_node_name, "fx");
  EXPECT_TRUE(d1.read_only);
  EXPECT_TRUE(d1.cache.no_flush);
  const DriveOptions& p = o->drives[2];
  EXPECT_TRUE(p.file_node);
  EXPECT_EQ(p.format, "raw");  // a file node is used as is, never probed
  EXPECT_TRUE(p.read_only);
}

TEST(DriveOptions, BlockdevErrors) {
  EXPECT_EQ(error_of({"-blockdev", "driver=file,filename=a"}),
            "-blockdev: 'node-name' must be specified for the root node");
  EXPECT_EQ(error_of({"-blockdev", "driver=qcow2,file=nope,node-name=a"}),
            "-blockdev: Cannot find device='nope' nor node-name='nope'");
  EXPECT_EQ(error_of({"-blockdev", "driver=vmdk,node-name=a"}),
            "-blockdev: unsupported driver 'vmdk' (file, raw or qcow2)");
  EXPECT_EQ(error_of({"-blockdev", "driver=file,node-name=a"}),
            "-blockdev: driver 'file' needs filename=FILE");
  EXPECT_EQ(error_of({"-blockdev", "driver=raw,node-name=a"}),
            "-blockdev: driver 'raw' needs file=NODE or file.driver=file,file.filename=FILE");
  EXPECT_EQ(error_of({"-blockdev", "driver=raw,node-name=a,file.driver=nbd,file.filename=x"}),
            "-blockdev: file.driver must be 'file', not 'nbd'");
  EXPECT_EQ(error_of({"-blockdev", "driver=raw,node-name=a,file.driver=file"}),
            "-blockdev: driver 'file' needs file.filename=FILE");
  EXPECT_EQ(error_of({"-blockdev", "driver=file,filename=a,node-name=f", "-blockdev",
                      "driver=raw,file=f,file.driver=file,file.filename=b,node-name=r"}),
            "-blockdev: file=NODE cannot be combined with file.* options");
  EXPECT_EQ(error_of({"-blockdev", "driver=file,filename=a,node-name=f", "-blockdev",
                      "driver=file,filename=b,node-name=f"}),
            "-blockdev: duplicate node-name 'f'");
  EXPECT_EQ(
      error_of({"-blockdev", "driver=file,filename=a,node-name=f", "-blockdev",
                "driver=raw,file=f,node-name=r1", "-blockdev", "driver=raw,file=f,node-name=r2"}),
      "-blockdev: node 'f' is already in use by node 'r1'");
  EXPECT_EQ(error_of({"-blockdev", "driver=raw,file.driver=file,file.filename=a,node-name=r",
                      "-blockdev", "driver=qcow2,file=r,node-name=q"}),
            "-blockdev: file=r must name a driver=file node");
  EXPECT_EQ(error_of({"-blockdev", "driver=file,filename=a,node-name=f,aio=native"}),
            "-blockdev: driver 'file' has no property 'aio'");
  EXPECT_EQ(error_of({"-blockdev", "driver=file,filename=a,node-name=f,read-only=perhaps"}),
            "-blockdev: parameter 'read-only' expects 'on' or 'off', not 'perhaps'");
  EXPECT_EQ(error_of({"-blockdev", "driver=file,filename=a,node-name=_f"}),
            "-blockdev: invalid node-name '_f'");
  EXPECT_EQ(error_of({"-drive", "file=a,if=none,id=f", "-blockdev",
                      "driver=file,filename=a,node-name=f"}),
            "-blockdev: duplicate node-name 'f'");
}

TEST(DriveOptions, MachineBuildErrorsNameTheDrive) {
  std::string img = temp_path("mimic_drive_opts.img");
  ASSERT_TRUE(write_file(img, std::vector<uint8_t>(65536, 0)).ok());
  auto build_error = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"-M", "virt", "-bios", "none"});
    auto o = parse_system_options(args);
    if (!o.ok()) return "parse: " + o.error().message;
    auto s = SystemInstance::create(*o, {});
    return s.ok() ? std::string("<ok>") : s.error().message;
  };
  EXPECT_EQ(
      build_error({"-drive", "file=/nonexistent/x.img,format=raw"}),
      "-drive /nonexistent/x.img: Could not open '/nonexistent/x.img': No such file or directory");
  EXPECT_EQ(build_error({"-blockdev",
                         "driver=qcow2,file.driver=file,file.filename=" + img + ",node-name=q"})
                .find("-blockdev " + img + ": "),
            0u);
  EXPECT_EQ(build_error({"-blockdev", "driver=file,filename=" + img + ",node-name=f", "-device",
                         "virtio-blk-device,drive=zz"}),
            "-device virtio-blk-device: drive 'zz' not found");
  EXPECT_EQ(build_error({"-blockdev",
                         "driver=raw,file.driver=file,file.filename=" + img +
                             ",file.node-name=f,node-name=r",
                         "-device", "virtio-blk-device,drive=f"}),
            "-device virtio-blk-device: node 'f' is already in use by node 'r'");
  EXPECT_EQ(build_error({"-drive", "file=" + img + ",format=raw", "-device",
                         "virtio-blk-device,drive=virtio0"}),
            "-device virtio-blk-device: drive 'virtio0' is already in use");
  EXPECT_EQ(build_error({"-blockdev", "driver=file,filename=" + img + ",node-name=f", "-device",
                         "virtio-blk-device,drive=f", "-drive",
                         "file=" + img + ",format=raw,readonly=on"}),
            "<ok>");
  // A probed raw image builds, with QEMU's warning.
  auto o = parse_system_options({"-M", "virt", "-bios", "none", "-hda", img});
  ASSERT_TRUE(o.ok());
  auto s = SystemInstance::create(*o, {});
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ((*s)->warnings().size(), 1u);
  EXPECT_NE((*s)->warnings()[0].find("probing guessed raw"), std::string::npos);
}
