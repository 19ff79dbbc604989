// Drive policies under virtio-blk with the I/O thread: flush and
// writethrough reach the driver, O_DIRECT (cache=none) with unaligned
// metadata writes, probed-raw block-0 protection with QEMU's warning,
// device reset dropping in-flight completions, and -snapshot with Ctrl-a s
// through SystemInstance and the stdio multiplexer.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "block/image.h"
#include "chardev/chardev.h"
#include "chardev/mux_chardev.h"
#include "system/drive_setup.h"
#include "system/machine_setup.h"
#include "virtio_blk_harness.h"

using namespace mimic;
using hw::virtio::VirtioBlk;
using test::BlkHarness;
using test::have_qemu_img;
using test::sh;
using test::slurp;
using test::spill;
using test::TempDir;

namespace {

// Counts driver calls, made from whichever thread.
class CountingDisk final : public block::BlockDriver {
 public:
  explicit CountingDisk(size_t bytes) : data(bytes) {}
  std::string format_name() const override { return "mem"; }
  uint64_t length() const override { return data.size(); }
  uint64_t allocated_file_size() const override { return data.size(); }
  const std::string& filename() const override { return name; }
  Result<void> read(uint64_t off, void* buf, uint64_t len) override {
    std::memcpy(buf, data.data() + off, len);
    return {};
  }
  Result<void> write(uint64_t off, const void* buf, uint64_t len) override {
    std::memcpy(data.data() + off, buf, len);
    ++writes;
    writer = std::this_thread::get_id();
    return {};
  }
  Result<void> write_zeroes(uint64_t off, uint64_t len) override {
    std::memset(data.data() + off, 0, len);
    return {};
  }
  Result<void> discard(uint64_t, uint64_t) override { return {}; }
  Result<void> flush() override {
    ++flushes;
    return {};
  }
  Result<void> truncate(uint64_t) override { return make_error("no"); }
  Result<block::Extent> block_status(uint64_t, uint64_t) override { return block::Extent{}; }
  std::vector<uint8_t> data;
  std::string name = "mem";
  std::atomic<int> writes{0}, flushes{0};
  std::thread::id writer;
};

int open_flags_of(const std::string& path) {
  char real[PATH_MAX];
  if (!realpath(path.c_str(), real)) return -1;
  DIR* d = opendir("/proc/self/fd");
  int flags = -1;
  while (dirent* e = readdir(d)) {
    char target[PATH_MAX] = {};
    std::string link = std::string("/proc/self/fd/") + e->d_name;
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0 || std::string(target, n) != real) continue;
    std::ifstream info(std::string("/proc/self/fdinfo/") + e->d_name);
    std::string key;
    while (info >> key) {
      if (key == "flags:") {
        info >> std::oct >> flags;
        break;
      }
    }
  }
  closedir(d);
  return flags;
}

}  // namespace

TEST(VirtioBlkPolicy, FlushAndWritethroughReachTheDriverOnTheIoThread) {
  for (bool writethrough : {false, true}) {
    CountingDisk disk(64 * 512);
    block::DriveConfig cfg;
    cfg.name = "m";
    cfg.cache.writethrough = writethrough;
    block::Drive drive(&disk, cfg, block::Drive::Threading::kIoThread);
    VirtioBlk blk(&drive);
    BlkHarness h(&blk);
    h.init();
    h.fill(0, std::vector<uint8_t>(1024, 0x5a));
    ASSERT_EQ(h.run(0, VirtioBlk::kTypeOut, 4, 1024, false), VirtioBlk::kStatusOk);
    EXPECT_EQ(disk.writes, 1);
    EXPECT_NE(disk.writer, std::this_thread::get_id());
    EXPECT_EQ(disk.flushes, writethrough ? 1 : 0);
    ASSERT_EQ(h.run(1, VirtioBlk::kTypeFlush, 0, 0, false), VirtioBlk::kStatusOk);
    EXPECT_EQ(disk.flushes, writethrough ? 2 : 1);
    EXPECT_EQ(disk.data[4 * 512], 0x5a);
  }
}

TEST(VirtioBlkPolicy, CacheModesMapToFileFlags) {
  EXPECT_EQ(block::cache_mode_name(*block::cache_mode_from_name("directsync")), "directsync");
  EXPECT_TRUE(block::cache_mode_from_name("none")->direct);
  EXPECT_TRUE(block::cache_mode_from_name("unsafe")->no_flush);
  EXPECT_TRUE(block::cache_mode_from_name("writethrough")->writethrough);
  EXPECT_EQ(*block::cache_mode_from_name("writeback"), block::CacheMode{});
  TempDir t;
  const std::string img = t / "d.qcow2";
  block::Qcow2CreateOptions co;
  co.size = 1 << 20;
  co.cluster_size = 512;  // many small metadata writes, none 4 KiB aligned
  ASSERT_TRUE(block::Qcow2Driver::create(img, co).ok());
  system::DriveOptions o;
  o.id = "d";
  o.file = img;
  o.format = "qcow2";
  o.option = "-drive";
  o.cache = *block::cache_mode_from_name("none");
  auto drive = system::open_drive(o, nullptr);
  if (!drive.ok() && drive.error().message.find("Invalid argument") != std::string::npos) {
    GTEST_SKIP() << "no O_DIRECT on " << t.path;
  }
  ASSERT_TRUE(drive.ok()) << drive.error().message;
  int flags = open_flags_of(img);
  ASSERT_NE(flags, -1);
  EXPECT_TRUE(flags & O_DIRECT);
  std::vector<uint8_t> expect(1 << 20, 0);
  {
    VirtioBlk blk(drive->get());
    BlkHarness h(&blk);
    h.init();
    for (int i = 0; i < 6; ++i) {
      std::vector<uint8_t> p(1536, static_cast<uint8_t>(0x40 + i));
      h.fill(i, p);
      uint64_t sector = 3 + 97 * i;
      std::copy(p.begin(), p.end(), expect.begin() + static_cast<long>(sector * 512));
      ASSERT_EQ(h.run(i, VirtioBlk::kTypeOut, sector, 1536, false), VirtioBlk::kStatusOk);
    }
    ASSERT_EQ(h.run(7, VirtioBlk::kTypeFlush, 0, 0, false), VirtioBlk::kStatusOk);
    ASSERT_EQ(h.run(8, VirtioBlk::kTypeIn, 0, 0x10000, true), VirtioBlk::kStatusOk);
    EXPECT_EQ(h.read_data(8, 0x10000),
              std::vector<uint8_t>(expect.begin(), expect.begin() + 0x10000));
  }
  ASSERT_TRUE((*drive)->shutdown().ok());
  block::OpenOptions ro;
  ro.format = "qcow2";
  auto back = block::open_image(img, ro);
  ASSERT_TRUE(back.ok()) << back.error().message;
  std::vector<uint8_t> got(expect.size());
  ASSERT_TRUE((*back)->read(0, got.data(), got.size()).ok());
  EXPECT_TRUE(got == expect);
  if (have_qemu_img()) {
    spill(t / "e.raw", expect);
    EXPECT_EQ(sh("qemu-img check -q '" + img + "'"), 0);
    EXPECT_EQ(sh("qemu-img compare -q '" + img + "' '" + (t / "e.raw") + "'"), 0);
  }
}

TEST(VirtioBlkPolicy, ProbedRawWarnsAndProtectsBlockZero) {
  TempDir t;
  const std::string img = t / "p.img";
  spill(img, std::vector<uint8_t>(8192, 0));
  system::DriveOptions o;
  o.id = "p";
  o.file = img;
  o.option = "-drive";
  std::vector<std::string> warnings;
  auto drive = system::open_drive(o, &warnings);
  ASSERT_TRUE(drive.ok()) << drive.error().message;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("WARNING: Image format was not specified for '" + img +
                                  "' and probing guessed raw.\n",
                              0),
            0u);
  EXPECT_NE(warnings[0].find("write operations on block 0 will be restricted."), std::string::npos);
  {
    VirtioBlk blk(drive->get());
    BlkHarness h(&blk);
    h.init();
    std::vector<uint8_t> qcow(512, 0);
    qcow[0] = 'Q', qcow[1] = 'F', qcow[2] = 'I', qcow[3] = 0xfb;
    h.fill(0, qcow);
    EXPECT_EQ(h.run(0, VirtioBlk::kTypeOut, 0, 512, false), VirtioBlk::kStatusIoErr);
    h.fill(1, std::vector<uint8_t>(512, 0x77));
    EXPECT_EQ(h.run(1, VirtioBlk::kTypeOut, 0, 512, false), VirtioBlk::kStatusOk);
    EXPECT_EQ(h.run(0, VirtioBlk::kTypeOut, 1, 512, false),
              VirtioBlk::kStatusOk);  // elsewhere: fine
  }
  ASSERT_TRUE((*drive)->shutdown().ok());
  auto bytes = slurp(img);
  EXPECT_EQ(bytes[0], 0x77);
  EXPECT_EQ(bytes[512], 'Q');
}

TEST(VirtioBlkPolicy, ResetDropsInFlightCompletions) {
  CountingDisk disk(64 * 512);
  block::Drive drive(&disk, block::DriveConfig{}, block::Drive::Threading::kIoThread);
  VirtioBlk blk(&drive);
  BlkHarness h(&blk);
  h.init();
  h.fill(0, std::vector<uint8_t>(512, 0x99));
  drive.pause();
  h.submit(0, VirtioBlk::kTypeIn, 0, 512, true);
  h.wr(hw::virtio::VirtioMmio::kStatus, 0);  // the driver resets the device
  drive.resume();
  drive.drain();
  EXPECT_EQ(h.used_idx(), 0);
  EXPECT_EQ(h.status(0), 0xee);
  EXPECT_EQ(h.read_data(0, 512), std::vector<uint8_t>(512, 0x99));  // the read did not land
  // The device works again after re-initialisation.
  h.init();
  EXPECT_EQ(h.run(0, VirtioBlk::kTypeIn, 0, 512, true), VirtioBlk::kStatusOk);
}

TEST(SystemSnapshot, CtrlASCommitsEveryOverlay) {
  TempDir t;
  const std::string raw = t / "a.img";
  spill(raw, std::vector<uint8_t>(1 << 20, 0x10));
  block::Qcow2CreateOptions co;
  co.size = 1 << 20;
  const std::string q = t / "b.qcow2";
  ASSERT_TRUE(block::Qcow2Driver::create(q, co).ok());
  auto o = system::parse_system_options({"-M", "virt", "-bios", "none", "-snapshot", "-drive",
                                         "file=" + raw + ",format=raw", "-drive",
                                         "file=" + q + ",if=none,id=b"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  auto s = system::SystemInstance::create(*o, {});
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto* a = (*s)->drive("virtio0");
  auto* b = (*s)->drive("b");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->config().snapshot && b->config().snapshot);
  for (auto* d : {a, b}) {
    d->submit(
        [d] { ASSERT_TRUE(d->write(4096, std::vector<uint8_t>(512, 0xab).data(), 512).ok()); });
    d->drain();
  }
  EXPECT_EQ(slurp(raw)[4096], 0x10);  // still only in the overlays
  // Ctrl-a s on the multiplexed console queues the commits.
  chardev::BufferChardev backend;
  chardev::MuxChardev mux(&backend, nullptr);
  mux.set_commit_handler([&] { (*s)->commit_snapshots(); });
  backend.push_input(reinterpret_cast<const uint8_t*>("\x01s"), 2);
  ASSERT_TRUE((*s)->shutdown_drives().ok());
  EXPECT_EQ(slurp(raw)[4096], 0xab);
  EXPECT_EQ(slurp(raw)[4096 + 512], 0x10);
  block::OpenOptions ro;
  auto back = block::open_image(q, ro);
  ASSERT_TRUE(back.ok());
  uint8_t byte = 0;
  ASSERT_TRUE((*back)->read(4096, &byte, 1).ok());
  EXPECT_EQ(byte, 0xab);
  backend.push_input(reinterpret_cast<const uint8_t*>("\x01h"), 2);
  EXPECT_NE(backend.output.find("C-a s    save disk data back to file (if -snapshot)"),
            std::string::npos);
}
