#include "block/qcow2_header.h"

#include <cstring>

namespace mimic::block::qcow2 {

namespace {

bool aligned(uint64_t v, uint64_t cluster_size) { return (v & (cluster_size - 1)) == 0; }

// True if [off, off+len) lies within [0, limit) without overflow.
bool in_range(uint64_t off, uint64_t len, uint64_t limit) {
  return off <= limit && len <= limit - off;
}

std::string feature_label(const Header& h, uint64_t bit) {
  for (const auto& f : h.feature_names)
    if (f.type == 0 && f.bit == bit) return f.name;
  return "Unknown incompatible feature: " + std::to_string(bit);
}

Result<void> parse_extensions(Header& h, const uint8_t* data, size_t len) {
  size_t pos = h.header_length;
  // The area ends at the backing file name if there is one, else at the end
  // of the first cluster (spec: "Header extensions").
  size_t end = len;
  if (h.backing_file_offset != 0 && h.backing_file_offset < end) end = h.backing_file_offset;
  bool seen_format = false, seen_features = false;
  for (int count = 0;; count++) {
    if (pos == end && h.version == 2) break;  // v2 images may lack an end marker
    if (end - pos < 8 || pos > end) return make_error("Header extension area is truncated");
    uint32_t type = be32(data + pos);
    uint32_t ext_len = be32(data + pos + 4);
    pos += 8;
    if (type == kExtEnd) break;
    if (ext_len > end - pos) return make_error("Header extension length exceeds the header area");
    const uint8_t* p = data + pos;
    switch (type) {
      case kExtBackingFormat:
        if (seen_format) return make_error("Duplicate backing format header extension");
        seen_format = true;
        if (ext_len > 1023) return make_error("Backing format name is too long");
        h.backing_format.assign(reinterpret_cast<const char*>(p), ext_len);
        break;
      case kExtFeatureTable: {
        if (seen_features) return make_error("Duplicate feature name table");
        seen_features = true;
        for (size_t i = 0; i + 48 <= ext_len; i += 48) {
          FeatureName f;
          f.type = p[i];
          f.bit = p[i + 1];
          f.name.assign(reinterpret_cast<const char*>(p + i + 2), strnlen(reinterpret_cast<const char*>(p + i + 2), 46));
          h.feature_names.push_back(std::move(f));
        }
        break;
      }
      case kExtCrypto:
        return make_error("Encrypted images are not supported");
      case kExtDataFile:
        return make_error("External data files are not supported");
      default:
        h.other_extensions.push_back({type, std::vector<uint8_t>(p, p + ext_len)});
        break;
    }
    pos += (ext_len + 7) & ~size_t{7};
    if (count > 1024) return make_error("Too many header extensions");
  }
  return {};
}

}  // namespace

uint64_t l1_entries_for(uint64_t size, uint32_t cluster_bits) {
  uint64_t per_l2_bits = cluster_bits - 3;
  uint64_t span_bits = cluster_bits + per_l2_bits;
  return (size >> span_bits) + ((size & ((1ull << span_bits) - 1)) != 0);
}

Result<Header> parse_header(const uint8_t* data, size_t len, uint64_t file_size) {
  if (len < 72) return make_error("Image is not in qcow2 format (header truncated)");
  if (be32(data) != kMagic) return make_error("Image is not in qcow2 format");
  Header h;
  h.version = be32(data + 4);
  if (h.version != 2 && h.version != 3)
    return make_error("Unsupported qcow2 version " + std::to_string(h.version));
  h.backing_file_offset = be64(data + 8);
  h.backing_file_size = be32(data + 16);
  h.cluster_bits = be32(data + 20);
  h.size = be64(data + 24);
  h.crypt_method = be32(data + 32);
  h.l1_size = be32(data + 36);
  h.l1_table_offset = be64(data + 40);
  h.refcount_table_offset = be64(data + 48);
  h.refcount_table_clusters = be32(data + 56);
  h.nb_snapshots = be32(data + 60);
  h.snapshots_offset = be64(data + 64);
  if (h.cluster_bits < kMinClusterBits || h.cluster_bits > kMaxClusterBits)
    return make_error("Unsupported cluster size: 2^" + std::to_string(h.cluster_bits));
  const uint64_t cs = h.cluster_size();
  if (h.version == 2) {
    h.header_length = 72;
    h.refcount_order = 4;
  } else {
    if (len < 104) return make_error("qcow2 header is truncated");
    h.incompatible_features = be64(data + 72);
    h.compatible_features = be64(data + 80);
    h.autoclear_features = be64(data + 88);
    h.refcount_order = be32(data + 96);
    h.header_length = be32(data + 100);
    if (h.header_length < 104 || h.header_length % 8 != 0)
      return make_error("qcow2 header length is invalid");
    if (h.header_length > cs || h.header_length > len)
      return make_error("qcow2 header exceeds cluster size");
    if (h.refcount_order > 6) return make_error("Reference count entry width too large; may not exceed 64 bits");
  }
  // Only the first cluster holds the header; ignore whatever follows it.
  if (len > cs) len = cs;
  if (h.header_length > 104) {
    uint8_t ct = data[104];
    if (ct > 1) return make_error("Unknown compression type " + std::to_string(ct));
    h.compression_type = static_cast<CompressionType>(ct);
  }
  bool ct_bit = (h.incompatible_features & kIncompatCompression) != 0;
  if (ct_bit != (h.compression_type != CompressionType::kZlib))
    return make_error("Compression type header field and incompatible feature bit disagree");
  // Backing file name: in the first cluster, at most 1023 bytes.
  if (h.backing_file_offset != 0) {
    if (h.backing_file_size > 1023 || !in_range(h.backing_file_offset, h.backing_file_size, len))
      return make_error("Invalid backing file offset");
    h.backing_file.assign(reinterpret_cast<const char*>(data + h.backing_file_offset), h.backing_file_size);
  }
  if (auto r = parse_extensions(h, data, len); !r) return r.error();
  if (h.crypt_method != 0) return make_error("Encrypted images are not supported");
  if (uint64_t bad = h.incompatible_features & ~kIncompatSupported; bad) {
    std::string names;
    for (uint64_t b = 0; b < 64; b++)
      if (bad & (1ull << b)) names += (names.empty() ? "" : ", ") + feature_label(h, b);
    return make_error("Unsupported qcow2 feature(s): " + names);
  }
  // Tables: aligned, within the file, of bounded size.
  if (h.size > (1ull << 62)) return make_error("Image size is too large");
  uint64_t need_l1 = l1_entries_for(h.size, h.cluster_bits);
  if (uint64_t{h.l1_size} * 8 > kMaxL1Bytes) return make_error("Active L1 table too large");
  if (h.l1_size < need_l1) return make_error("L1 table is too small");
  if (h.l1_size > 0 && (!aligned(h.l1_table_offset, cs) || !in_range(h.l1_table_offset, uint64_t{h.l1_size} * 8, file_size)))
    return make_error("Invalid L1 table offset");
  if (h.refcount_table_clusters == 0 || uint64_t{h.refcount_table_clusters} * cs > kMaxRefcountTableBytes)
    return make_error("Reference count table size is invalid");
  if (!aligned(h.refcount_table_offset, cs) || h.refcount_table_offset == 0 ||
      !in_range(h.refcount_table_offset, uint64_t{h.refcount_table_clusters} * cs, file_size + cs))
    return make_error("Invalid reference count table offset");
  if (h.nb_snapshots > kMaxSnapshots) return make_error("Too many snapshots");
  if (h.nb_snapshots > 0 && (!aligned(h.snapshots_offset, cs) || h.snapshots_offset == 0 ||
                             h.snapshots_offset >= file_size))
    return make_error("Invalid snapshot table offset");
  return h;
}

namespace {
Result<std::vector<uint8_t>> serialize_header_impl(const Header& h, bool feature_table);
}

// The feature name table is optional: it is left out when it does not fit
// (512-byte clusters with a backing file).
Result<std::vector<uint8_t>> serialize_header(const Header& h) {
  auto r = serialize_header_impl(h, true);
  if (!r && h.version >= 3) r = serialize_header_impl(h, false);
  return r;
}

namespace {
Result<std::vector<uint8_t>> serialize_header_impl(const Header& h, bool feature_table) {
  const uint64_t cs = h.cluster_size();
  std::vector<uint8_t> out(h.version == 2 ? 72 : 112, 0);
  put_be32(&out[0], kMagic);
  put_be32(&out[4], h.version);
  put_be32(&out[20], h.cluster_bits);
  put_be64(&out[24], h.size);
  put_be32(&out[32], h.crypt_method);
  put_be32(&out[36], h.l1_size);
  put_be64(&out[40], h.l1_table_offset);
  put_be64(&out[48], h.refcount_table_offset);
  put_be32(&out[56], h.refcount_table_clusters);
  put_be32(&out[60], h.nb_snapshots);
  put_be64(&out[64], h.snapshots_offset);
  if (h.version >= 3) {
    put_be64(&out[72], h.incompatible_features);
    put_be64(&out[80], h.compatible_features);
    put_be64(&out[88], h.autoclear_features);
    put_be32(&out[96], h.refcount_order);
    put_be32(&out[100], 112);
    out[104] = static_cast<uint8_t>(h.compression_type);
  }
  auto add_ext = [&](uint32_t type, const uint8_t* p, size_t n) {
    size_t pos = out.size();
    out.resize(pos + 8 + ((n + 7) & ~size_t{7}), 0);
    put_be32(&out[pos], type);
    put_be32(&out[pos + 4], static_cast<uint32_t>(n));
    if (n) std::memcpy(&out[pos + 8], p, n);
  };
  if (!h.backing_format.empty())
    add_ext(kExtBackingFormat, reinterpret_cast<const uint8_t*>(h.backing_format.data()), h.backing_format.size());
  if (h.version >= 3 && feature_table) {
    // The feature name table names every feature we know, so other tools can
    // print a useful message.
    static const FeatureName kNames[] = {
        {0, 0, "dirty bit"}, {0, 1, "corrupt bit"}, {0, 2, "external data file"},
        {0, 3, "compression type"}, {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"},
        {2, 0, "bitmaps"}, {2, 1, "raw external data"}};
    std::vector<uint8_t> t(48 * std::size(kNames), 0);
    for (size_t i = 0; i < std::size(kNames); i++) {
      t[i * 48] = kNames[i].type;
      t[i * 48 + 1] = kNames[i].bit;
      std::memcpy(&t[i * 48 + 2], kNames[i].name.data(), kNames[i].name.size());
    }
    add_ext(kExtFeatureTable, t.data(), t.size());
  }
  for (const auto& e : h.other_extensions) add_ext(e.type, e.data.data(), e.data.size());
  add_ext(kExtEnd, nullptr, 0);
  if (!h.backing_file.empty()) {
    if (h.backing_file.size() > 1023) return make_error("Backing file name too long");
    put_be64(&out[8], out.size());
    put_be32(&out[16], static_cast<uint32_t>(h.backing_file.size()));
    out.insert(out.end(), h.backing_file.begin(), h.backing_file.end());
  }
  if (out.size() > cs) return make_error("Header and extensions do not fit in the first cluster");
  return out;
}
}  // namespace

Result<SnapshotEntry> parse_snapshot_entry(const uint8_t* p, size_t avail, size_t* used,
                                           uint32_t cluster_bits) {
  if (avail < 40) return make_error("Snapshot table is truncated");
  SnapshotEntry e;
  e.l1_table_offset = be64(p);
  e.l1_size = be32(p + 8);
  uint16_t id_len = be16(p + 12), name_len = be16(p + 14);
  e.date_sec = be32(p + 16);
  e.date_nsec = be32(p + 20);
  e.vm_clock_nsec = be64(p + 24);
  e.vm_state_size = be32(p + 32);
  uint32_t extra_len = be32(p + 36);
  if (extra_len > 1024) return make_error("Snapshot extra data is too large");
  uint64_t total = 40ull + extra_len + id_len + name_len;
  total = (total + 7) & ~uint64_t{7};
  if (total > avail && 40ull + extra_len + id_len + name_len > avail)
    return make_error("Snapshot table is truncated");
  const uint8_t* x = p + 40;
  if (extra_len >= 8) e.vm_state_size = be64(x);
  if (extra_len >= 16) {
    e.disk_size = be64(x + 8);
    e.has_disk_size = true;
  }
  if (extra_len > 16) e.extra.assign(x + 16, x + extra_len);
  e.id.assign(reinterpret_cast<const char*>(x + extra_len), id_len);
  e.name.assign(reinterpret_cast<const char*>(x + extra_len + id_len), name_len);
  if ((e.l1_table_offset & ((1ull << cluster_bits) - 1)) != 0)
    return make_error("Snapshot L1 table offset invalid");
  if (uint64_t{e.l1_size} * 8 > kMaxL1Bytes) return make_error("Snapshot L1 table too large");
  *used = std::min<uint64_t>(total, avail);
  return e;
}

std::vector<uint8_t> serialize_snapshot_entry(const SnapshotEntry& e, uint32_t version) {
  uint32_t extra_len = 16 + static_cast<uint32_t>(e.extra.size());
  size_t total = 40 + extra_len + e.id.size() + e.name.size();
  std::vector<uint8_t> out((total + 7) & ~size_t{7}, 0);
  uint8_t* p = out.data();
  put_be64(p, e.l1_table_offset);
  put_be32(p + 8, e.l1_size);
  put_be16(p + 12, static_cast<uint16_t>(e.id.size()));
  put_be16(p + 14, static_cast<uint16_t>(e.name.size()));
  put_be32(p + 16, e.date_sec);
  put_be32(p + 20, e.date_nsec);
  put_be64(p + 24, e.vm_clock_nsec);
  put_be32(p + 32, e.vm_state_size > 0xffffffffu ? 0 : static_cast<uint32_t>(e.vm_state_size));
  put_be32(p + 36, extra_len);
  put_be64(p + 40, e.vm_state_size);
  put_be64(p + 48, e.disk_size);
  if (!e.extra.empty()) std::memcpy(p + 56, e.extra.data(), e.extra.size());
  std::memcpy(p + 40 + extra_len, e.id.data(), e.id.size());
  std::memcpy(p + 40 + extra_len + e.id.size(), e.name.data(), e.name.size());
  (void)version;
  return out;
}

}  // namespace mimic::block::qcow2
