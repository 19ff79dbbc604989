// qcow2: consistency check and refcount repair. The expected refcount of
// every host cluster is computed by walking all metadata (header, L1 tables
// of the active state and of each snapshot, L2 tables, data clusters, the
// refcount structures and the snapshot table) and compared with the stored
// refcounts: stored > expected is a leak, stored < expected a corruption.
#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "block/qcow2.h"

namespace mimic::block {

using namespace qcow2;

namespace {
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}
}  // namespace

Result<std::vector<uint64_t>> Qcow2Driver::expected_refcounts(CheckResult& res,
                                                              bool count_refcount_meta) {
  const uint64_t fsize = file_->size();
  const uint64_t nclusters = (fsize + cs_ - 1) >> cb_;
  std::vector<uint64_t> counts(nclusters, 0);
  auto add = [&](uint64_t off, uint64_t len, const char* what) {
    if (len == 0) return;
    uint64_t first = off >> cb_, last = (off + len - 1) >> cb_;
    // A structure may end inside the last (partial) cluster of the file.
    if (off + len < off || last >= nclusters) {
      res.corruptions++;
      res.messages.push_back(fmt("ERROR %s at offset 0x%" PRIx64 " is beyond the end of the image file", what, off));
      last = std::min(last, nclusters ? nclusters - 1 : 0);
      if (first >= nclusters) return;
    }
    for (uint64_t c = first; c <= last; c++) counts[c]++;
  };
  add(0, cs_, "header");
  auto walk_l1 = [&](const std::vector<uint64_t>& l1, bool active) -> Result<void> {
    for (size_t i = 0; i < l1.size(); i++) {
      uint64_t l2off = l1[i] & kL1OffsetMask;
      if (!l2off) continue;
      if (l2off & (cs_ - 1) || l2off + cs_ > fsize) {
        res.corruptions++;
        res.messages.push_back(fmt("ERROR l2_offset=%" PRIx64 ": L2 table is not cluster aligned or beyond the end of the image file; L1 entry %zu corrupted", l2off, i));
        continue;
      }
      add(l2off, cs_, "L2 table");
      if (active) {
        auto rc = get_refcount(l2off >> cb_);
        if (!rc) return rc.error();
        if ((*rc == 1) != bool(l1[i] & kOflagCopied)) {
          res.corruptions++;
          res.messages.push_back(fmt("ERROR OFLAG_COPIED L2 cluster: l1_index=%zu l1_entry=%" PRIx64 " refcount=%" PRIu64, i, l1[i], *rc));
        }
      }
      auto t = load_l2(l2off);
      if (!t) return t.error();
      std::vector<uint64_t> entries = (*t)->e;
      for (uint64_t e : entries) {
        Mapping m = decode(e);
        if (m.kind == Kind::kCompressed) {
          if (active) res.compressed_clusters++;
          add(m.host, m.comp_size, "compressed cluster");
          continue;
        }
        if (!m.host) continue;
        if (m.host & (cs_ - 1)) {
          res.corruptions++;
          res.messages.push_back(fmt("ERROR offset=%" PRIx64 ": Cluster is not properly aligned; L2 entry corrupted", m.host));
          continue;
        }
        add(m.host, cs_, "data cluster");
        if (active) {
          auto rc = get_refcount(m.host >> cb_);
          if (!rc) return rc.error();
          if ((*rc == 1) != bool(e & kOflagCopied)) {
            res.corruptions++;
            res.messages.push_back(fmt("ERROR OFLAG_COPIED data cluster: l2_entry=%" PRIx64 " refcount=%" PRIu64, e, *rc));
          }
        }
      }
    }
    return {};
  };
  add(h_.l1_table_offset, uint64_t{h_.l1_size} * 8, "L1 table");
  if (auto r = walk_l1(l1_, true); !r) return r.error();
  uint64_t snap_bytes = 0;
  for (const auto& s : snapshots_) {
    snap_bytes += serialize_snapshot_entry(s, h_.version).size();
    add(s.l1_table_offset, uint64_t{s.l1_size} * 8, "snapshot L1 table");
    std::vector<uint64_t> l1(s.l1_size);
    std::vector<uint8_t> raw(l1.size() * 8);
    if (auto r = file_->pread(s.l1_table_offset, raw.data(), raw.size()); !r) return r.error();
    for (size_t i = 0; i < l1.size(); i++) l1[i] = be64(&raw[i * 8]);
    if (auto r = walk_l1(l1, false); !r) return r.error();
  }
  if (h_.nb_snapshots) add(h_.snapshots_offset, snap_bytes, "snapshot table");
  if (count_refcount_meta) {
    add(h_.refcount_table_offset, uint64_t{h_.refcount_table_clusters} * cs_, "refcount table");
    for (size_t t = 0; t < reftable_.size(); t++) {
      uint64_t off = reftable_[t] & kRefTableOffsetMask;
      if (!off) continue;
      if (off & (cs_ - 1)) {
        res.corruptions++;
        res.messages.push_back(fmt("ERROR refcount block %zu is not cluster aligned; refcount table entry corrupted", t));
        continue;
      }
      add(off, cs_, "refcount block");
    }
  }
  return counts;
}

Result<CheckResult> Qcow2Driver::check(RepairMode mode) {
  CheckResult res;
  if (writable_) {
    if (auto r = write_metadata(true); !r) return r.error();
  }
  auto ex = expected_refcounts(res, true);
  if (!ex) return ex.error();
  std::vector<uint64_t>& expected = *ex;
  // Stored refcounts, over the file and whatever the refcount table covers.
  const uint64_t e = refblock_entries();
  // Like qemu-img, only clusters inside the file are compared: refcounts of
  // clusters past the end (allocated, never written) are not reported.
  const uint64_t limit = expected.size();
  std::vector<uint64_t> target(expected.size(), 0);
  uint64_t leaks = 0, corrupt = 0;
  for (uint64_t c = 0; c < limit; c++) {
    if (c % e == 0) {
      auto b = get_refblock(c / e, false);
      if (!b || !*b) {  // missing or broken block: counts as 0
        if (!b) { res.check_errors++; }
        bool any = false;
        for (uint64_t k = c; k < std::min(limit, c + e) && k < expected.size(); k++) any |= expected[k] != 0;
        if (!any) { c += e - 1; continue; }
      }
    }
    auto rc = get_refcount(c);
    uint64_t stored = rc ? *rc : 0;
    uint64_t want = c < expected.size() ? expected[c] : 0;
    if (c < expected.size()) target[c] = std::min(stored, want);
    if (stored > want) {
      leaks++;
      res.messages.push_back(fmt("%s cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64,
                                 mode != RepairMode::kNone ? "Repairing" : "Leaked", c, stored, want));
    } else if (stored < want) {
      corrupt++;
      res.messages.push_back(fmt("%s cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64,
                                 mode == RepairMode::kAll ? "Repairing" : "ERROR", c, stored, want));
    }
  }
  res.leaks = leaks;
  res.corruptions += corrupt;
  for (uint64_t c = 0; c < expected.size(); c++)
    if (expected[c]) res.image_end_offset = (c + 1) << cb_;
  res.total_clusters = (h_.size + cs_ - 1) >> cb_;
  uint64_t prev_end = 0;  // qemu counts a cluster as fragmented when it does
                          // not follow the previous one; compressed always
  for (size_t i = 0; i < l1_.size(); i++) {
    uint64_t l2off = l1_[i] & kL1OffsetMask;
    if (!l2off || (l2off & (cs_ - 1)) || l2off + cs_ > file_->size()) continue;
    auto t = load_l2(l2off);
    if (!t) continue;
    for (uint64_t k = 0; k < l2_entries_; k++) {
      Mapping m = decode((*t)->e[k]);
      if (m.kind == Kind::kCompressed) {
        res.allocated_clusters++;
        res.fragmented_clusters++;
      } else if (m.kind == Kind::kNormal) {
        res.allocated_clusters++;
        if (prev_end && m.host != prev_end) res.fragmented_clusters++;
        prev_end = m.host + cs_;
      }
    }
  }
  bool fix = (mode == RepairMode::kLeaks && leaks) || (mode == RepairMode::kAll && (leaks || res.corruptions));
  if (!fix) return res;
  if (!writable_) return make_error("Cannot repair: image is opened read-only");
  // Rebuild from the walk without the old refcount structures.
  CheckResult scratch;
  auto fresh = expected_refcounts(scratch, false);
  if (!fresh) return fresh.error();
  if (mode == RepairMode::kLeaks) {
    // Only lower counts; keep corrupted (too low) ones as they are.
    for (uint64_t c = 0; c < fresh->size(); c++) {
      auto rc = get_refcount(c);
      uint64_t stored = rc ? *rc : 0;
      if (stored < (*fresh)[c] && expected[c] == (*fresh)[c]) (*fresh)[c] = stored;
    }
  }
  if (auto r = rebuild_refcounts(*fresh); !r) return r.error();
  if (mode == RepairMode::kAll) {
    if (auto r = fix_copied_flags(); !r) return r.error();
    if (auto r = write_metadata(true); !r) return r.error();
  }
  res.leaks_fixed = leaks;
  res.corruptions_fixed = mode == RepairMode::kAll ? res.corruptions : 0;
  return res;
}

// Writes a complete new refcount structure after the end of the image:
// refcount blocks, then the table, then the header pointing at them.
Result<void> Qcow2Driver::rebuild_refcounts(const std::vector<uint64_t>& counts_in) {
  std::vector<uint64_t> counts = counts_in;
  const uint64_t e = refblock_entries(), per = cs_ / 8;
  uint64_t p = counts.size();
  while (p > 1 && counts[p - 1] == 0) p--;
  uint64_t nb = 0, nt = 0;
  for (;;) {
    uint64_t total = p + nb + nt;
    uint64_t nb2 = (total + e - 1) / e, nt2 = (nb2 + per - 1) / per;
    if (nb2 == nb && nt2 == nt) break;
    nb = nb2;
    nt = nt2;
  }
  if (nt * cs_ > kMaxRefcountTableBytes) return make_error("qcow2: refcount table would be too large");
  counts.resize(p + nb + nt, 0);
  for (uint64_t c = p; c < p + nb + nt; c++) counts[c] = 1;
  const uint32_t bits = h_.refcount_bits();
  for (uint64_t c = 0; c < counts.size(); c++)
    if (bits < 64 && counts[c] > (1ull << bits) - 1) return make_error("qcow2: refcount overflow while repairing");
  refblocks_.clear();
  std::vector<uint8_t> raw(cs_);
  std::vector<uint64_t> table(nt * per, 0);
  for (uint64_t b = 0; b < nb; b++) {
    std::fill(raw.begin(), raw.end(), 0);
    for (uint64_t i = 0; i < e && b * e + i < counts.size(); i++) {
      uint64_t v = counts[b * e + i], idx = i;
      if (bits >= 8) {
        for (int k = static_cast<int>(bits / 8) - 1; k >= 0; k--, v >>= 8) raw[idx * (bits / 8) + k] = static_cast<uint8_t>(v);
      } else {
        raw[idx * bits / 8] |= static_cast<uint8_t>(v << ((idx * bits) % 8));
      }
    }
    if (auto r = file_->pwrite((p + b) << cb_, raw.data(), cs_); !r) return r;
    table[b] = (p + b) << cb_;
  }
  std::vector<uint8_t> traw(nt * cs_, 0);
  for (uint64_t i = 0; i < table.size(); i++) put_be64(&traw[i * 8], table[i]);
  if (auto r = file_->pwrite((p + nb) << cb_, traw.data(), traw.size()); !r) return r;
  if (auto r = file_->sync(); !r) return r;
  h_.refcount_table_offset = (p + nb) << cb_;
  h_.refcount_table_clusters = static_cast<uint32_t>(nt);
  if (auto r = write_header(); !r) return r;
  if (auto r = file_->sync(); !r) return r;
  reftable_ = std::move(table);
  refblock_offsets_.clear();
  reftable_dirty_ = false;
  pending_frees_.clear();
  free_hint_ = 0;
  comp_next_ = 0;
  return {};
}

}  // namespace mimic::block
