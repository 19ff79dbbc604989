#pragma once
// qcow2 on-disk structures: the image header with its extensions and the
// snapshot table entries, parsed from and serialized to big-endian bytes.
// Pure functions of their input, so they can be fuzzed in isolation.
// Reference: QEMU docs/interop/qcow2.txt ("Header", "Header extensions",
// "Feature name table", "Snapshots").
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace mimic::block::qcow2 {

inline constexpr uint32_t kMagic = 0x514649fb;  // "QFI\xfb"
inline constexpr uint32_t kMinClusterBits = 9;
inline constexpr uint32_t kMaxClusterBits = 21;  // 2 MiB, the QEMU limit
inline constexpr uint64_t kMaxL1Bytes = 32ull << 20;
inline constexpr uint64_t kMaxRefcountTableBytes = 8ull << 20;
inline constexpr uint32_t kMaxSnapshots = 65536;
inline constexpr uint64_t kMaxSnapshotTableBytes = 64ull << 20;
inline constexpr uint64_t kMaxHostOffset = 1ull << 56;  // L1/L2 entry bits 9-55

// incompatible_features bits
inline constexpr uint64_t kIncompatDirty = 1ull << 0;
inline constexpr uint64_t kIncompatCorrupt = 1ull << 1;
inline constexpr uint64_t kIncompatDataFile = 1ull << 2;
inline constexpr uint64_t kIncompatCompression = 1ull << 3;
inline constexpr uint64_t kIncompatExtL2 = 1ull << 4;
inline constexpr uint64_t kIncompatSupported = kIncompatDirty | kIncompatCorrupt | kIncompatCompression;
// compatible_features bits
inline constexpr uint64_t kCompatLazyRefcounts = 1ull << 0;

// Header extension types
inline constexpr uint32_t kExtEnd = 0;
inline constexpr uint32_t kExtBackingFormat = 0xe2792aca;
inline constexpr uint32_t kExtFeatureTable = 0x6803f857;
inline constexpr uint32_t kExtBitmaps = 0x23852875;
inline constexpr uint32_t kExtCrypto = 0x0537be77;
inline constexpr uint32_t kExtDataFile = 0x44415441;

// L1/L2 entry fields
inline constexpr uint64_t kOflagCopied = 1ull << 63;
inline constexpr uint64_t kOflagCompressed = 1ull << 62;
inline constexpr uint64_t kOflagZero = 1ull << 0;
inline constexpr uint64_t kL1OffsetMask = 0x00fffffffffffe00ull;
inline constexpr uint64_t kL2OffsetMask = 0x00fffffffffffe00ull;
inline constexpr uint64_t kRefTableOffsetMask = 0xfffffffffffffe00ull;

enum class CompressionType : uint8_t { kZlib = 0, kZstd = 1 };

struct FeatureName {
  uint8_t type = 0;  // 0 incompatible, 1 compatible, 2 autoclear
  uint8_t bit = 0;
  std::string name;
};

struct HeaderExtension {  // an extension kept verbatim (unknown or unused)
  uint32_t type = 0;
  std::vector<uint8_t> data;
};

struct Header {
  uint32_t version = 3;
  uint64_t backing_file_offset = 0;
  uint32_t backing_file_size = 0;
  uint32_t cluster_bits = 16;
  uint64_t size = 0;
  uint32_t crypt_method = 0;
  uint32_t l1_size = 0;
  uint64_t l1_table_offset = 0;
  uint64_t refcount_table_offset = 0;
  uint32_t refcount_table_clusters = 0;
  uint32_t nb_snapshots = 0;
  uint64_t snapshots_offset = 0;
  uint64_t incompatible_features = 0;
  uint64_t compatible_features = 0;
  uint64_t autoclear_features = 0;
  uint32_t refcount_order = 4;
  uint32_t header_length = 104;
  CompressionType compression_type = CompressionType::kZlib;

  std::string backing_file;
  std::string backing_format;
  std::vector<FeatureName> feature_names;
  std::vector<HeaderExtension> other_extensions;  // preserved on rewrite

  uint64_t cluster_size() const { return 1ull << cluster_bits; }
  uint32_t refcount_bits() const { return 1u << refcount_order; }
};

// Parses the header from the first bytes of the image (`len` bytes, at
// least the first cluster or the whole file if shorter). `file_size` bounds
// every table offset. Refuses unknown incompatible features, encryption,
// external data files and extended L2 entries with a one-line message.
Result<Header> parse_header(const uint8_t* data, size_t len, uint64_t file_size);

// Serializes the header, extensions and backing file name into one cluster.
// Fails if they do not fit. The dirty bit etc. are taken from `h` as is.
Result<std::vector<uint8_t>> serialize_header(const Header& h);

// Number of L1 entries needed for a virtual size.
uint64_t l1_entries_for(uint64_t size, uint32_t cluster_bits);

struct SnapshotEntry {
  uint64_t l1_table_offset = 0;
  uint32_t l1_size = 0;
  std::string id;
  std::string name;
  uint32_t date_sec = 0;
  uint32_t date_nsec = 0;
  uint64_t vm_clock_nsec = 0;
  uint64_t vm_state_size = 0;
  uint64_t disk_size = 0;
  bool has_disk_size = false;
  std::vector<uint8_t> extra;  // extra data beyond what we interpret, kept
};

// Parses one snapshot table entry from p[0..avail). On success sets *used to
// the entry size including padding.
Result<SnapshotEntry> parse_snapshot_entry(const uint8_t* p, size_t avail, size_t* used,
                                           uint32_t cluster_bits);
std::vector<uint8_t> serialize_snapshot_entry(const SnapshotEntry& e, uint32_t version);

// Big-endian helpers.
inline uint64_t be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}
inline uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline void put_be64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
inline void put_be32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; i--, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
inline void put_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

}  // namespace mimic::block::qcow2
