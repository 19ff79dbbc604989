// qcow2: reference counts and cluster allocation (qcow2.txt "Host cluster
// management"). Refcount entries are refcount_bits wide (1..64); sub-byte
// entries start at the least significant bit of each byte.
#include <algorithm>
#include <cstring>

#include "block/qcow2.h"

namespace mimic::block {

using namespace qcow2;

namespace {

uint64_t rb_get(const uint8_t* b, uint64_t i, uint32_t bits) {
  if (bits >= 8) {
    uint64_t v = 0;
    const uint8_t* p = b + i * (bits / 8);
    for (uint32_t k = 0; k < bits / 8; k++) v = (v << 8) | p[k];
    return v;
  }
  uint64_t bit = i * bits;
  return (b[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
}

void rb_set(uint8_t* b, uint64_t i, uint32_t bits, uint64_t v) {
  if (bits >= 8) {
    uint8_t* p = b + i * (bits / 8);
    for (int k = static_cast<int>(bits / 8) - 1; k >= 0; k--, v >>= 8) p[k] = static_cast<uint8_t>(v);
    return;
  }
  uint64_t bit = i * bits;
  uint8_t mask = static_cast<uint8_t>(((1u << bits) - 1) << (bit % 8));
  b[bit / 8] = static_cast<uint8_t>((b[bit / 8] & ~mask) | ((v << (bit % 8)) & mask));
}

}  // namespace

uint64_t Qcow2Driver::refcount_max() const {
  uint32_t bits = h_.refcount_bits();
  return bits == 64 ? ~0ull : (1ull << bits) - 1;
}

Result<Qcow2Driver::RefBlock*> Qcow2Driver::get_refblock(uint64_t ti, bool create) {
  if (auto it = refblocks_.find(ti); it != refblocks_.end()) return &it->second;
  if (ti >= reftable_.size() || (reftable_[ti] & kRefTableOffsetMask) == 0) {
    if (!create) return static_cast<RefBlock*>(nullptr);
    if (auto r = ensure_refblock(ti); !r) return r.error();
    return &refblocks_.at(ti);
  }
  uint64_t off = reftable_[ti] & kRefTableOffsetMask;
  if ((off & (cs_ - 1)) || off + cs_ > std::max(file_->size(), off + 1) + 0 || off >= kMaxHostOffset)
    return make_error("qcow2: refcount block offset is invalid");
  if (off + cs_ > file_->size()) return make_error("qcow2: refcount block is beyond the end of the image file");
  RefBlock b;
  b.raw.resize(cs_);
  if (auto r = file_->pread(off, b.raw.data(), cs_); !r) return r.error();
  return &(refblocks_[ti] = std::move(b));
}

Result<uint64_t> Qcow2Driver::get_refcount(uint64_t cluster) {
  uint64_t e = refblock_entries();
  auto b = get_refblock(cluster / e, false);
  if (!b) return b.error();
  if (!*b) return uint64_t{0};
  return rb_get((*b)->raw.data(), cluster % e, h_.refcount_bits());
}

Result<void> Qcow2Driver::update_refcount(uint64_t cluster, int64_t delta) {
  uint64_t e = refblock_entries();
  auto b = get_refblock(cluster / e, true);
  if (!b) return b.error();
  RefBlock* rb = *b;
  uint64_t v = rb_get(rb->raw.data(), cluster % e, h_.refcount_bits());
  if (delta < 0 && v < static_cast<uint64_t>(-delta))
    return make_error("qcow2: refcount underflow for cluster " + std::to_string(cluster));
  if (delta > 0 && refcount_max() - v < static_cast<uint64_t>(delta))
    return make_error("qcow2: refcount overflow for cluster " + std::to_string(cluster));
  v += delta;
  rb_set(rb->raw.data(), cluster % e, h_.refcount_bits(), v);
  rb->dirty = true;
  if (v == 0 && cluster < free_hint_) free_hint_ = cluster;
  return {};
}

// A missing refcount block for table index t covers clusters [t*E, (t+1)*E),
// all of which have refcount 0, so the block is placed at its own first
// cluster and counts itself.
Result<void> Qcow2Driver::ensure_refblock(uint64_t ti) {
  if (ti < reftable_.size() && (reftable_[ti] & kRefTableOffsetMask)) return {};
  if (ti >= reftable_.size()) {
    if (auto r = grow_reftable(ti + 1); !r) return r;
    if (ti < reftable_.size() && (reftable_[ti] & kRefTableOffsetMask)) return {};
  }
  uint64_t e = refblock_entries();
  uint64_t cluster = ti * e;
  if (cluster == 0) return make_error("qcow2: refcount block 0 is missing");
  RefBlock b;
  b.raw.assign(cs_, 0);
  rb_set(b.raw.data(), 0, h_.refcount_bits(), 1);
  b.dirty = true;
  refblocks_[ti] = std::move(b);
  reftable_[ti] = cluster << cb_;
  refblock_offsets_.clear();
  reftable_dirty_ = true;
  return {};
}

Result<void> Qcow2Driver::grow_reftable(uint64_t min_entries) {
  const uint64_t e = refblock_entries(), per_cluster = cs_ / 8;
  uint64_t end = std::max<uint64_t>((file_->size() + cs_ - 1) >> cb_, reftable_.size() * e > 0 ? 0 : 0);
  for (size_t t = 0; t < reftable_.size(); t++)
    if (reftable_[t] & kRefTableOffsetMask) end = std::max(end, (reftable_[t] >> cb_) + 1);
  end = std::max(end, free_hint_);
  uint64_t entries = std::max<uint64_t>(min_entries, reftable_.size() * 2);
  uint64_t n = 0, p = end;
  for (int iter = 0; iter < 16; iter++) {
    entries = std::max(entries, (p + n) / e + 1);
    n = (entries + per_cluster - 1) / per_cluster;
    entries = n * per_cluster;
    // Avoid clusters where missing blocks will place themselves.
    bool moved = false;
    for (uint64_t t = p / e; t <= (p + n - 1) / e; t++) {
      bool missing = t >= reftable_.size() || !(reftable_[t] & kRefTableOffsetMask);
      if (missing && t * e >= p && t * e < p + n) {
        p = t * e + 1;
        moved = true;
      }
    }
    if (!moved && (p + n - 1) / e < entries) break;
  }
  if (n * cs_ > kMaxRefcountTableBytes) return make_error("qcow2: refcount table would be too large");
  std::vector<uint64_t> old = reftable_;
  uint64_t old_off = h_.refcount_table_offset, old_clusters = h_.refcount_table_clusters;
  reftable_.resize(entries, 0);
  for (uint64_t c = p; c < p + n; c++)
    if (auto r = update_refcount(c, 1); !r) return r;
  // Blocks first, then the new table, then the header that points at it.
  if (auto r = file_->sync(); !r) return r;
  for (auto& [ti, b] : refblocks_) {
    if (!b.dirty) continue;
    if (auto r = file_->pwrite(reftable_[ti] & kRefTableOffsetMask, b.raw.data(), cs_); !r) return r;
    b.dirty = false;
  }
  std::vector<uint8_t> raw(n * cs_, 0);
  for (size_t i = 0; i < reftable_.size(); i++) put_be64(&raw[i * 8], reftable_[i]);
  if (auto r = file_->pwrite(p << cb_, raw.data(), raw.size()); !r) return r;
  if (auto r = file_->sync(); !r) return r;
  h_.refcount_table_offset = p << cb_;
  h_.refcount_table_clusters = static_cast<uint32_t>(n);
  if (auto r = write_header(); !r) return r;
  if (auto r = file_->sync(); !r) return r;
  reftable_dirty_ = false;
  for (uint64_t c = 0; c < old_clusters; c++)
    if (auto r = update_refcount((old_off >> cb_) + c, -1); !r) return r;
  return {};
}

// Finds n contiguous free clusters. Missing refcount blocks that must cover
// them are placed in front of the run (and counted) so the run itself stays
// contiguous; the search repeats until the run and its blocks fit.
Result<uint64_t> Qcow2Driver::alloc_clusters(uint64_t n) {
  if (auto r = set_dirty_on_disk(); !r) return r.error();
  const uint64_t e = refblock_entries();
  uint64_t start = std::max<uint64_t>(free_hint_, 1), k = 0, s = 0;
  for (int guard = 0;; guard++) {
    if (guard > 64) return make_error("qcow2: could not allocate clusters");
    // A run of n + k clusters with refcount 0.
    uint64_t run = 0, c = start;
    s = start;
    while (run < n + k) {
      if (c >= kMaxHostOffset >> cb_) return make_error("qcow2: image file is full");
      auto rc = get_refcount(c);
      if (!rc) return rc.error();
      if (*rc == 0) {
        run++;
      } else {
        run = 0;
        s = c + 1;
      }
      c++;
    }
    uint64_t missing = 0, max_t = 0;
    for (uint64_t t = s / e; t <= (s + n + k - 1) / e; t++) {
      if (t >= reftable_.size() || !(reftable_[t] & kRefTableOffsetMask)) missing++;
      max_t = t;
    }
    if (max_t >= reftable_.size()) {  // the table itself must grow first
      if (auto r = grow_reftable(max_t + 1); !r) return r.error();
      start = std::max<uint64_t>(free_hint_, 1);
      continue;
    }
    if (missing <= k) break;
    k = missing;
    start = s;
  }
  // Blocks first (in memory, written before the table at flush time).
  uint64_t placed = 0;
  for (uint64_t t = s / e; t <= (s + n + k - 1) / e; t++) {
    if (reftable_[t] & kRefTableOffsetMask) continue;
    RefBlock b;
    b.raw.assign(cs_, 0);
    b.dirty = true;
    refblocks_[t] = std::move(b);
    reftable_[t] = (s + placed) << cb_;
    refblock_offsets_.clear();
    reftable_dirty_ = true;
    placed++;
  }
  for (uint64_t x = s; x < s + placed + n; x++)
    if (auto r = update_refcount(x, 1); !r) return r.error();
  free_hint_ = s + placed + n;
  return (s + placed) << cb_;
}

// Compressed data is packed: consecutive allocations share host clusters,
// each host cluster counting one reference per compressed cluster in it. A
// stream may run on into the next host cluster when that one is allocated
// right after the current one (qcow2.txt: "Some of these sectors may reside
// in the next contiguous host cluster").
Result<uint64_t> Qcow2Driver::alloc_bytes(uint64_t n) {
  const uint64_t used = comp_next_ & (cs_ - 1);
  if (comp_next_ != 0 && used != 0) {
    const uint64_t cur = comp_next_ >> cb_;
    auto rc = get_refcount(cur);
    if (!rc) return rc.error();
    bool can_share = *rc < refcount_max();
    if (can_share && n <= cs_ - used) {
      if (auto r = update_refcount(cur, 1); !r) return r.error();
      uint64_t off = comp_next_;
      comp_next_ += n;
      return off;
    }
    if (can_share && free_hint_ <= cur + 1) {
      uint64_t need = (n - (cs_ - used) + cs_ - 1) / cs_;
      auto a = alloc_clusters(need);
      if (!a) return a.error();
      if (*a == (cur + 1) << cb_) {
        if (auto r = update_refcount(cur, 1); !r) return r.error();
        uint64_t off = comp_next_;
        comp_next_ += n;
        return off;
      }
      // Not contiguous after all: drop the extra clusters again.
      for (uint64_t c = 0; c < need; c++)
        if (auto r = update_refcount((*a >> cb_) + c, -1); !r) return r.error();
    }
  }
  uint64_t need = (n + cs_ - 1) / cs_;
  auto a = alloc_clusters(need);
  if (!a) return a.error();
  comp_next_ = *a + n;
  return *a;
}

void Qcow2Driver::free_later(uint64_t host_offset, uint64_t nclusters) {
  for (uint64_t i = 0; i < nclusters; i++) pending_frees_.push_back((host_offset >> cb_) + i);
}

void Qcow2Driver::free_mapping_later(const Mapping& m) {
  if (m.kind == Kind::kCompressed) {
    uint64_t first = m.host >> cb_, last = (m.host + m.comp_size - 1) >> cb_;
    for (uint64_t c = first; c <= last; c++) pending_frees_.push_back(c);
  } else if (m.host) {
    pending_frees_.push_back(m.host >> cb_);
  }
}

Result<void> Qcow2Driver::apply_pending_frees() {
  auto frees = std::move(pending_frees_);
  pending_frees_.clear();
  for (uint64_t c : frees) {
    if (auto r = update_refcount(c, -1); !r) return r;
    if (c == (comp_next_ >> cb_)) comp_next_ = 0;  // do not pack into a freed cluster
  }
  return {};
}

Result<void> Qcow2Driver::write_refcounts() {
  bool any = false;
  for (auto& [ti, b] : refblocks_) {
    if (!b.dirty) continue;
    if (auto r = file_->pwrite(reftable_[ti] & kRefTableOffsetMask, b.raw.data(), cs_); !r) return r;
    b.dirty = false;
    any = true;
  }
  if (any) {
    if (auto r = file_->sync(); !r) return r;
  }
  if (reftable_dirty_) {
    std::vector<uint8_t> raw(uint64_t{h_.refcount_table_clusters} * cs_, 0);
    for (size_t i = 0; i < reftable_.size() && i * 8 < raw.size(); i++) put_be64(&raw[i * 8], reftable_[i]);
    if (auto r = file_->pwrite(h_.refcount_table_offset, raw.data(), raw.size()); !r) return r;
    if (auto r = file_->sync(); !r) return r;
    reftable_dirty_ = false;
  }
  if (refblocks_.size() > cache_tables()) {
    for (auto it = refblocks_.begin(); it != refblocks_.end();) it = it->second.dirty ? std::next(it) : refblocks_.erase(it);
  }
  return {};
}

// Adds delta to every L2 table and data cluster reachable from an L1 table
// (one reference per path, as QEMU counts snapshots).
Result<void> Qcow2Driver::update_tree_refcounts(const std::vector<uint64_t>& l1, int64_t delta) {
  for (uint64_t l1e : l1) {
    uint64_t l2off = l1e & kL1OffsetMask;
    if (!l2off) continue;
    auto t = load_l2(l2off);
    if (!t) return t.error();
    std::vector<uint64_t> entries = (*t)->e;
    for (uint64_t e : entries) {
      Mapping m = decode(e);
      if (m.kind == Kind::kCompressed) {
        for (uint64_t c = m.host >> cb_; c <= (m.host + m.comp_size - 1) >> cb_; c++)
          if (auto r = update_refcount(c, delta); !r) return r;
      } else if (m.host) {
        if (auto r = update_refcount(m.host >> cb_, delta); !r) return r;
      }
    }
    if (auto r = update_refcount(l2off >> cb_, delta); !r) return r;
  }
  return {};
}

// Sets bit 63 (COPIED) of active L1/L2 entries exactly when the refcount is 1
// (qcow2.txt "Cluster mapping").
Result<void> Qcow2Driver::fix_copied_flags() {
  for (size_t i = 0; i < l1_.size(); i++) {
    uint64_t l2off = l1_[i] & kL1OffsetMask;
    if (!l2off) continue;
    auto rc = get_refcount(l2off >> cb_);
    if (!rc) return rc.error();
    uint64_t want = *rc == 1 ? (l1_[i] | kOflagCopied) : (l1_[i] & ~kOflagCopied);
    if (want != l1_[i]) {
      l1_[i] = want;
      l1_dirty_ = true;
    }
    // Flags of shared tables are rewritten too: they are only meaningful
    // through the active L1 (qcow2.txt), so snapshots do not mind.
    auto t = load_l2(l2off);
    if (!t) return t.error();
    L2Table* tab = *t;
    for (auto& e : tab->e) {
      if (e & kOflagCompressed) {
        if (e & kOflagCopied) {
          e &= ~kOflagCopied;
          tab->dirty = true;
        }
        continue;
      }
      uint64_t host = e & kL2OffsetMask;
      if (!host) continue;
      auto drc = get_refcount(host >> cb_);
      if (!drc) return drc.error();
      uint64_t w = *drc == 1 ? (e | kOflagCopied) : (e & ~kOflagCopied);
      if (w != e) {
        e = w;
        tab->dirty = true;
      }
    }
  }
  return {};
}

}  // namespace mimic::block
