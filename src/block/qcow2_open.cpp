// qcow2: opening, metadata caches, flush ordering and close.
#include <algorithm>
#include <cstring>

#include "block/qcow2.h"

namespace mimic::block {

using namespace qcow2;

Result<std::unique_ptr<Qcow2Driver>> Qcow2Driver::open(std::unique_ptr<FileProtocol> file,
                                                       bool writable) {
  std::unique_ptr<Qcow2Driver> d(new Qcow2Driver(std::move(file), writable));
  if (auto r = d->load(); !r) {
    d->writable_ = false;  // the destructor must not write a half-loaded image
    return r.error();
  }
  return d;
}

// Closing writes all metadata back; an error here can only be ignored, so
// callers that care call close() themselves.
Qcow2Driver::~Qcow2Driver() { (void)close(); }

Result<void> Qcow2Driver::load() {
  const uint64_t fsize = file_->size();
  std::vector<uint8_t> first(std::min<uint64_t>(fsize, 1u << kMaxClusterBits));
  if (auto r = file_->pread(0, first.data(), first.size()); !r) return r;
  auto hr = parse_header(first.data(), first.size(), fsize);
  if (!hr) return hr.error();
  h_ = std::move(hr.value());
  cb_ = h_.cluster_bits;
  cs_ = h_.cluster_size();
  l2_entries_ = cs_ / 8;
  if (writable_ && (h_.incompatible_features & kIncompatCorrupt))
    return make_error("qcow2: Image is corrupt; cannot be opened read/write");

  l1_.assign(h_.l1_size, 0);
  if (h_.l1_size) {
    std::vector<uint8_t> raw(uint64_t{h_.l1_size} * 8);
    if (auto r = file_->pread(h_.l1_table_offset, raw.data(), raw.size()); !r) return r;
    for (uint32_t i = 0; i < h_.l1_size; i++) l1_[i] = be64(&raw[i * 8]);
  }
  uint64_t rt_bytes = uint64_t{h_.refcount_table_clusters} * cs_;
  std::vector<uint8_t> raw(rt_bytes);
  if (auto r = file_->pread(h_.refcount_table_offset, raw.data(), raw.size()); !r) return r;
  reftable_.resize(rt_bytes / 8);
  for (size_t i = 0; i < reftable_.size(); i++) reftable_[i] = be64(&raw[i * 8]);
  if (auto r = load_snapshots(); !r) return r;

  lazy_ = h_.version >= 3 && (h_.compatible_features & kCompatLazyRefcounts);
  dirty_on_disk_ = (h_.incompatible_features & kIncompatDirty) != 0;
  if (writable_) {
    bool rewrite = false;
    if (h_.autoclear_features) {  // we do not maintain any autoclear data
      h_.autoclear_features = 0;
      rewrite = true;
    }
    if (dirty_on_disk_) {  // refcounts may be stale: rebuild them
      auto cr = check(RepairMode::kAll);
      if (!cr) return cr.error();
      h_.incompatible_features &= ~kIncompatDirty;
      dirty_on_disk_ = false;
      rewrite = true;
    }
    if (rewrite) {
      if (auto r = write_header(); !r) return r;
      if (auto r = file_->sync(); !r) return r;
    }
  }
  return {};
}

Result<void> Qcow2Driver::load_snapshots() {
  snapshots_.clear();
  if (h_.nb_snapshots == 0) return {};
  const uint64_t fsize = file_->size();
  uint64_t pos = h_.snapshots_offset;
  std::vector<uint8_t> buf;
  uint64_t total = 0;
  for (uint32_t i = 0; i < h_.nb_snapshots; i++) {
    // Fixed part first, then exactly the variable part it announces.
    uint64_t left = fsize > pos ? fsize - pos : 0;
    if (left < 40) return make_error("Snapshot table is truncated");
    buf.resize(40);
    if (auto r = file_->pread(pos, buf.data(), 40); !r) return r;
    uint64_t want = 40ull + be32(&buf[36]) + be16(&buf[12]) + be16(&buf[14]);
    if (be32(&buf[36]) > 1024) return make_error("Snapshot extra data is too large");
    uint64_t avail = std::min(left, (want + 7) & ~uint64_t{7});
    buf.resize(avail);
    if (auto r = file_->pread(pos, buf.data(), avail); !r) return r;
    size_t used = 0;
    auto e = parse_snapshot_entry(buf.data(), avail, &used, cb_);
    if (!e) return e.error();
    if (e->l1_size && (e->l1_table_offset == 0 || e->l1_table_offset > fsize ||
                       uint64_t{e->l1_size} * 8 > fsize - e->l1_table_offset))
      return make_error("Snapshot L1 table offset invalid");
    if (!e->has_disk_size) e->disk_size = h_.size;
    snapshots_.push_back(std::move(e.value()));
    pos += used;
    total += used;
    if (total > kMaxSnapshotTableBytes) return make_error("Snapshot table too large");
  }
  return {};
}

Qcow2Driver::Mapping Qcow2Driver::decode(uint64_t e) const {
  Mapping m;
  if (e & kOflagCompressed) {
    // x = 62 - (cluster_bits - 8): offset in bits 0..x-1, sector count above.
    uint32_t x = 62 - (cb_ - 8);
    m.kind = Kind::kCompressed;
    m.host = e & ((1ull << x) - 1);
    uint64_t nsect = ((e & ~kOflagCopied & ~kOflagCompressed) >> x) + 1;
    m.comp_size = nsect * 512 - (m.host & 511);
    return m;
  }
  m.host = e & kL2OffsetMask;
  if (h_.version >= 3 && (e & kOflagZero))
    m.kind = Kind::kZero;
  else if (m.host)
    m.kind = Kind::kNormal;
  return m;
}

Result<void> Qcow2Driver::write_header() {
  auto bytes = serialize_header(h_);
  if (!bytes) return bytes.error();
  return file_->pwrite(0, bytes->data(), bytes->size());
}

Result<void> Qcow2Driver::set_dirty_on_disk() {
  if (!lazy_ || dirty_on_disk_) return {};
  h_.incompatible_features |= kIncompatDirty;
  if (auto r = write_header(); !r) return r;
  if (auto r = file_->sync(); !r) return r;
  dirty_on_disk_ = true;
  return {};
}

Result<Qcow2Driver::L2Table*> Qcow2Driver::load_l2(uint64_t offset) {
  if (auto it = l2_cache_.find(offset); it != l2_cache_.end()) return &it->second;
  if ((offset & (cs_ - 1)) || offset == 0 || offset >= kMaxHostOffset)
    return make_error("qcow2: L2 table offset 0x" + std::to_string(offset) + " is invalid");
  if (offset + cs_ > file_->size()) return make_error("qcow2: L2 table offset is beyond the end of the image file");
  if (l2_cache_.size() >= cache_tables()) {  // bound memory: write back, drop all
    if (auto r = write_metadata(!lazy_); !r) return r.error();
    l2_cache_.clear();
  }
  std::vector<uint8_t> raw(cs_);
  if (auto r = file_->pread(offset, raw.data(), cs_); !r) return r.error();
  L2Table t;
  t.e.resize(l2_entries_);
  for (uint64_t i = 0; i < l2_entries_; i++) t.e[i] = be64(&raw[i * 8]);
  return &(l2_cache_[offset] = std::move(t));
}

Result<void> Qcow2Driver::write_l2_tables() {
  std::vector<uint8_t> raw(cs_);
  for (auto& [off, t] : l2_cache_) {
    if (!t.dirty) continue;
    for (uint64_t i = 0; i < l2_entries_; i++) put_be64(&raw[i * 8], t.e[i]);
    if (auto r = file_->pwrite(off, raw.data(), cs_); !r) return r;
    t.dirty = false;
  }
  return {};
}

Result<void> Qcow2Driver::write_l1() {
  if (!l1_dirty_) return {};
  std::vector<uint8_t> raw(l1_.size() * 8);
  for (size_t i = 0; i < l1_.size(); i++) put_be64(&raw[i * 8], l1_[i]);
  if (auto r = file_->pwrite(h_.l1_table_offset, raw.data(), raw.size()); !r) return r;
  l1_dirty_ = false;
  return {};
}

// Steps 1-4 of the ordering described in qcow2.h.
Result<void> Qcow2Driver::write_metadata(bool refcounts) {
  if (!writable_) return {};
  if (auto r = file_->sync(); !r) return r;  // 1: data before anything points at it
  if (refcounts) {
    if (auto r = write_refcounts(); !r) return r;  // 2: syncs internally
  }
  bool any_l2 = l1_dirty_;
  for (auto& [off, t] : l2_cache_) any_l2 |= t.dirty;
  if (any_l2) {
    if (auto r = write_l2_tables(); !r) return r;
    if (auto r = write_l1(); !r) return r;
    if (auto r = file_->sync(); !r) return r;  // 3
  }
  if (!pending_frees_.empty()) {
    if (auto r = apply_pending_frees(); !r) return r;  // 4
    if (refcounts) {
      if (auto r = write_refcounts(); !r) return r;
    }
  }
  return {};
}

Result<void> Qcow2Driver::flush() { return write_metadata(!lazy_); }

Result<void> Qcow2Driver::close() {
  if (!writable_) return {};
  if (auto r = write_metadata(true); !r) return r;
  if (dirty_on_disk_) {
    h_.incompatible_features &= ~kIncompatDirty;
    if (auto r = write_header(); !r) return r;
    if (auto r = file_->sync(); !r) return r;
    dirty_on_disk_ = false;
  }
  writable_ = false;
  return {};
}

Result<void> Qcow2Driver::write_snapshot_table(std::vector<SnapshotEntry> table) {
  std::vector<uint8_t> bytes;
  for (const auto& e : table) {
    auto b = serialize_snapshot_entry(e, h_.version);
    bytes.insert(bytes.end(), b.begin(), b.end());
  }
  uint64_t new_off = 0;
  if (!bytes.empty()) {
    uint64_t n = (bytes.size() + cs_ - 1) / cs_;
    auto a = alloc_clusters(n);
    if (!a) return a.error();
    new_off = *a;
    bytes.resize(n * cs_, 0);
    if (auto r = file_->pwrite(new_off, bytes.data(), bytes.size()); !r) return r;
  }
  if (auto r = write_metadata(true); !r) return r;  // table and its refcounts durable
  uint64_t old_off = h_.snapshots_offset;
  uint64_t old_bytes = 0;
  for (const auto& e : snapshots_) old_bytes += serialize_snapshot_entry(e, h_.version).size();
  h_.snapshots_offset = new_off;
  h_.nb_snapshots = static_cast<uint32_t>(table.size());
  if (auto r = write_header(); !r) return r;
  if (auto r = file_->sync(); !r) return r;
  if (old_off && old_bytes) free_later(old_off, (old_bytes + cs_ - 1) / cs_);
  snapshots_ = std::move(table);
  return write_metadata(true);
}

Result<void> Qcow2Driver::set_backing_file(const std::string& file, const std::string& format) {
  if (auto r = check_writable(); !r) return r;
  h_.backing_file = file;
  h_.backing_format = file.empty() ? "" : format;
  h_.backing_file_offset = 0;
  h_.backing_file_size = 0;
  if (auto r = write_header(); !r) return r;
  return file_->sync();
}

}  // namespace mimic::block
