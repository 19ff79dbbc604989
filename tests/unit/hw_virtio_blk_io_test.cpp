// virtio-blk over real images through the block I/O thread: snapshot=on
// overlays over a qcow2 backing chain and their commit (checked with
// Debian's qemu-img), several requests in flight, read-only media, discard,
// flush, writethrough, O_DIRECT, probed-raw protection and device reset.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "block/image.h"
#include "system/drive_setup.h"
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

system::DriveOptions drive_opts(const std::string& file, const std::string& format) {
  system::DriveOptions d;
  d.id = "d0";
  d.file = file;
  d.format = format;
  d.interface = "none";
  d.option = "-drive";
  return d;
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13 + (i >> 9));
  return v;
}

constexpr uint64_t kSector = 512;

}  // namespace

TEST(VirtioBlkIo, SnapshotOverlayOverBackingChainThenCommit) {
  if (!have_qemu_img()) GTEST_SKIP() << "qemu-img not installed";
  TempDir t;
  const std::string base = t / "base.qcow2", top = t / "top.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + base + "' 4M"), 0);
  ASSERT_EQ(sh("qemu-io -c 'write -P 0x11 0 1M' '" + base + "'"), 0);
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -b '" + base + "' -F qcow2 '" + top + "'"), 0);
  ASSERT_EQ(sh("qemu-io -c 'write -P 0x22 1M 64k' '" + top + "'"), 0);
  const auto base_bytes = slurp(base), top_bytes = slurp(top);
  ASSERT_EQ(sh("qemu-img convert -O raw '" + top + "' '" + (t / "expect.raw") + "'"), 0);
  auto expect = slurp(t / "expect.raw");
  ASSERT_EQ(expect.size(), 4u << 20);

  system::DriveOptions o = drive_opts(top, "");  // probed: qcow2, no warning
  o.snapshot = true;
  std::vector<std::string> warnings;
  auto drive = system::open_drive(o, &warnings);
  ASSERT_TRUE(drive.ok()) << drive.error().message;
  EXPECT_TRUE(warnings.empty());
  EXPECT_TRUE((*drive)->config().snapshot);
  {
    VirtioBlk blk(drive->get(), "snap");
    BlkHarness h(&blk);
    h.init();
    // Writes over the backing file's data, the top's data, and a hole.
    struct W {
      uint64_t sector;
      size_t len;
      uint8_t seed;
    } writes[] = {{0, 512, 0xa1}, {2048 + 8, 4096, 0xb2}, {4096, 8192, 0xc3}, {8191, 512, 0xd4}};
    int slot = 0;
    for (const W& w : writes) {
      auto p = pattern(w.len, w.seed);
      h.fill(slot, p);
      ASSERT_EQ(h.run(slot, VirtioBlk::kTypeOut, w.sector, static_cast<uint32_t>(w.len), false),
                VirtioBlk::kStatusOk);
      std::copy(p.begin(), p.end(), expect.begin() + static_cast<long>(w.sector * kSector));
      ++slot;
    }
    ASSERT_EQ(h.run(0, VirtioBlk::kTypeFlush, 0, 0, false), VirtioBlk::kStatusOk);
    auto check_reads = [&] {
      for (uint64_t sector : {uint64_t{0}, uint64_t{100}, uint64_t{2048}, uint64_t{2048 + 120},
                              uint64_t{4096}, uint64_t{8000}}) {
        const size_t n = std::min<size_t>(0x10000, (8192 - sector) * kSector);
        ASSERT_EQ(h.run(5, VirtioBlk::kTypeIn, sector, static_cast<uint32_t>(n), true),
                  VirtioBlk::kStatusOk);
        auto got = h.read_data(5, n);
        ASSERT_EQ(0, std::memcmp(got.data(), expect.data() + sector * kSector, n))
            << "sector " << sector;
      }
    };
    check_reads();
    // The images themselves are untouched: the writes live in the overlay.
    (*drive)->drain();
    EXPECT_EQ(slurp(base), base_bytes);
    EXPECT_EQ(slurp(top), top_bytes);

    // Ctrl-a s: commit into top.qcow2 (the image given on the command line).
    Result<void> committed = make_error("not run");
    (*drive)->submit([&] { committed = (*drive)->commit_snapshot(); });
    (*drive)->drain();
    ASSERT_TRUE(committed.ok()) << committed.error().message;
    check_reads();  // the overlay is empty now; reads come from the new base
    h.fill(6, pattern(512, 0x5e));
    ASSERT_EQ(h.run(6, VirtioBlk::kTypeOut, 10, 512, false),
              VirtioBlk::kStatusOk);  // after the commit: not committed
  }
  ASSERT_TRUE((*drive)->shutdown().ok());
  drive->reset();
  EXPECT_EQ(slurp(base), base_bytes);  // below the committed image: never written
  spill(t / "expect.raw", expect);
  EXPECT_EQ(sh("qemu-img check -q '" + top + "'"), 0);
  EXPECT_EQ(sh("qemu-img compare -q '" + top + "' '" + (t / "expect.raw") + "'"), 0);
  EXPECT_EQ(sh("qemu-img check -q '" + base + "'"), 0);
}

TEST(VirtioBlkIo, ConcurrentRequestsThroughTheIoThread) {
  if (!have_qemu_img()) GTEST_SKIP() << "qemu-img not installed";
  TempDir t;
  const std::string img = t / "disk.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o cluster_size=4k '" + img + "' 8M"), 0);
  auto drive = system::open_drive(drive_opts(img, "qcow2"), nullptr);
  ASSERT_TRUE(drive.ok()) << drive.error().message;
  std::vector<uint8_t> expect(8u << 20, 0);
  {
    VirtioBlk blk(drive->get());
    BlkHarness h(&blk);
    h.init();
    // Hold the I/O thread: the notifications return at once, nothing done.
    (*drive)->pause();
    const int kReq = 8;
    for (int i = 0; i < kReq; ++i) {
      auto p = pattern(0x10000 - 512 * i, static_cast<uint8_t>(i * 31));
      h.fill(i, p);
      uint64_t sector = 1000 + 300 * i;
      std::copy(p.begin(), p.end(), expect.begin() + static_cast<long>(sector * kSector));
      h.submit(i, VirtioBlk::kTypeOut, sector, static_cast<uint32_t>(p.size()), false);
    }
    h.submit(kReq, VirtioBlk::kTypeFlush, 0, 0, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(h.used_idx(), 0) << "requests ran on the notifying thread";
    EXPECT_EQ(h.status(0), 0xee);
    (*drive)->resume();
    ASSERT_TRUE(h.wait_used(kReq + 1));
    std::set<uint32_t> heads;
    for (int i = 0; i <= kReq; ++i) {
      heads.insert(h.used_elem(static_cast<uint16_t>(i)).first);
      EXPECT_EQ(h.status(i), VirtioBlk::kStatusOk) << i;
    }
    EXPECT_EQ(heads.size(), static_cast<size_t>(kReq + 1));
    EXPECT_TRUE(h.irq.level);
    // The flush completed: the data is at the format layer and on disk, so
    // a second reader of the file sees it now.
    block::OpenOptions ro;
    ro.format = "qcow2";
    auto reader = block::open_image(img, ro);
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    std::vector<uint8_t> got(expect.size());
    ASSERT_TRUE((*reader)->read(0, got.data(), got.size()).ok());
    EXPECT_TRUE(got == expect);
    // Reads in flight together, overlapping the writes.
    (*drive)->pause();
    for (int i = 0; i < kReq; ++i) h.submit(i, VirtioBlk::kTypeIn, 900 + 310 * i, 0x8000, true);
    (*drive)->resume();
    ASSERT_TRUE(h.wait_used(2 * kReq + 1));
    for (int i = 0; i < kReq; ++i) {
      EXPECT_EQ(h.status(i), VirtioBlk::kStatusOk);
      auto d = h.read_data(i, 0x8000);
      EXPECT_EQ(0, std::memcmp(d.data(), expect.data() + (900 + 310 * i) * kSector, 0x8000)) << i;
    }
  }
  ASSERT_TRUE((*drive)->shutdown().ok());
  spill(t / "expect.raw", expect);
  EXPECT_EQ(sh("qemu-img check -q '" + img + "'"), 0);
  EXPECT_EQ(sh("qemu-img compare -q '" + img + "' '" + (t / "expect.raw") + "'"), 0);
}

TEST(VirtioBlkIo, ReadOnlyAndCdromRefuseWrites) {
  TempDir t;
  const std::string img = t / "ro.img";
  spill(img, pattern(64 * 1024, 7));
  const auto before = slurp(img);
  for (int variant = 0; variant < 2; ++variant) {
    system::DriveOptions o = drive_opts(img, "raw");
    if (variant == 0) {
      o.read_only = true;
    } else {
      auto parsed = system::parse_system_options({"-cdrom", img});
      ASSERT_TRUE(parsed.ok()) << parsed.error().message;
      o = parsed->drives[0];
      o.format = "raw";
      EXPECT_TRUE(o.read_only);
    }
    auto drive = system::open_drive(o, nullptr);
    ASSERT_TRUE(drive.ok()) << drive.error().message;
    VirtioBlk blk(drive->get());
    BlkHarness h(&blk);
    h.init();
    EXPECT_TRUE(h.features() & (1u << VirtioBlk::kFeatureRo));
    EXPECT_FALSE(h.features() & (1u << VirtioBlk::kFeatureDiscard));
    h.fill(0, std::vector<uint8_t>(512, 0));
    EXPECT_EQ(h.run(0, VirtioBlk::kTypeOut, 0, 512, false), VirtioBlk::kStatusIoErr);
    uint8_t seg[16] = {};
    uint32_t n = 8;
    std::memcpy(seg + 8, &n, 4);
    h.fill(1, std::vector<uint8_t>(seg, seg + 16));
    EXPECT_EQ(h.run(1, VirtioBlk::kTypeDiscard, 0, 16, false), VirtioBlk::kStatusIoErr);
    EXPECT_EQ(h.run(1, VirtioBlk::kTypeWriteZeroes, 0, 16, false), VirtioBlk::kStatusIoErr);
    EXPECT_EQ(h.run(2, VirtioBlk::kTypeIn, 1, 1024, true), VirtioBlk::kStatusOk);
    EXPECT_EQ(0, std::memcmp(h.read_data(2, 1024).data(), before.data() + 512, 1024));
    EXPECT_EQ(h.run(3, VirtioBlk::kTypeFlush, 0, 0, false), VirtioBlk::kStatusOk);
  }
  EXPECT_EQ(slurp(img), before);
}

TEST(VirtioBlkIo, DiscardUnmapReadsZeroAndIgnoreKeepsData) {
  if (!have_qemu_img()) GTEST_SKIP() << "qemu-img not installed";
  TempDir t;
  for (bool unmap : {false, true}) {
    const std::string img = t / (unmap ? "u.qcow2" : "i.qcow2");
    ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + img + "' 1M"), 0);
    ASSERT_EQ(sh("qemu-io -c 'write -P 0x33 0 1M' '" + img + "'"), 0);
    system::DriveOptions o = drive_opts(img, "qcow2");
    o.discard_unmap = unmap;
    auto drive = system::open_drive(o, nullptr);
    ASSERT_TRUE(drive.ok()) << drive.error().message;
    {
      VirtioBlk blk(drive->get());
      BlkHarness h(&blk);
      h.init();
      EXPECT_TRUE(h.features() & (1u << VirtioBlk::kFeatureDiscard));
      EXPECT_EQ(h.mmio->read(hw::virtio::VirtioMmio::kConfigBase + 56, 1),
                unmap ? 1u : 0u);  // write_zeroes_may_unmap
      // Two segments: clusters 1 and 3 (64 KiB each).
      uint8_t segs[32] = {};
      uint64_t s1 = 128, s2 = 384;
      uint32_t n = 128;
      std::memcpy(segs, &s1, 8);
      std::memcpy(segs + 8, &n, 4);
      std::memcpy(segs + 16, &s2, 8);
      std::memcpy(segs + 24, &n, 4);
      h.fill(0, std::vector<uint8_t>(segs, segs + 32));
      EXPECT_EQ(h.run(0, VirtioBlk::kTypeDiscard, 0, 32, false), VirtioBlk::kStatusOk);
      // The unmap flag is not allowed on a discard; a range past the end fails.
      uint32_t flags = VirtioBlk::kFlagUnmap;
      std::memcpy(segs + 12, &flags, 4);
      h.fill(1, std::vector<uint8_t>(segs, segs + 16));
      EXPECT_EQ(h.run(1, VirtioBlk::kTypeDiscard, 0, 16, false), VirtioBlk::kStatusUnsupported);
      uint64_t far = 2040;
      std::memcpy(segs, &far, 8);
      std::memcpy(segs + 12, "\0\0\0\0", 4);
      h.fill(1, std::vector<uint8_t>(segs, segs + 16));
      EXPECT_EQ(h.run(1, VirtioBlk::kTypeDiscard, 0, 16, false), VirtioBlk::kStatusIoErr);
      for (uint64_t sector : {uint64_t{128}, uint64_t{384}}) {
        ASSERT_EQ(h.run(2, VirtioBlk::kTypeIn, sector, 0x10000, true), VirtioBlk::kStatusOk);
        auto d = h.read_data(2, 0x10000);
        EXPECT_EQ(d, std::vector<uint8_t>(0x10000, unmap ? 0 : 0x33)) << "sector " << sector;
      }
      ASSERT_EQ(h.run(2, VirtioBlk::kTypeIn, 256, 0x10000, true), VirtioBlk::kStatusOk);
      EXPECT_EQ(h.read_data(2, 0x10000), std::vector<uint8_t>(0x10000, 0x33));
      // Write zeroes works either way (here a partial cluster).
      uint64_t zs = 300;
      uint32_t zn = 3;
      std::memcpy(segs, &zs, 8);
      std::memcpy(segs + 8, &zn, 4);
      std::memcpy(segs + 12, "\0\0\0\0", 4);
      h.fill(3, std::vector<uint8_t>(segs, segs + 16));
      EXPECT_EQ(h.run(3, VirtioBlk::kTypeWriteZeroes, 0, 16, false), VirtioBlk::kStatusOk);
      ASSERT_EQ(h.run(2, VirtioBlk::kTypeIn, 299, 2560, true), VirtioBlk::kStatusOk);
      auto z = h.read_data(2, 2560);
      EXPECT_EQ(z[0], 0x33);
      EXPECT_EQ(std::vector<uint8_t>(z.begin() + 512, z.begin() + 2048),
                std::vector<uint8_t>(1536, 0));
      EXPECT_EQ(z[2048], 0x33);
    }
    ASSERT_TRUE((*drive)->shutdown().ok());
    EXPECT_EQ(sh("qemu-img check -q '" + img + "'"), 0);
    std::vector<uint8_t> expect(1u << 20, 0x33);
    if (unmap) {
      std::fill(expect.begin() + 0x10000, expect.begin() + 0x20000, 0);
      std::fill(expect.begin() + 0x30000, expect.begin() + 0x40000, 0);
    }
    std::fill(expect.begin() + 300 * 512, expect.begin() + 303 * 512, 0);
    spill(t / "e.raw", expect);
    EXPECT_EQ(sh("qemu-img compare -q '" + img + "' '" + (t / "e.raw") + "'"), 0);
  }
}
