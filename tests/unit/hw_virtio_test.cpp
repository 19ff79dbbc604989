// virtio-mmio transport, split virtqueues and the blk/rng/console devices,
// driven through the registers by a fake driver over a RAM-only address space.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "chardev/chardev.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_console.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_rng.h"
#include "memory/address_space.h"

using namespace mimic;
using namespace mimic::hw;
using namespace mimic::hw::virtio;

namespace {

constexpr uint64_t kRam = 0x80000000;

struct LevelSink final : IrqSink {
  bool level = false;
  void set_irq(uint32_t, bool l) override { level = l; }
};

// An in-memory disk implementing the block layer's driver interface.
class MemDisk final : public block::BlockDriver {
 public:
  explicit MemDisk(size_t bytes) : data(bytes) {}
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
    return {};
  }
  Result<void> write_zeroes(uint64_t, uint64_t) override { return {}; }
  Result<void> discard(uint64_t, uint64_t) override { return {}; }
  Result<void> flush() override {
    ++flushes;
    return {};
  }
  Result<void> truncate(uint64_t) override { return make_error("no"); }
  Result<block::Extent> block_status(uint64_t, uint64_t) override { return block::Extent{}; }
  std::vector<uint8_t> data;
  std::string name = "mem";
  int flushes = 0;
};

// A minimal virtio driver: one queue per index at fixed guest addresses.
struct FakeDriver {
  static constexpr uint16_t kQSize = 8;
  memory::AddressSpace as;
  std::unique_ptr<memory::MemoryRegion> ram = memory::MemoryRegion::make_ram("ram", 0x100000);
  LevelSink irq;
  std::unique_ptr<VirtioMmio> mmio;
  uint16_t avail_idx[4] = {};

  explicit FakeDriver(VirtioDevice* dev) {
    EXPECT_TRUE(as.map(kRam, ram.get()).ok());
    mmio = std::make_unique<VirtioMmio>(&as, IrqLine(&irq, 1), dev);
  }
  uint32_t rd(uint64_t off) { return static_cast<uint32_t>(mmio->read(off, 4)); }
  void wr(uint64_t off, uint32_t v) { mmio->write(off, v, 4); }
  static uint64_t desc(int q) { return kRam + 0x10000 * (q + 1); }
  static uint64_t avail(int q) { return desc(q) + 0x1000; }
  static uint64_t used(int q) { return desc(q) + 0x2000; }

  // The driver initialization sequence of §3.1.1 (features: all offered
  // except those in `refuse`).
  void init(int queues, uint64_t refuse = 0) {
    wr(VirtioMmio::kStatus, 0);
    wr(VirtioMmio::kStatus, VirtioMmio::kAcknowledge);
    wr(VirtioMmio::kStatus, VirtioMmio::kAcknowledge | VirtioMmio::kDriver);
    wr(VirtioMmio::kDeviceFeaturesSel, 0);
    uint64_t f = rd(VirtioMmio::kDeviceFeatures);
    wr(VirtioMmio::kDeviceFeaturesSel, 1);
    f |= uint64_t{rd(VirtioMmio::kDeviceFeatures)} << 32;
    f &= ~refuse;
    wr(VirtioMmio::kDriverFeaturesSel, 0);
    wr(VirtioMmio::kDriverFeatures, static_cast<uint32_t>(f));
    wr(VirtioMmio::kDriverFeaturesSel, 1);
    wr(VirtioMmio::kDriverFeatures, static_cast<uint32_t>(f >> 32));
    wr(VirtioMmio::kStatus, 1 | 2 | VirtioMmio::kFeaturesOk);
    ASSERT_TRUE(rd(VirtioMmio::kStatus) & VirtioMmio::kFeaturesOk);
    for (int q = 0; q < queues; ++q) {
      wr(VirtioMmio::kQueueSel, q);
      ASSERT_GE(rd(VirtioMmio::kQueueNumMax), kQSize);
      wr(VirtioMmio::kQueueNum, kQSize);
      wr(VirtioMmio::kQueueDescLow, static_cast<uint32_t>(desc(q)));
      wr(VirtioMmio::kQueueDescHigh, 0);
      wr(VirtioMmio::kQueueDriverLow, static_cast<uint32_t>(avail(q)));
      wr(VirtioMmio::kQueueDeviceLow, static_cast<uint32_t>(used(q)));
      wr(VirtioMmio::kQueueReady, 1);
    }
    wr(VirtioMmio::kStatus, 1 | 2 | VirtioMmio::kFeaturesOk | VirtioMmio::kDriverOk);
  }
  void put_desc(int q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t d[16];
    std::memcpy(d, &addr, 8);
    std::memcpy(d + 8, &len, 4);
    std::memcpy(d + 12, &flags, 2);
    std::memcpy(d + 14, &next, 2);
    ASSERT_TRUE(as.write(desc(q) + 16 * i, d, 16));
  }
  void make_available(int q, uint16_t head) {
    uint16_t slot = avail_idx[q] % kQSize;
    ASSERT_TRUE(as.write(avail(q) + 4 + 2 * slot, &head, 2));
    ++avail_idx[q];
    ASSERT_TRUE(as.write(avail(q) + 2, &avail_idx[q], 2));
    wr(VirtioMmio::kQueueNotify, q);
  }
  uint16_t used_idx(int q) {
    uint16_t v = 0;
    as.read(used(q) + 2, &v, 2);
    return v;
  }
  std::pair<uint32_t, uint32_t> used_elem(int q, uint16_t i) {
    uint32_t e[2];
    as.read(used(q) + 4 + 8 * (i % kQSize), e, 8);
    return {e[0], e[1]};
  }
};

// One virtio-blk request: header at buf, data at buf+0x100, status at buf+0x80.
void blk_request(FakeDriver& d, uint32_t type, uint64_t sector, uint32_t data_len, bool data_writable) {
  uint64_t hdr = kRam + 0x80000;
  uint8_t h[16] = {};
  std::memcpy(h, &type, 4);
  std::memcpy(h + 8, &sector, 8);
  ASSERT_TRUE(d.as.write(hdr, h, 16));
  d.put_desc(0, 0, hdr, 16, kDescNext, 1);
  d.put_desc(0, 1, hdr + 0x100, data_len, kDescNext | (data_writable ? kDescWrite : 0), 2);
  d.put_desc(0, 2, hdr + 0x80, 1, kDescWrite, 0);
  d.make_available(0, 0);
}

uint8_t blk_status(FakeDriver& d) {
  uint8_t s = 0xff;
  d.as.read(kRam + 0x80000 + 0x80, &s, 1);
  return s;
}

}  // namespace

TEST(VirtioMmio, IdentityAndEmptySlot) {
  FakeDriver d(nullptr);
  EXPECT_EQ(d.rd(VirtioMmio::kMagicValue), 0x74726976u);
  EXPECT_EQ(d.rd(VirtioMmio::kVersion), 2u);
  EXPECT_EQ(d.rd(VirtioMmio::kDeviceId), 0u);
  d.wr(VirtioMmio::kStatus, 1);
  MemDisk disk(4096);
  VirtioBlk blk(&disk, false);
  FakeDriver d2(&blk);
  EXPECT_EQ(d2.rd(VirtioMmio::kDeviceId), kIdBlock);
  EXPECT_EQ(d2.rd(VirtioMmio::kVendor), VirtioMmio::kVendorId);
  EXPECT_EQ(d2.mmio->read(VirtioMmio::kConfigBase, 4), 8u);  // capacity in sectors
  EXPECT_EQ(d2.mmio->read(VirtioMmio::kConfigBase + 4, 4), 0u);
}

TEST(VirtioMmio, FeatureNegotiationRefusesUnknownBits) {
  MemDisk disk(4096);
  VirtioBlk blk(&disk, false);
  FakeDriver d(&blk);
  d.wr(VirtioMmio::kStatus, 3);
  d.wr(VirtioMmio::kDriverFeaturesSel, 0);
  d.wr(VirtioMmio::kDriverFeatures, 1u << 31);  // never offered
  d.wr(VirtioMmio::kDriverFeaturesSel, 1);
  d.wr(VirtioMmio::kDriverFeatures, 1);  // VERSION_1
  d.wr(VirtioMmio::kStatus, 3 | VirtioMmio::kFeaturesOk);
  EXPECT_FALSE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kFeaturesOk);
  // Without VERSION_1 (a legacy driver) FEATURES_OK is refused too.
  d.wr(VirtioMmio::kStatus, 0);
  d.wr(VirtioMmio::kStatus, 3);
  d.wr(VirtioMmio::kDriverFeaturesSel, 1);
  d.wr(VirtioMmio::kDriverFeatures, 0);
  d.wr(VirtioMmio::kStatus, 3 | VirtioMmio::kFeaturesOk);
  EXPECT_FALSE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kFeaturesOk);
  d.wr(VirtioMmio::kStatus, 3 | VirtioMmio::kDriverOk);
  EXPECT_FALSE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kDriverOk);
}

TEST(VirtioBlk, ReadWriteFlushGetId) {
  MemDisk disk(64 * 512);
  for (size_t i = 0; i < disk.data.size(); ++i) disk.data[i] = static_cast<uint8_t>(i * 7);
  VirtioBlk blk(&disk, false, "mimic-serial");
  FakeDriver d(&blk);
  d.init(1);
  ASSERT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kDriverOk);
  // Read sectors 2..3.
  blk_request(d, VirtioBlk::kTypeIn, 2, 1024, true);
  EXPECT_EQ(d.used_idx(0), 1);
  EXPECT_EQ(d.used_elem(0, 0), std::make_pair(0u, 1025u));
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusOk);
  std::vector<uint8_t> got(1024);
  d.as.read(kRam + 0x80100, got.data(), 1024);
  EXPECT_EQ(std::memcmp(got.data(), disk.data.data() + 1024, 1024), 0);
  EXPECT_TRUE(d.irq.level);
  EXPECT_EQ(d.rd(VirtioMmio::kInterruptStatus), VirtioMmio::kIntUsedBuffer);
  d.wr(VirtioMmio::kInterruptAck, VirtioMmio::kIntUsedBuffer);
  EXPECT_FALSE(d.irq.level);
  // Write sector 63 (the last one).
  std::vector<uint8_t> pattern(512, 0xa5);
  d.as.write(kRam + 0x80100, pattern.data(), 512);
  blk_request(d, VirtioBlk::kTypeOut, 63, 512, false);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusOk);
  EXPECT_EQ(disk.data[63 * 512], 0xa5);
  EXPECT_EQ(d.used_elem(0, 1).second, 1u);
  // Past the end: I/O error, nothing written.
  blk_request(d, VirtioBlk::kTypeOut, 64, 512, false);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusIoErr);
  blk_request(d, VirtioBlk::kTypeIn, ~uint64_t{0} / 256, 512, true);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusIoErr);
  blk_request(d, VirtioBlk::kTypeFlush, 0, 0, true);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusOk);
  EXPECT_EQ(disk.flushes, 1);
  blk_request(d, VirtioBlk::kTypeGetId, 0, 20, true);
  char id[21] = {};
  d.as.read(kRam + 0x80100, id, 20);
  EXPECT_STREQ(id, "mimic-serial");
  blk_request(d, 99, 0, 512, true);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusUnsupported);
  EXPECT_EQ(d.used_idx(0), 7);
}

TEST(VirtioBlk, ReadOnlyRefusesWrites) {
  MemDisk disk(8 * 512);
  VirtioBlk blk(&disk, true);
  FakeDriver d(&blk);
  d.init(1);
  d.wr(VirtioMmio::kDeviceFeaturesSel, 0);
  EXPECT_TRUE(d.rd(VirtioMmio::kDeviceFeatures) & (1u << VirtioBlk::kFeatureRo));
  blk_request(d, VirtioBlk::kTypeOut, 0, 512, false);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusIoErr);
}

TEST(VirtioBlk, IndirectDescriptors) {
  MemDisk disk(8 * 512);
  disk.data[512] = 0x42;
  VirtioBlk blk(&disk, false);
  FakeDriver d(&blk);
  d.init(1);
  uint64_t hdr = kRam + 0x80000;
  uint32_t type = VirtioBlk::kTypeIn;
  uint64_t sector = 1;
  d.as.write(hdr, &type, 4);
  d.as.write(hdr + 8, &sector, 8);
  // The indirect table lives at kRam + 0x90000: three descriptors.
  auto put = [&](uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t e[16];
    std::memcpy(e, &addr, 8);
    std::memcpy(e + 8, &len, 4);
    std::memcpy(e + 12, &flags, 2);
    std::memcpy(e + 14, &next, 2);
    d.as.write(kRam + 0x90000 + 16 * i, e, 16);
  };
  put(0, hdr, 16, kDescNext, 1);
  put(1, hdr + 0x100, 512, kDescNext | kDescWrite, 2);
  put(2, hdr + 0x80, 1, kDescWrite, 0);
  d.put_desc(0, 5, kRam + 0x90000, 48, kDescIndirect, 0);
  d.make_available(0, 5);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusOk);
  uint8_t b = 0;
  d.as.read(hdr + 0x100, &b, 1);
  EXPECT_EQ(b, 0x42);
  EXPECT_EQ(d.used_elem(0, 0), std::make_pair(5u, 513u));
}

TEST(VirtioHostile, DescriptorLoopSetsNeedsReset) {
  MemDisk disk(8 * 512);
  VirtioBlk blk(&disk, false);
  FakeDriver d(&blk);
  d.init(1);
  d.put_desc(0, 0, kRam + 0x80000, 16, kDescNext, 1);
  d.put_desc(0, 1, kRam + 0x80100, 16, kDescNext, 0);  // back to 0: a loop
  d.make_available(0, 0);  // must return, not hang
  EXPECT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  EXPECT_EQ(d.rd(VirtioMmio::kInterruptStatus) & VirtioMmio::kIntConfigChange, VirtioMmio::kIntConfigChange);
  EXPECT_EQ(d.used_idx(0), 0);
  // The driver resets, clears its rings and starts over; the device works again.
  d.wr(VirtioMmio::kStatus, 0);
  std::vector<uint8_t> zero(0x3000, 0);
  d.as.write(FakeDriver::desc(0), zero.data(), zero.size());
  d.avail_idx[0] = 0;
  d.init(1);
  EXPECT_FALSE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  blk_request(d, VirtioBlk::kTypeFlush, 0, 0, true);
  EXPECT_EQ(blk_status(d), VirtioBlk::kStatusOk);
}

TEST(VirtioHostile, BadIndicesAndAddresses) {
  MemDisk disk(8 * 512);
  VirtioBlk blk(&disk, false);
  {
    FakeDriver d(&blk);
    d.init(1);
    d.put_desc(0, 0, kRam + 0x80000, 16, kDescNext, 200);  // next beyond the table
    d.make_available(0, 0);
    EXPECT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  }
  {
    FakeDriver d(&blk);
    d.init(1);
    d.make_available(0, 9);  // head beyond the table
    EXPECT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  }
  {
    FakeDriver d(&blk);
    d.init(1);
    uint16_t idx = 100;  // more than a ring ahead
    d.as.write(FakeDriver::avail(0) + 2, &idx, 2);
    d.wr(VirtioMmio::kQueueNotify, 0);
    EXPECT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  }
  {
    FakeDriver d(&blk);
    d.init(1);
    // Buffers outside RAM: the request fails with an I/O error, no crash.
    d.put_desc(0, 0, 0x1000, 16, kDescNext, 1);
    d.put_desc(0, 1, 0xfffffffffffff000ull, 4096, kDescNext | kDescWrite, 2);
    d.put_desc(0, 2, kRam + 0x80080, 1, kDescWrite, 0);
    d.make_available(0, 0);
    EXPECT_EQ(d.used_idx(0), 1);
    EXPECT_FALSE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  }
  {
    FakeDriver d(&blk);
    d.init(1);
    // Nested indirect tables and indirect|next are refused.
    d.put_desc(0, 0, kRam + 0x90000, 16, kDescIndirect | kDescNext, 1);
    d.make_available(0, 0);
    EXPECT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  }
  {
    FakeDriver d(&blk);
    d.init(1);
    // A readable descriptor after a writable one breaks §2.7.4.2.
    d.put_desc(0, 0, kRam + 0x80000, 16, kDescNext | kDescWrite, 1);
    d.put_desc(0, 1, kRam + 0x80100, 16, 0, 0);
    d.make_available(0, 0);
    EXPECT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  }
  {
    FakeDriver d(&blk);
    d.init(1);
    // Rings outside RAM.
    d.wr(VirtioMmio::kStatus, 0);
    d.init(0);
    d.wr(VirtioMmio::kQueueSel, 0);
    d.wr(VirtioMmio::kQueueNum, 8);
    d.wr(VirtioMmio::kQueueDescLow, 0x10);
    d.wr(VirtioMmio::kQueueDriverLow, 0x20);
    d.wr(VirtioMmio::kQueueDeviceLow, 0x30);
    d.wr(VirtioMmio::kQueueReady, 1);
    d.wr(VirtioMmio::kQueueNotify, 0);
    EXPECT_TRUE(d.rd(VirtioMmio::kStatus) & VirtioMmio::kNeedsReset);
  }
}

TEST(VirtioRng, FillsBuffers) {
  VirtioRng rng;
  FakeDriver d(&rng);
  d.init(1);
  std::vector<uint8_t> zeros(64, 0);
  d.as.write(kRam + 0x80000, zeros.data(), 64);
  d.put_desc(0, 3, kRam + 0x80000, 64, kDescWrite, 0);
  d.make_available(0, 3);
  EXPECT_EQ(d.used_elem(0, 0), std::make_pair(3u, 64u));
  std::vector<uint8_t> got(64);
  d.as.read(kRam + 0x80000, got.data(), 64);
  EXPECT_NE(got, zeros);
  EXPECT_TRUE(d.irq.level);
}

TEST(VirtioConsole, TransmitAndReceive) {
  chardev::BufferChardev chr;
  VirtioConsole con(&chr);
  FakeDriver d(&con);
  d.init(2);
  d.as.write(kRam + 0x80000, "hello", 5);
  d.put_desc(1, 0, kRam + 0x80000, 5, 0, 0);
  d.make_available(1, 0);
  EXPECT_EQ(chr.output, "hello");
  EXPECT_EQ(d.used_idx(1), 1);
  // Input waits in the chardev until the guest posts a receive buffer.
  chr.push_input(reinterpret_cast<const uint8_t*>("abc"), 3);
  EXPECT_EQ(chr.buffered_input(), 3u);
  d.put_desc(0, 0, kRam + 0x81000, 2, kDescWrite, 0);
  d.make_available(0, 0);
  EXPECT_EQ(d.used_elem(0, 0), std::make_pair(0u, 2u));
  EXPECT_EQ(chr.buffered_input(), 1u);
  d.put_desc(0, 1, kRam + 0x81100, 16, kDescWrite, 0);
  d.make_available(0, 1);
  EXPECT_EQ(d.used_elem(0, 1), std::make_pair(1u, 1u));
  char got[4] = {};
  d.as.read(kRam + 0x81000, got, 2);
  d.as.read(kRam + 0x81100, got + 2, 1);
  EXPECT_STREQ(got, "abc");
}

TEST(VirtioHostile, RandomRingsNeverCrashOrHang) {
  // Random descriptor tables, rings and indices (a guest writing garbage):
  // every notify must return, and the device either completes requests or
  // asks for a reset.
  MemDisk disk(16 * 512);
  uint32_t seed = 12345;
  auto rnd = [&] {
    seed = seed * 1103515245 + 12345;
    return seed >> 8;
  };
  for (int round = 0; round < 300; ++round) {
    VirtioBlk blk(&disk, false);
    VirtioRng rng;
    chardev::BufferChardev chr;
    VirtioConsole con(&chr);
    VirtioDevice* devs[] = {&blk, &rng, &con};
    VirtioDevice* dev = devs[round % 3];
    FakeDriver d(dev);
    d.init(static_cast<int>(dev->num_queues()));
    for (int q = 0; q < static_cast<int>(dev->num_queues()); ++q) {
      std::vector<uint8_t> junk(0x3000);
      for (auto& b : junk) b = static_cast<uint8_t>(rnd());
      // Keep some addresses inside RAM so chains get walked deeply.
      for (int i = 0; i < FakeDriver::kQSize; ++i) {
        if (rnd() % 2) {
          uint64_t a = kRam + 0x80000 + (rnd() % 0x10000);
          std::memcpy(junk.data() + 16 * i, &a, 8);
          uint32_t len = rnd() % 4096;
          std::memcpy(junk.data() + 16 * i + 8, &len, 4);
        }
        if (rnd() % 2) {
          uint64_t a = kRam + 0x90000 + 16 * (rnd() % 8);  // indirect tables in RAM
          if (rnd() % 4 == 0) std::memcpy(junk.data() + 16 * i, &a, 8);
        }
        uint16_t next = static_cast<uint16_t>(rnd() % (FakeDriver::kQSize + 2));
        std::memcpy(junk.data() + 16 * i + 14, &next, 2);
      }
      d.as.write(FakeDriver::desc(q), junk.data(), junk.size());
      std::vector<uint8_t> ind(0x100);
      for (auto& b : ind) b = static_cast<uint8_t>(rnd());
      d.as.write(kRam + 0x90000, ind.data(), ind.size());
      uint16_t idx = static_cast<uint16_t>(rnd() % 12);
      d.as.write(FakeDriver::avail(q) + 2, &idx, 2);
      d.wr(VirtioMmio::kQueueNotify, q);
    }
    chr.push_input(reinterpret_cast<const uint8_t*>("input"), 5);
  }
  SUCCEED();
}
