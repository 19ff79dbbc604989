#pragma once
// A fake virtio driver for virtio-blk tests with the block I/O thread:
// several requests in flight at once, each in its own slot (three
// descriptors, a header, a data area and a status byte), notified with the
// big lock held as MMIO dispatch does, completions awaited with a deadline.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_mmio.h"
#include "memory/address_space.h"
#include "memory/bql.h"

namespace mimic::test {

// Runs a shell command quietly; its exit status, or -1.
inline int sh(const std::string& cmd) {
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
inline bool have_qemu_img() { return sh("qemu-img --version") == 0; }

inline std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
inline void spill(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory on the build's file system (O_DIRECT works there),
// removed with its contents.
struct TempDir {
  std::string path;
  TempDir() {
    std::string t = ::testing::TempDir() + "mimic-blk-XXXXXX";
    path = mkdtemp(t.data()) ? t : "";
  }
  ~TempDir() {
    if (!path.empty()) (void)sh("rm -rf '" + path + "'");
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

struct BlkLevelSink final : hw::IrqSink {
  bool level = false;
  void set_irq(uint32_t, bool l) override { level = l; }
};

struct BlkHarness {
  static constexpr uint64_t kRam = 0x80000000;
  static constexpr uint16_t kQSize = 32;
  static constexpr uint64_t kDesc = kRam + 0x10000, kAvail = kRam + 0x11000, kUsed = kRam + 0x12000;
  static constexpr uint64_t kSlotData = 0x10000;  // bytes of data per slot
  memory::AddressSpace as;
  std::unique_ptr<memory::MemoryRegion> ram =
      memory::MemoryRegion::make_ram("ram", 0x200000 + 16 * kSlotData);
  BlkLevelSink irq;
  std::unique_ptr<hw::virtio::VirtioMmio> mmio;
  uint16_t avail_idx = 0;

  explicit BlkHarness(hw::virtio::VirtioDevice* dev) {
    EXPECT_TRUE(as.map(kRam, ram.get()).ok());
    mmio = std::make_unique<hw::virtio::VirtioMmio>(&as, hw::IrqLine(&irq, 1), dev);
  }
  uint32_t rd(uint64_t off) {
    memory::BigLockGuard g(memory::big_lock());
    return static_cast<uint32_t>(mmio->read(off, 4));
  }
  void wr(uint64_t off, uint32_t v) {
    memory::BigLockGuard g(memory::big_lock());
    mmio->write(off, v, 4);
  }
  uint64_t features() {
    wr(hw::virtio::VirtioMmio::kDeviceFeaturesSel, 0);
    uint64_t f = rd(hw::virtio::VirtioMmio::kDeviceFeatures);
    wr(hw::virtio::VirtioMmio::kDeviceFeaturesSel, 1);
    return f | uint64_t{rd(hw::virtio::VirtioMmio::kDeviceFeatures)} << 32;
  }
  // §3.1.1 with every offered feature accepted.
  void init() {
    using M = hw::virtio::VirtioMmio;
    wr(M::kStatus, 0);
    wr(M::kStatus, M::kAcknowledge | M::kDriver);
    uint64_t f = features();
    wr(M::kDriverFeaturesSel, 0);
    wr(M::kDriverFeatures, static_cast<uint32_t>(f));
    wr(M::kDriverFeaturesSel, 1);
    wr(M::kDriverFeatures, static_cast<uint32_t>(f >> 32));
    wr(M::kStatus, M::kAcknowledge | M::kDriver | M::kFeaturesOk);
    // Fresh rings, as a driver allocates them.
    std::vector<uint8_t> zero(0x1000, 0);
    ASSERT_TRUE(as.write(kAvail, zero.data(), zero.size()));
    ASSERT_TRUE(as.write(kUsed, zero.data(), zero.size()));
    avail_idx = 0;
    wr(M::kQueueSel, 0);
    wr(M::kQueueNum, kQSize);
    wr(M::kQueueDescLow, static_cast<uint32_t>(kDesc));
    wr(M::kQueueDriverLow, static_cast<uint32_t>(kAvail));
    wr(M::kQueueDeviceLow, static_cast<uint32_t>(kUsed));
    wr(M::kQueueReady, 1);
    wr(M::kStatus, M::kAcknowledge | M::kDriver | M::kFeaturesOk | M::kDriverOk);
    ASSERT_TRUE(rd(M::kStatus) & M::kDriverOk);
  }
  static uint64_t header(int slot) { return kRam + 0x20000 + 0x100 * slot; }
  static uint64_t status_addr(int slot) { return header(slot) + 0x80; }
  static uint64_t data(int slot) { return kRam + 0x200000 + kSlotData * slot; }
  void put_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t d[16];
    std::memcpy(d, &addr, 8);
    std::memcpy(d + 8, &len, 4);
    std::memcpy(d + 12, &flags, 2);
    std::memcpy(d + 14, &next, 2);
    ASSERT_TRUE(as.write(kDesc + 16 * i, d, 16));
  }
  // Queues one request in `slot` (descriptors 3*slot..3*slot+2) and
  // notifies. Data for a write is taken from data(slot).
  void submit(int slot, uint32_t type, uint64_t sector, uint32_t data_len,
              bool device_writes_data) {
    using hw::virtio::kDescNext;
    using hw::virtio::kDescWrite;
    uint8_t h[16] = {};
    std::memcpy(h, &type, 4);
    std::memcpy(h + 8, &sector, 8);
    ASSERT_TRUE(as.write(header(slot), h, 16));
    uint8_t poison = 0xee;
    ASSERT_TRUE(as.write(status_addr(slot), &poison, 1));
    uint16_t d0 = static_cast<uint16_t>(3 * slot);
    if (data_len > 0) {
      put_desc(d0, header(slot), 16, kDescNext, d0 + 1);
      put_desc(d0 + 1, data(slot), data_len, kDescNext | (device_writes_data ? kDescWrite : 0),
               d0 + 2);
    } else {
      put_desc(d0, header(slot), 16, kDescNext, d0 + 2);
    }
    put_desc(d0 + 2, status_addr(slot), 1, kDescWrite, 0);
    ASSERT_TRUE(as.write(kAvail + 4 + 2 * (avail_idx % kQSize), &d0, 2));
    ++avail_idx;
    ASSERT_TRUE(as.write(kAvail + 2, &avail_idx, 2));
    wr(hw::virtio::VirtioMmio::kQueueNotify, 0);
  }
  // Guest-side reads of what the device wrote take the big lock, which the
  // device holds while completing (a real guest orders them with barriers).
  uint16_t used_idx() {
    memory::BigLockGuard g(memory::big_lock());
    uint16_t v = 0;
    as.read(kUsed + 2, &v, 2);
    return v;
  }
  // Waits (at most 20 s) until the used index reaches n.
  bool wait_used(uint16_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (used_idx() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }
  std::pair<uint32_t, uint32_t> used_elem(uint16_t i) {
    memory::BigLockGuard g(memory::big_lock());
    uint32_t e[2] = {};
    as.read(kUsed + 4 + 8 * (i % kQSize), e, 8);
    return {e[0], e[1]};
  }
  uint8_t status(int slot) {
    memory::BigLockGuard g(memory::big_lock());
    uint8_t s = 0;
    as.read(status_addr(slot), &s, 1);
    return s;
  }
  void fill(int slot, const std::vector<uint8_t>& bytes) {
    ASSERT_TRUE(as.write(data(slot), bytes.data(), bytes.size()));
  }
  std::vector<uint8_t> read_data(int slot, size_t n) {
    memory::BigLockGuard g(memory::big_lock());
    std::vector<uint8_t> v(n);
    EXPECT_TRUE(as.read(data(slot), v.data(), n));
    return v;
  }
  // One request, waited for; returns its status.
  uint8_t run(int slot, uint32_t type, uint64_t sector, uint32_t data_len,
              bool device_writes_data) {
    uint16_t target = static_cast<uint16_t>(used_idx() + 1);
    submit(slot, type, sector, data_len, device_writes_data);
    EXPECT_TRUE(wait_used(target)) << "request did not complete";
    return status(slot);
  }
};

}  // namespace mimic::test
