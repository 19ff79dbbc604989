// qcow2 driver: random I/O against an in-memory model for many layouts,
// then close, reopen, and a consistency check that must find nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "block/image.h"
#include "block/qcow2.h"

using namespace mimic::block;

namespace {

struct TempFile {
  std::string path;
  TempFile() {
    char tmpl[] = "/tmp/qcow2_test_XXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    path = tmpl;
  }
  ~TempFile() { unlink(path.c_str()); }
};

std::unique_ptr<Qcow2Driver> open_rw(const std::string& path) {
  auto f = FileProtocol::open(path, true);
  EXPECT_TRUE(f.ok());
  auto q = Qcow2Driver::open(std::move(f.value()), true);
  EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
  return std::move(q.value());
}

void expect_clean(Qcow2Driver& q) {
  auto c = q.check(RepairMode::kNone);
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::string msgs;
  for (auto& m : c->messages) msgs += m + "\n";
  EXPECT_EQ(c->corruptions, 0u) << msgs;
  EXPECT_EQ(c->leaks, 0u) << msgs;
}

void expect_contents(Qcow2Driver& q, const std::vector<uint8_t>& model) {
  std::vector<uint8_t> got(model.size());
  ASSERT_TRUE(q.read(0, got.data(), got.size()).ok());
  for (size_t i = 0; i < model.size(); i++)
    if (got[i] != model[i]) {
      ADD_FAILURE() << "byte " << i << " is " << int(got[i]) << ", expected " << int(model[i]);
      return;
    }
}

struct Layout {
  uint32_t version, cluster_size, refcount_bits;
  qcow2::CompressionType ct;
};

class Qcow2Random : public ::testing::TestWithParam<Layout> {};

TEST_P(Qcow2Random, MatchesModelAndStaysConsistent) {
  const Layout l = GetParam();
  TempFile t;
  Qcow2CreateOptions o;
  o.size = 3 << 20;
  o.version = l.version;
  o.cluster_size = l.cluster_size;
  o.refcount_bits = l.refcount_bits;
  o.compression_type = l.ct;
  ASSERT_TRUE(Qcow2Driver::create(t.path, o).ok());
  std::vector<uint8_t> model(o.size, 0);
  std::mt19937 rng(l.cluster_size + l.refcount_bits + l.version);
  std::vector<std::pair<std::string, std::vector<uint8_t>>> snaps;
  {
    auto q = open_rw(t.path);
    for (int op = 0; op < 300; op++) {
      uint64_t off = rng() % o.size, len = 1 + rng() % (3 * l.cluster_size);
      len = std::min<uint64_t>(len, o.size - off);
      int kind = rng() % 10;
      if (kind < 6) {
        std::vector<uint8_t> buf(len, static_cast<uint8_t>(op + 1));
        ASSERT_TRUE(q->write(off, buf.data(), len).ok());
        std::memcpy(&model[off], buf.data(), len);
      } else if (kind == 6) {
        ASSERT_TRUE(q->write_zeroes(off, len).ok());
        std::memset(&model[off], 0, len);
      } else if (kind == 7) {
        // Discard drops whole clusters only; without a backing file they
        // read as zeros.
        ASSERT_TRUE(q->discard(off, len).ok());
        uint64_t a = (off + l.cluster_size - 1) / l.cluster_size * l.cluster_size;
        uint64_t b = (off + len) / l.cluster_size * l.cluster_size;
        if (off + len == o.size) b = o.size;
        if (b > a) std::memset(&model[a], 0, b - a);
      } else if (kind == 8 && l.refcount_bits > 1) {
        uint64_t gc = off / l.cluster_size * l.cluster_size;
        uint64_t n = std::min<uint64_t>(l.cluster_size, o.size - gc);
        std::vector<uint8_t> buf(n, static_cast<uint8_t>(op));
        for (uint64_t i = 0; i < n; i += 7) buf[i] = 0;
        ASSERT_TRUE(q->write_compressed(gc, buf.data(), n).ok());
        std::memcpy(&model[gc], buf.data(), n);
      } else if (rng() % 4 == 0 && l.refcount_bits > 2) {
        // Snapshots: take one, or go back to an earlier one (COW paths).
        if (snaps.empty() || rng() % 2) {
          std::string name = "s" + std::to_string(op);
          ASSERT_TRUE(q->snapshot_create(name).ok());
          snaps.emplace_back(name, model);
        } else {
          auto& s = snaps[rng() % snaps.size()];
          ASSERT_TRUE(q->snapshot_apply(s.first).ok());
          model = s.second;
        }
      } else {
        ASSERT_TRUE(q->flush().ok());
      }
    }
    expect_contents(*q, model);
    ASSERT_TRUE(q->close().ok());
  }
  auto q = open_rw(t.path);
  expect_contents(*q, model);
  expect_clean(*q);
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, Qcow2Random,
    ::testing::Values(Layout{3, 65536, 16, qcow2::CompressionType::kZlib},
                      Layout{2, 65536, 16, qcow2::CompressionType::kZlib},
                      Layout{3, 512, 1, qcow2::CompressionType::kZlib},
                      Layout{3, 512, 64, qcow2::CompressionType::kZstd},
                      Layout{3, 4096, 2, qcow2::CompressionType::kZlib},
                      Layout{3, 1024, 8, qcow2::CompressionType::kZstd},
                      Layout{2, 2048, 16, qcow2::CompressionType::kZlib},
                      Layout{3, 2 << 20, 32, qcow2::CompressionType::kZlib}));

TEST(Qcow2Driver, SnapshotsKeepTheirContents) {
  TempFile t;
  Qcow2CreateOptions o;
  o.size = 1 << 20;
  o.cluster_size = 4096;
  ASSERT_TRUE(Qcow2Driver::create(t.path, o).ok());
  auto q = open_rw(t.path);
  std::vector<uint8_t> a(o.size, 0xaa), b(o.size / 2, 0xbb);
  ASSERT_TRUE(q->write(0, a.data(), a.size()).ok());
  ASSERT_TRUE(q->snapshot_create("one").ok());
  ASSERT_TRUE(q->write(4096, b.data(), b.size()).ok());
  expect_clean(*q);
  ASSERT_TRUE(q->snapshot_apply("one").ok());
  expect_contents(*q, a);
  expect_clean(*q);
  ASSERT_TRUE(q->snapshot_delete("1").ok());
  EXPECT_TRUE(q->snapshots().empty());
  expect_clean(*q);
  EXPECT_FALSE(q->snapshot_apply("one").ok());
}

TEST(Qcow2Driver, LazyRefcountsDirtyImageIsRepairedOnOpen) {
  TempFile t;
  Qcow2CreateOptions o;
  o.size = 1 << 20;
  o.lazy_refcounts = true;
  ASSERT_TRUE(Qcow2Driver::create(t.path, o).ok());
  std::vector<uint8_t> buf(200000, 0x42);
  {
    auto q = open_rw(t.path);
    ASSERT_TRUE(q->write(1000, buf.data(), buf.size()).ok());
    ASSERT_TRUE(q->flush().ok());
    EXPECT_TRUE(q->header().incompatible_features & qcow2::kIncompatDirty);
    // Simulate a crash: the file is copied while the driver still holds
    // refcounts that were never written.
    std::string copy = t.path + ".crash";
    ASSERT_EQ(system(("cp " + t.path + " " + copy).c_str()), 0);
    auto f = FileProtocol::open(copy, false);
    auto ro = Qcow2Driver::open(std::move(f.value()), false);
    ASSERT_TRUE(ro.ok());
    EXPECT_TRUE((*ro)->header().incompatible_features & qcow2::kIncompatDirty);
    auto c = (*ro)->check(RepairMode::kNone);
    ASSERT_TRUE(c.ok());
    EXPECT_GT(c->corruptions, 0u);  // refcounts on disk are stale
    auto rw = open_rw(copy);          // opening for writing repairs
    EXPECT_FALSE(rw->header().incompatible_features & qcow2::kIncompatDirty);
    expect_clean(*rw);
    std::vector<uint8_t> got(buf.size());
    ASSERT_TRUE(rw->read(1000, got.data(), got.size()).ok());
    EXPECT_EQ(got, buf);
    unlink(copy.c_str());
  }
  auto q = open_rw(t.path);
  EXPECT_FALSE(q->header().incompatible_features & qcow2::kIncompatDirty);
  expect_clean(*q);
}

TEST(Qcow2Driver, ResizeGrowsL1AndShrinkDropsClusters) {
  TempFile t;
  Qcow2CreateOptions o;
  o.size = 1 << 20;
  o.cluster_size = 512;
  ASSERT_TRUE(Qcow2Driver::create(t.path, o).ok());
  auto q = open_rw(t.path);
  std::vector<uint8_t> buf(1 << 20, 7);
  ASSERT_TRUE(q->write(0, buf.data(), buf.size()).ok());
  ASSERT_TRUE(q->truncate(64 << 20).ok());
  EXPECT_EQ(q->length(), 64u << 20);
  ASSERT_TRUE(q->write((64 << 20) - 512, buf.data(), 512).ok());
  expect_clean(*q);
  ASSERT_TRUE(q->truncate(4096).ok());
  expect_clean(*q);
  std::vector<uint8_t> got(4096);
  ASSERT_TRUE(q->read(0, got.data(), 4096).ok());
  EXPECT_EQ(got, std::vector<uint8_t>(4096, 7));
}

TEST(Qcow2Driver, BackingFileReadsAndCopyOnWrite) {
  TempFile base, top;
  Qcow2CreateOptions o;
  o.size = 1 << 20;
  ASSERT_TRUE(Qcow2Driver::create(base.path, o).ok());
  {
    auto b = open_rw(base.path);
    std::vector<uint8_t> buf(o.size, 0x5a);
    ASSERT_TRUE(b->write(0, buf.data(), buf.size()).ok());
    ASSERT_TRUE(b->close().ok());
  }
  o.backing_file = base.path;
  o.backing_format = "qcow2";
  ASSERT_TRUE(Qcow2Driver::create(top.path, o).ok());
  OpenOptions oo;
  oo.writable = true;
  auto d = open_image(top.path, oo);
  ASSERT_TRUE(d.ok()) << d.error().message;
  uint8_t x = 1;
  ASSERT_TRUE((*d)->write(70000, &x, 1).ok());  // partial cluster: COW from backing
  ASSERT_TRUE((*d)->discard(0, 65536).ok());    // v3 + backing: reads zeros
  std::vector<uint8_t> got(o.size);
  ASSERT_TRUE((*d)->read(0, got.data(), got.size()).ok());
  for (size_t i = 0; i < got.size(); i++) {
    uint8_t want = i < 65536 ? 0 : i == 70000 ? 1 : 0x5a;
    ASSERT_EQ(got[i], want) << i;
  }
  auto* q = dynamic_cast<Qcow2Driver*>(d->get());
  ASSERT_TRUE(q->unmap(0, o.size).ok());
  ASSERT_TRUE((*d)->read(0, got.data(), got.size()).ok());
  EXPECT_EQ(got, std::vector<uint8_t>(o.size, 0x5a));
  expect_clean(*q);
}

TEST(BlockImage, BackingLoopIsRefused) {
  TempFile a, b;
  Qcow2CreateOptions o;
  o.size = 1 << 20;
  o.backing_file = b.path;
  o.backing_format = "qcow2";
  ASSERT_TRUE(Qcow2Driver::create(a.path, o).ok());
  o.backing_file = a.path;
  ASSERT_TRUE(Qcow2Driver::create(b.path, o).ok());
  auto d = open_image(a.path, OpenOptions{});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("loop"), std::string::npos) << d.error().message;
}

}  // namespace
