// qcow2 header and snapshot-entry parsing: round trips and refusals
// (QEMU docs/interop/qcow2.txt).
#include <gtest/gtest.h>

#include "block/qcow2_header.h"

using namespace mimic::block::qcow2;

namespace {

std::vector<uint8_t> make(const Header& h) {
  auto r = serialize_header(h);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  auto v = r.value();
  v.resize(h.cluster_size(), 0);
  return v;
}

Header basic() {
  Header h;
  h.cluster_bits = 16;
  h.size = 1 << 30;
  h.l1_size = 2;
  h.l1_table_offset = 3 << 16;
  h.refcount_table_offset = 1 << 16;
  h.refcount_table_clusters = 1;
  return h;
}

TEST(Qcow2Header, RoundTripV3) {
  Header h = basic();
  h.backing_file = "base.qcow2";
  h.backing_format = "qcow2";
  h.compatible_features = kCompatLazyRefcounts;
  h.refcount_order = 6;
  auto bytes = make(h);
  auto p = parse_header(bytes.data(), bytes.size(), 1 << 20);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->version, 3u);
  EXPECT_EQ(p->size, 1ull << 30);
  EXPECT_EQ(p->backing_file, "base.qcow2");
  EXPECT_EQ(p->backing_format, "qcow2");
  EXPECT_EQ(p->refcount_bits(), 64u);
  EXPECT_EQ(p->compatible_features, kCompatLazyRefcounts);
  EXPECT_FALSE(p->feature_names.empty());
}

TEST(Qcow2Header, RoundTripV2) {
  Header h = basic();
  h.version = 2;
  auto bytes = make(h);
  auto p = parse_header(bytes.data(), bytes.size(), 1 << 20);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->version, 2u);
  EXPECT_EQ(p->refcount_bits(), 16u);
  EXPECT_EQ(p->header_length, 72u);
}

TEST(Qcow2Header, ZstdNeedsIncompatibleBit) {
  Header h = basic();
  h.compression_type = CompressionType::kZstd;
  h.incompatible_features = kIncompatCompression;
  auto bytes = make(h);
  auto p = parse_header(bytes.data(), bytes.size(), 1 << 20);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->compression_type, CompressionType::kZstd);
  bytes[79] = 0;  // clear the bit, keep the field
  EXPECT_FALSE(parse_header(bytes.data(), bytes.size(), 1 << 20).ok());
}

TEST(Qcow2Header, RefusesUnknownIncompatibleFeatureByName) {
  Header h = basic();
  auto bytes = make(h);
  bytes[79] |= 1 << 4;  // extended L2 entries
  auto p = parse_header(bytes.data(), bytes.size(), 1 << 20);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("extended L2 entries"), std::string::npos) << p.error().message;
  bytes[79] = 0;
  bytes[72] = 0x80;  // bit 63: no name in the table
  p = parse_header(bytes.data(), bytes.size(), 1 << 20);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("63"), std::string::npos);
}

TEST(Qcow2Header, RefusesBadFields) {
  struct Case {
    size_t off;
    std::vector<uint8_t> bytes;
  } cases[] = {
      {0, {0, 0, 0, 0}},                     // magic
      {4, {0, 0, 0, 4}},                     // version
      {20, {0, 0, 0, 8}},                    // cluster_bits too small
      {20, {0, 0, 0, 22}},                   // too large
      {32, {0, 0, 0, 1}},                    // AES encryption
      {36, {0, 0, 0, 1}},                    // L1 too small for 1 GiB
      {40, {0, 0, 0, 0, 0, 3, 0, 1}},        // L1 unaligned
      {40, {0, 0, 0, 1, 0, 0, 0, 0}},        // L1 past the end of the file
      {48, {0, 0, 0, 0, 0, 0, 0, 0}},        // refcount table at 0
      {56, {0x7f, 0, 0, 0}},                 // refcount table huge
      {60, {0, 2, 0, 0}},                    // too many snapshots
      {96, {0, 0, 0, 7}},                    // refcount_order 7
      {100, {0, 0, 0, 100}},                 // header_length not a multiple of 8
      {24, {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},  // absurd size
  };
  for (const auto& c : cases) {
    auto bytes = make(basic());
    std::copy(c.bytes.begin(), c.bytes.end(), bytes.begin() + c.off);
    EXPECT_FALSE(parse_header(bytes.data(), bytes.size(), 1 << 20).ok()) << "offset " << c.off;
  }
}

TEST(Qcow2Header, RefusesTruncatedAndOverlongExtensions) {
  auto bytes = make(basic());
  EXPECT_FALSE(parse_header(bytes.data(), 50, 1 << 20).ok());
  // First extension (at header_length 112) claims a huge length.
  put_be32(&bytes[112], 0x12345678);
  put_be32(&bytes[116], 0xffffff00);
  EXPECT_FALSE(parse_header(bytes.data(), bytes.size(), 1 << 20).ok());
}

TEST(Qcow2Header, L1EntriesFor) {
  EXPECT_EQ(l1_entries_for(0, 16), 0u);
  EXPECT_EQ(l1_entries_for(1, 16), 1u);
  EXPECT_EQ(l1_entries_for(512ull << 20, 16), 1u);  // one L2 maps 512 MiB
  EXPECT_EQ(l1_entries_for((512ull << 20) + 1, 16), 2u);
  EXPECT_EQ(l1_entries_for(1 << 20, 9), 32u);  // 512 B clusters: 32 KiB per L2
}

TEST(Qcow2Snapshot, EntryRoundTrip) {
  SnapshotEntry e;
  e.l1_table_offset = 5 << 16;
  e.l1_size = 3;
  e.id = "7";
  e.name = "before upgrade";
  e.date_sec = 1700000000;
  e.vm_state_size = 1ull << 33;
  e.disk_size = 1 << 30;
  auto bytes = serialize_snapshot_entry(e, 3);
  EXPECT_EQ(bytes.size() % 8, 0u);
  size_t used = 0;
  auto p = parse_snapshot_entry(bytes.data(), bytes.size(), &used, 16);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(used, bytes.size());
  EXPECT_EQ(p->name, e.name);
  EXPECT_EQ(p->id, e.id);
  EXPECT_EQ(p->vm_state_size, e.vm_state_size);
  EXPECT_EQ(p->disk_size, e.disk_size);
  EXPECT_FALSE(parse_snapshot_entry(bytes.data(), 39, &used, 16).ok());
  EXPECT_FALSE(parse_snapshot_entry(bytes.data(), bytes.size() - 8, &used, 16).ok());
}

}  // namespace
