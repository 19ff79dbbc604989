// The physical address space: mapping, lookup, RAM/ROM/MMIO dispatch, DMA bounds.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "memory/address_space.h"

using namespace mimic::memory;

namespace {
struct RecordingMmio final : MmioOps {
  std::vector<std::pair<uint64_t, unsigned>> reads;
  std::vector<std::tuple<uint64_t, uint64_t, unsigned>> writes;
  unsigned min = 1, max = 8;
  uint64_t read(uint64_t off, unsigned size) override {
    reads.emplace_back(off, size);
    return 0x1122334455667788ull >> (8 * (off & 7));
  }
  void write(uint64_t off, uint64_t v, unsigned size) override { writes.emplace_back(off, v, size); }
  unsigned min_access_size() const override { return min; }
  unsigned max_access_size() const override { return max; }
};
}  // namespace

TEST(AddressSpace, MapsAndFindsRegions) {
  auto ram = MemoryRegion::make_ram("ram", 0x10000);
  auto rom = MemoryRegion::make_rom("rom", 0x1000);
  RecordingMmio dev;
  auto mmio = MemoryRegion::make_mmio("dev", 0x100, &dev);
  AddressSpace as;
  ASSERT_TRUE(as.map(0x80000000, ram.get()).ok());
  ASSERT_TRUE(as.map(0x1000, rom.get()).ok());
  ASSERT_TRUE(as.map(0x10000000, mmio.get()).ok());
  EXPECT_EQ(as.find(0x0fff), nullptr);
  EXPECT_EQ(as.find(0x1000)->region, rom.get());
  EXPECT_EQ(as.find(0x1fff)->region, rom.get());
  EXPECT_EQ(as.find(0x2000), nullptr);
  EXPECT_EQ(as.find(0x8000ffff)->region, ram.get());
  EXPECT_EQ(as.find(0x80010000), nullptr);
  EXPECT_EQ(as.find(0x100000ff)->region, mmio.get());
  EXPECT_EQ(as.ram_ptr(0x80000010, 16, true), ram->host() + 0x10);
  EXPECT_EQ(as.ram_ptr(0x8000fff8, 16, false), nullptr);  // crosses the end
  EXPECT_EQ(as.ram_ptr(0x1000, 4, true), nullptr);         // ROM is not writable
  EXPECT_NE(as.ram_ptr(0x1000, 4, false), nullptr);
}

TEST(AddressSpace, RefusesOverlapAndWrap) {
  auto a = MemoryRegion::make_ram("a", 0x2000);
  auto b = MemoryRegion::make_ram("b", 0x2000);
  AddressSpace as;
  ASSERT_TRUE(as.map(0x10000, a.get()).ok());
  auto r = as.map(0x11000, b.get());
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("overlaps"), std::string::npos);
  EXPECT_FALSE(as.map(0xfffffffffffff000ull, b.get()).ok());
  EXPECT_TRUE(as.map(0x12000, b.get()).ok());
}

TEST(AddressSpace, LoadStoreRamRomMmio) {
  auto ram = MemoryRegion::make_ram("ram", 0x1000);
  auto rom = MemoryRegion::make_rom("rom", 0x1000);
  RecordingMmio dev;
  auto mmio = MemoryRegion::make_mmio("dev", 0x100, &dev);
  AddressSpace as;
  ASSERT_TRUE(as.map(0x0, ram.get()).ok());
  ASSERT_TRUE(as.map(0x1000, rom.get()).ok());
  ASSERT_TRUE(as.map(0x2000, mmio.get()).ok());
  uint64_t v = 0;
  EXPECT_TRUE(as.store(0x10, 8, 0x0102030405060708ull));
  EXPECT_TRUE(as.load(0x10, 4, &v));
  EXPECT_EQ(v, 0x05060708u);
  uint32_t rom_word = 0xdeadbeef;
  EXPECT_TRUE(as.write_rom_or_ram(0x1000, &rom_word, 4));
  EXPECT_TRUE(as.store(0x1000, 4, 0));  // ignored
  EXPECT_TRUE(as.load(0x1000, 4, &v));
  EXPECT_EQ(v, 0xdeadbeefu);
  EXPECT_FALSE(as.load(0x3000, 4, &v));    // unmapped: access fault
  EXPECT_FALSE(as.load(0xffe, 4, &v));     // crosses out of the RAM section
  EXPECT_TRUE(as.load(0x2008, 4, &v));
  ASSERT_EQ(dev.reads.size(), 1u);
  EXPECT_EQ(dev.reads[0], std::make_pair(uint64_t{8}, 4u));
  EXPECT_TRUE(as.store(0x2004, 2, 0xabcd));
  ASSERT_EQ(dev.writes.size(), 1u);
  EXPECT_EQ(dev.writes[0], std::make_tuple(uint64_t{4}, uint64_t{0xabcd}, 2u));
}

TEST(AddressSpace, MmioAccessSizeAdaptation) {
  RecordingMmio dev;
  dev.min = 4;
  dev.max = 4;
  auto mmio = MemoryRegion::make_mmio("dev", 0x100, &dev);
  AddressSpace as;
  ASSERT_TRUE(as.map(0x0, mmio.get()).ok());
  uint64_t v = 0;
  EXPECT_TRUE(as.load(0x1, 1, &v));  // widened to the 4-byte register at 0
  EXPECT_EQ(dev.reads.back(), std::make_pair(uint64_t{0}, 4u));
  EXPECT_EQ(v, 0x77u);
  EXPECT_TRUE(as.load(0x8, 8, &v));  // split into two 4-byte reads
  EXPECT_EQ(dev.reads.size(), 3u);
  EXPECT_TRUE(as.store(0x10, 8, 0x1111111122222222ull));
  ASSERT_EQ(dev.writes.size(), 2u);
  EXPECT_EQ(dev.writes[0], std::make_tuple(uint64_t{0x10}, uint64_t{0x22222222}, 4u));
  EXPECT_EQ(dev.writes[1], std::make_tuple(uint64_t{0x14}, uint64_t{0x11111111}, 4u));
}

TEST(AddressSpace, AliasResolvesToTarget) {
  auto ram = MemoryRegion::make_ram("ram", 0x4000);
  auto alias = MemoryRegion::make_alias("win", ram.get(), 0x1000, 0x1000);
  AddressSpace as;
  ASSERT_TRUE(as.map(0x80000000, ram.get()).ok());
  ASSERT_TRUE(as.map(0x20000000, alias.get()).ok());
  EXPECT_TRUE(as.store(0x20000004, 4, 0x12345678));
  uint64_t v = 0;
  EXPECT_TRUE(as.load(0x80001004, 4, &v));
  EXPECT_EQ(v, 0x12345678u);
  auto bad = MemoryRegion::make_alias("bad", ram.get(), 0x3800, 0x1000);
  EXPECT_FALSE(as.map(0x30000000, bad.get()).ok());
}

TEST(AddressSpace, DmaIsBoundedToRam) {
  auto ram = MemoryRegion::make_ram("ram", 0x1000);
  auto ram2 = MemoryRegion::make_ram("ram2", 0x1000);
  RecordingMmio dev;
  auto mmio = MemoryRegion::make_mmio("dev", 0x100, &dev);
  AddressSpace as;
  ASSERT_TRUE(as.map(0x0, ram.get()).ok());
  ASSERT_TRUE(as.map(0x1000, ram2.get()).ok());
  ASSERT_TRUE(as.map(0x2000, mmio.get()).ok());
  uint8_t buf[32];
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<uint8_t>(i);
  GuestMemory& mem = as;
  EXPECT_TRUE(mem.write(0xff0, buf, 32));  // spans two adjacent RAM regions
  uint8_t back[32] = {};
  EXPECT_TRUE(mem.read(0xff0, back, 32));
  EXPECT_EQ(std::memcmp(buf, back, 32), 0);
  EXPECT_FALSE(mem.write(0x1ff0, buf, 32));  // runs into MMIO: refused, nothing written
  EXPECT_EQ(ram2->host()[0xff0], 0);
  EXPECT_FALSE(mem.read(0xfffffffffffffff0ull, back, 32));  // wraps
  EXPECT_TRUE(dev.writes.empty());
}
