// qcow2: internal snapshots (qcow2.txt "Snapshots") and resizing. Every step
// increases refcounts before anything new points at clusters, and decreases
// them only after nothing on disk points at them any more.
#include <algorithm>
#include <cstring>
#include <ctime>

#include "block/qcow2.h"

namespace mimic::block {

using namespace qcow2;

namespace {
int find_snapshot(const std::vector<SnapshotEntry>& s, const std::string& key) {
  for (size_t i = 0; i < s.size(); i++)
    if (s[i].id == key) return static_cast<int>(i);
  for (size_t i = 0; i < s.size(); i++)
    if (s[i].name == key) return static_cast<int>(i);
  return -1;
}
}  // namespace

Result<void> Qcow2Driver::snapshot_create(const std::string& name) {
  if (auto r = check_writable(); !r) return r;
  for (const auto& s : snapshots_)
    if (s.name == name) return make_error("Snapshot with name '" + name + "' already exists");
  if (auto r = write_metadata(true); !r) return r;
  // 1. One more reference on every L2 table and data cluster.
  if (auto r = update_tree_refcounts(l1_, 1); !r) return r;
  if (auto r = write_metadata(true); !r) return r;
  // 2. Active entries are now shared: clear their COPIED flags.
  if (auto r = fix_copied_flags(); !r) return r;
  if (auto r = write_metadata(true); !r) return r;
  // 3. Copy of the L1 table.
  SnapshotEntry e;
  uint64_t max_id = 0;
  for (const auto& s : snapshots_) max_id = std::max<uint64_t>(max_id, std::strtoull(s.id.c_str(), nullptr, 10));
  e.id = std::to_string(max_id + 1);
  e.name = name;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  e.date_sec = static_cast<uint32_t>(ts.tv_sec);
  e.date_nsec = static_cast<uint32_t>(ts.tv_nsec);
  e.disk_size = h_.size;
  e.has_disk_size = true;
  e.l1_size = static_cast<uint32_t>(l1_.size());
  if (!l1_.empty()) {
    uint64_t n = (l1_.size() * 8 + cs_ - 1) / cs_;
    auto a = alloc_clusters(n);
    if (!a) return a.error();
    std::vector<uint8_t> raw(n * cs_, 0);
    for (size_t i = 0; i < l1_.size(); i++) put_be64(&raw[i * 8], l1_[i] & ~kOflagCopied);
    if (auto r = file_->pwrite(*a, raw.data(), raw.size()); !r) return r;
    e.l1_table_offset = *a;
  }
  // 4. Table and header (write_snapshot_table syncs before the header).
  auto table = snapshots_;
  table.push_back(e);
  return write_snapshot_table(std::move(table));
}

Result<void> Qcow2Driver::snapshot_apply(const std::string& key) {
  if (auto r = check_writable(); !r) return r;
  int idx = find_snapshot(snapshots_, key);
  if (idx < 0) return make_error("Can't find snapshot");
  const SnapshotEntry s = snapshots_[idx];
  if (l1_entries_for(s.disk_size, cb_) > s.l1_size) return make_error("Snapshot L1 table is too small");
  if (auto r = write_metadata(true); !r) return r;
  std::vector<uint64_t> snap_l1(s.l1_size);
  {
    std::vector<uint8_t> raw(snap_l1.size() * 8);
    if (auto r = file_->pread(s.l1_table_offset, raw.data(), raw.size()); !r) return r;
    for (size_t i = 0; i < snap_l1.size(); i++) snap_l1[i] = be64(&raw[i * 8]) & ~kOflagCopied;
  }
  // New references first, then a new active L1 table, then the header.
  if (auto r = update_tree_refcounts(snap_l1, 1); !r) return r;
  uint64_t n = std::max<uint64_t>(1, (snap_l1.size() * 8 + cs_ - 1) / cs_);
  auto a = alloc_clusters(n);
  if (!a) return a.error();
  std::vector<uint8_t> raw(n * cs_, 0);
  for (size_t i = 0; i < snap_l1.size(); i++) put_be64(&raw[i * 8], snap_l1[i]);
  if (auto r = file_->pwrite(*a, raw.data(), raw.size()); !r) return r;
  if (auto r = write_metadata(true); !r) return r;
  std::vector<uint64_t> old_l1 = l1_;
  uint64_t old_off = h_.l1_table_offset, old_n = (old_l1.size() * 8 + cs_ - 1) / cs_;
  h_.l1_table_offset = *a;
  h_.l1_size = s.l1_size;
  h_.size = s.disk_size;
  if (auto r = write_header(); !r) return r;
  if (auto r = file_->sync(); !r) return r;
  l1_ = snap_l1;
  l1_dirty_ = false;
  // The old active state loses its references.
  if (auto r = update_tree_refcounts(old_l1, -1); !r) return r;
  if (old_off && old_n) {
    for (uint64_t c = 0; c < old_n; c++)
      if (auto r = update_refcount((old_off >> cb_) + c, -1); !r) return r;
  }
  if (auto r = write_metadata(true); !r) return r;
  if (auto r = fix_copied_flags(); !r) return r;
  dcache_host_ = ~0ull;
  return write_metadata(true);
}

Result<void> Qcow2Driver::snapshot_delete(const std::string& key) {
  if (auto r = check_writable(); !r) return r;
  int idx = find_snapshot(snapshots_, key);
  if (idx < 0) return make_error("Could not delete snapshot '" + key + "': snapshot not found");
  const SnapshotEntry s = snapshots_[idx];
  auto table = snapshots_;
  table.erase(table.begin() + idx);
  if (auto r = write_snapshot_table(std::move(table)); !r) return r;
  std::vector<uint64_t> l1(s.l1_size);
  std::vector<uint8_t> raw(l1.size() * 8);
  if (auto r = file_->pread(s.l1_table_offset, raw.data(), raw.size()); !r) return r;
  for (size_t i = 0; i < l1.size(); i++) l1[i] = be64(&raw[i * 8]);
  if (auto r = update_tree_refcounts(l1, -1); !r) return r;
  uint64_t n = (l1.size() * 8 + cs_ - 1) / cs_;
  for (uint64_t c = 0; c < n; c++)
    if (auto r = update_refcount((s.l1_table_offset >> cb_) + c, -1); !r) return r;
  if (auto r = write_metadata(true); !r) return r;
  if (auto r = fix_copied_flags(); !r) return r;
  return write_metadata(true);
}

Result<void> Qcow2Driver::truncate(uint64_t new_size) {
  if (auto r = check_writable(); !r) return r;
  if (new_size % 512) return make_error("qcow2: image size must be a multiple of 512 bytes");
  if (auto r = write_metadata(true); !r) return r;
  if (new_size < h_.size) {
    if (!snapshots_.empty()) return make_error("Can't resize an image which has snapshots");
    // Drop every cluster wholly past the new end.
    uint64_t first = (new_size + cs_ - 1) >> cb_, end = (h_.size + cs_ - 1) >> cb_;
    for (uint64_t gc = first; gc < end; gc++) {
      if (gc / l2_entries_ < l1_.size() && !(l1_[gc / l2_entries_] & kL1OffsetMask)) {
        gc = (gc / l2_entries_ + 1) * l2_entries_ - 1;  // no L2 table: skip it
        continue;
      }
      auto m = lookup(gc);
      if (!m) return m.error();
      if (m->kind == Kind::kUnallocated) continue;
      if (auto r = set_l2(gc, 0, *m); !r) return r;
    }
    if (auto r = write_metadata(true); !r) return r;
  }
  uint64_t need = l1_entries_for(new_size, cb_);
  if (need * 8 > kMaxL1Bytes) return make_error("qcow2: image size too large for the L1 table");
  if (need > l1_.size()) {
    uint64_t n = (need * 8 + cs_ - 1) / cs_;
    auto a = alloc_clusters(n);
    if (!a) return a.error();
    std::vector<uint8_t> raw(n * cs_, 0);
    for (size_t i = 0; i < l1_.size(); i++) put_be64(&raw[i * 8], l1_[i]);
    if (auto r = file_->pwrite(*a, raw.data(), raw.size()); !r) return r;
    if (auto r = write_metadata(true); !r) return r;
    uint64_t old_off = h_.l1_table_offset, old_n = (l1_.size() * 8 + cs_ - 1) / cs_;
    h_.l1_table_offset = *a;
    h_.l1_size = static_cast<uint32_t>(need);
    h_.size = new_size;
    if (auto r = write_header(); !r) return r;
    if (auto r = file_->sync(); !r) return r;
    l1_.resize(need, 0);
    if (old_off && !l1_.empty())
      for (uint64_t c = 0; c < old_n && old_n > 0; c++)
        if (auto r = update_refcount((old_off >> cb_) + c, -1); !r) return r;
    return write_metadata(true);
  }
  h_.size = new_size;
  if (auto r = write_header(); !r) return r;
  return file_->sync();
}

}  // namespace mimic::block
