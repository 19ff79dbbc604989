// qcow2: guest reads and writes through the L1/L2 mapping (qcow2.txt
// "Cluster mapping"), copy-on-write of shared clusters and tables.
#include <algorithm>
#include <cstring>

#include "block/qcow2.h"
#include "block/qcow2_compress.h"

namespace mimic::block {

using namespace qcow2;

Result<void> Qcow2Driver::check_writable() const {
  if (!writable_) return make_error("Image is opened read-only");
  return {};
}

bool Qcow2Driver::overlaps_metadata(uint64_t host) {
  auto within = [&](uint64_t off, uint64_t len) { return host + cs_ > off && host < off + len; };
  if (host < cs_ || within(h_.l1_table_offset, uint64_t{h_.l1_size} * 8) ||
      within(h_.refcount_table_offset, uint64_t{h_.refcount_table_clusters} * cs_) ||
      (h_.nb_snapshots && within(h_.snapshots_offset, cs_)))
    return true;
  if (refblock_offsets_.empty()) {
    for (uint64_t e : reftable_)
      if (e & kRefTableOffsetMask) refblock_offsets_.push_back(e & kRefTableOffsetMask);
    std::sort(refblock_offsets_.begin(), refblock_offsets_.end());
  }
  return std::binary_search(refblock_offsets_.begin(), refblock_offsets_.end(), host & ~(cs_ - 1));
}

Result<Qcow2Driver::Mapping> Qcow2Driver::lookup(uint64_t gc) {
  uint64_t l1i = gc / l2_entries_;
  if (l1i >= l1_.size()) return Mapping{};
  uint64_t l2off = l1_[l1i] & kL1OffsetMask;
  if (!l2off) return Mapping{};
  auto t = load_l2(l2off);
  if (!t) return t.error();
  return decode((*t)->e[gc % l2_entries_]);
}

// Returns the writable L2 slot of a guest cluster, allocating the L2 table or
// copying it if it is shared with a snapshot.
Result<uint64_t*> Qcow2Driver::l2_slot(uint64_t gc) {
  uint64_t l1i = gc / l2_entries_;
  if (l1i >= l1_.size()) return make_error("qcow2: write beyond the L1 table");
  uint64_t l2off = l1_[l1i] & kL1OffsetMask;
  if (!l2off) {
    auto a = alloc_clusters(1);
    if (!a) return a.error();
    L2Table t;
    t.e.assign(l2_entries_, 0);
    t.dirty = true;
    l2_cache_[*a] = std::move(t);
    l1_[l1i] = *a | kOflagCopied;
    l1_dirty_ = true;
    return &l2_cache_[*a].e[gc % l2_entries_];
  }
  auto rc = get_refcount(l2off >> cb_);
  if (!rc) return rc.error();
  if (*rc == 0) return make_error("qcow2: L2 table has refcount 0 (image is corrupt)");
  if (overlaps_metadata(l2off))
    return make_error("qcow2: Preventing invalid write on metadata (L2 table overlaps metadata)");
  auto t = load_l2(l2off);
  if (!t) return t.error();
  if (*rc == 1) return &(*t)->e[gc % l2_entries_];
  // Shared with a snapshot: copy. Data clusters keep their counts (one per
  // path), the old table loses the active L1's reference.
  std::vector<uint64_t> copy = (*t)->e;
  for (auto& e : copy) e &= ~kOflagCopied;
  auto a = alloc_clusters(1);
  if (!a) return a.error();
  l2_cache_[*a] = L2Table{std::move(copy), true};
  l1_[l1i] = *a | kOflagCopied;
  l1_dirty_ = true;
  free_later(l2off, 1);
  return &l2_cache_[*a].e[gc % l2_entries_];
}

Result<void> Qcow2Driver::read_compressed(const Mapping& m, uint8_t* out) {
  if (dcache_host_ != m.host) {
    if (m.comp_size > 2 * cs_ + 512) return make_error("qcow2: compressed cluster too large");
    std::vector<uint8_t> in(m.comp_size);
    if (auto r = file_->pread(m.host, in.data(), in.size()); !r) return r;
    dcache_.resize(cs_);
    dcache_host_ = ~0ull;
    if (auto r = decompress_cluster(h_.compression_type, in.data(), in.size(), dcache_.data(), cs_); !r)
      return r;
    dcache_host_ = m.host;
  }
  std::memcpy(out, dcache_.data(), cs_);
  return {};
}

Result<void> Qcow2Driver::read_cluster_part(uint64_t gc, const Mapping& m, uint64_t in_off,
                                            uint8_t* buf, uint64_t len) {
  switch (m.kind) {
    case Kind::kZero:
      std::memset(buf, 0, len);
      return {};
    case Kind::kNormal:
      return file_->pread(m.host + in_off, buf, len);
    case Kind::kCompressed: {
      std::vector<uint8_t> c(cs_);
      if (auto r = read_compressed(m, c.data()); !r) return r;
      std::memcpy(buf, c.data() + in_off, len);
      return {};
    }
    case Kind::kUnallocated: {
      uint64_t off = (gc << cb_) + in_off;
      uint64_t blen = backing_ ? backing_->length() : 0;
      uint64_t n = off < blen ? std::min(len, blen - off) : 0;
      if (n) {
        if (auto r = backing_->read(off, buf, n); !r) return r;
      }
      std::memset(buf + n, 0, len - n);
      return {};
    }
  }
  return {};
}

Result<void> Qcow2Driver::read(uint64_t offset, void* vbuf, uint64_t len) {
  if (offset > h_.size || len > h_.size - offset) return make_error("read beyond the end of the image");
  auto* buf = static_cast<uint8_t*>(vbuf);
  while (len > 0) {
    uint64_t gc = offset >> cb_, in_off = offset & (cs_ - 1);
    auto m = lookup(gc);
    if (!m) return m.error();
    uint64_t n = std::min(len, cs_ - in_off);
    // Merge following clusters that are contiguous on the host.
    if (m->kind == Kind::kNormal) {
      while (n < len && n < (64u << 20)) {
        auto next = lookup(gc + ((in_off + n) >> cb_));
        if (!next) return next.error();
        if (next->kind != Kind::kNormal || next->host != m->host + in_off + n) break;
        n += std::min(len - n, cs_);
      }
    }
    if (auto r = read_cluster_part(gc, *m, in_off, buf, n); !r) return r;
    buf += n;
    offset += n;
    len -= n;
  }
  return {};
}

Result<void> Qcow2Driver::set_l2(uint64_t gc, uint64_t entry, const Mapping& old) {
  auto slot = l2_slot(gc);
  if (!slot) return slot.error();
  **slot = entry;
  l2_cache_[l1_[gc / l2_entries_] & kL1OffsetMask].dirty = true;
  if (old.kind == Kind::kCompressed || (old.host && (old.host != (entry & kL2OffsetMask))))
    free_mapping_later(old);
  if (old.kind == Kind::kCompressed && old.host == dcache_host_) dcache_host_ = ~0ull;
  return {};
}

// Writes into a guest cluster that needs a new host cluster: the old contents
// (backing, compressed, shared or zero) are merged around the new bytes.
Result<void> Qcow2Driver::write_cluster_alloc(uint64_t gc, uint64_t in_off, const uint8_t* data,
                                              uint64_t len, const Mapping& old) {
  std::vector<uint8_t> full;
  const uint8_t* src = data;
  if (len != cs_) {
    full.resize(cs_);
    if (auto r = read_cluster_part(gc, old, 0, full.data(), cs_); !r) return r;
    std::memcpy(full.data() + in_off, data, len);
    src = full.data();
  }
  auto a = alloc_clusters(1);
  if (!a) return a.error();
  if (auto r = file_->pwrite(*a, src, cs_); !r) return r;
  return set_l2(gc, *a | kOflagCopied, old);
}

Result<void> Qcow2Driver::write(uint64_t offset, const void* vbuf, uint64_t len) {
  if (auto r = check_writable(); !r) return r;
  if (offset > h_.size || len > h_.size - offset) return make_error("write beyond the end of the image");
  const auto* buf = static_cast<const uint8_t*>(vbuf);
  data_written_ = true;
  while (len > 0) {
    uint64_t gc = offset >> cb_, in_off = offset & (cs_ - 1);
    uint64_t n = std::min(len, cs_ - in_off);
    auto m = lookup(gc);
    if (!m) return m.error();
    bool in_place = false;
    if (m->kind == Kind::kNormal) {
      auto rc = get_refcount(m->host >> cb_);
      if (!rc) return rc.error();
      in_place = *rc == 1;
      if (overlaps_metadata(m->host)) return make_error("qcow2: Preventing invalid write on metadata (image is corrupt)");
    }
    if (in_place) {
      if (auto r = file_->pwrite(m->host + in_off, buf, n); !r) return r;
    } else if (in_off == 0 && n == cs_ && m->kind == Kind::kUnallocated) {
      // A run of whole unallocated clusters: one allocation, one write.
      uint64_t run = 1;
      while (run < len / cs_ && run * cs_ < (2u << 20)) {
        auto next = lookup(gc + run);
        if (!next) return next.error();
        if (next->kind != Kind::kUnallocated) break;
        run++;
      }
      auto a = alloc_clusters(run);
      if (!a) return a.error();
      if (auto r = file_->pwrite(*a, buf, run * cs_); !r) return r;
      for (uint64_t i = 0; i < run; i++)
        if (auto r = set_l2(gc + i, (*a + i * cs_) | kOflagCopied, Mapping{}); !r) return r;
      n = run * cs_;
    } else {
      if (auto r = write_cluster_alloc(gc, in_off, buf, n, *m); !r) return r;
    }
    buf += n;
    offset += n;
    len -= n;
  }
  return {};
}

Result<void> Qcow2Driver::write_compressed(uint64_t offset, const void* buf, uint64_t len) {
  if (auto r = check_writable(); !r) return r;
  if ((offset & (cs_ - 1)) || len > cs_ || offset + len > h_.size)
    return make_error("qcow2: compressed writes must cover one aligned cluster");
  std::vector<uint8_t> full(cs_, 0);
  std::memcpy(full.data(), buf, len);
  return write_precompressed(offset, compress_cluster(h_.compression_type, full.data(), cs_), buf, len);
}

Result<void> Qcow2Driver::write_precompressed(uint64_t offset, const std::vector<uint8_t>& c,
                                              const void* buf, uint64_t len) {
  if (auto r = check_writable(); !r) return r;
  if ((offset & (cs_ - 1)) || len > cs_ || offset + len > h_.size)
    return make_error("qcow2: compressed writes must cover one aligned cluster");
  uint64_t gc = offset >> cb_;
  auto m = lookup(gc);
  if (!m) return m.error();
  if (c.empty()) return write(offset, buf, len);  // incompressible
  auto a = alloc_bytes(c.size());
  if (!a) return a.error();
  if (auto r = file_->pwrite(*a, c.data(), c.size()); !r) return r;
  data_written_ = true;
  uint32_t x = 62 - (cb_ - 8);
  uint64_t nsect = ((*a + c.size() - 1) >> 9) - (*a >> 9);
  return set_l2(gc, kOflagCompressed | (nsect << x) | *a, *m);
}

Result<void> Qcow2Driver::write_zeroes(uint64_t offset, uint64_t len) {
  if (auto r = check_writable(); !r) return r;
  if (offset > h_.size || len > h_.size - offset) return make_error("write beyond the end of the image");
  std::vector<uint8_t> zero;
  while (len > 0) {
    uint64_t gc = offset >> cb_, in_off = offset & (cs_ - 1);
    uint64_t n = std::min(len, cs_ - in_off);
    bool whole = in_off == 0 && (n == cs_ || offset + n == h_.size);
    auto m = lookup(gc);
    if (!m) return m.error();
    if (!whole || (h_.version < 3 && backing_)) {
      if (m->kind != Kind::kZero && !(m->kind == Kind::kUnallocated && !backing_)) {
        zero.assign(n, 0);
        if (auto r = write(offset, zero.data(), n); !r) return r;
      }
    } else if (h_.version >= 3) {
      if (m->kind != Kind::kZero || m->host) {
        if (auto r = set_l2(gc, kOflagZero, *m); !r) return r;
      }
    } else if (m->kind != Kind::kUnallocated) {
      if (auto r = set_l2(gc, 0, *m); !r) return r;
    }
    offset += n;
    len -= n;
  }
  return {};
}

Result<void> Qcow2Driver::discard(uint64_t offset, uint64_t len) {
  if (auto r = check_writable(); !r) return r;
  if (offset > h_.size || len > h_.size - offset) return make_error("discard beyond the end of the image");
  uint64_t first = (offset + cs_ - 1) >> cb_;
  uint64_t end = (offset + len == h_.size) ? (h_.size + cs_ - 1) >> cb_ : (offset + len) >> cb_;
  for (uint64_t gc = first; gc < end; gc++) {
    auto m = lookup(gc);
    if (!m) return m.error();
    uint64_t entry = (backing_ && h_.version >= 3) ? kOflagZero : 0;
    if (m->kind == Kind::kUnallocated && entry == 0) continue;
    if (m->kind == Kind::kZero && !m->host && entry == kOflagZero) continue;
    if (auto r = set_l2(gc, entry, *m); !r) return r;
  }
  return {};
}

Result<void> Qcow2Driver::unmap(uint64_t offset, uint64_t len) {
  if (auto r = check_writable(); !r) return r;
  if (offset > h_.size || len > h_.size - offset) return make_error("unmap beyond the end of the image");
  uint64_t first = (offset + cs_ - 1) >> cb_;
  uint64_t end = (offset + len == h_.size) ? (h_.size + cs_ - 1) >> cb_ : (offset + len) >> cb_;
  for (uint64_t gc = first; gc < end; gc++) {
    if (gc / l2_entries_ < l1_.size() && !(l1_[gc / l2_entries_] & kL1OffsetMask)) {
      gc = (gc / l2_entries_ + 1) * l2_entries_ - 1;  // no L2 table
      continue;
    }
    auto m = lookup(gc);
    if (!m) return m.error();
    if (m->kind == Kind::kUnallocated) continue;
    if (auto r = set_l2(gc, 0, *m); !r) return r;
  }
  return {};
}

Result<Extent> Qcow2Driver::block_status(uint64_t offset, uint64_t max_len) {
  Extent x;
  uint64_t end = std::min(h_.size, offset + max_len);
  if (offset >= end) return x;
  uint64_t gc = offset >> cb_;
  auto m = lookup(gc);
  if (!m) return m.error();
  x.kind = m->kind == Kind::kUnallocated ? ExtentKind::kUnallocated
           : m->kind == Kind::kZero      ? ExtentKind::kZero
                                         : ExtentKind::kData;
  x.compressed = m->kind == Kind::kCompressed;
  x.has_host = m->kind == Kind::kNormal || (m->kind == Kind::kZero && m->host);
  x.host_offset = m->host + (offset & (cs_ - 1));
  uint64_t pos = std::min(end, (gc + 1) << cb_);
  // Extend over clusters with the same status (and contiguous host offsets);
  // whole L2 ranges without a table are skipped at once.
  const uint64_t l2_span = l2_entries_ << cb_;
  while (pos < end) {
    if (m->kind == Kind::kUnallocated && (pos & (l2_span - 1)) == 0) {
      uint64_t l1i = pos / l2_span;
      if (l1i >= l1_.size() || !(l1_[l1i] & kL1OffsetMask)) {
        pos = std::min(end, pos + l2_span);
        continue;
      }
    }
    if (pos - offset >= (1ull << 30)) break;  // bound the work per call
    auto n = lookup(pos >> cb_);
    if (!n) return n.error();
    if (n->kind != m->kind) break;
    if (m->kind == Kind::kCompressed) break;
    if ((m->kind == Kind::kNormal || (m->kind == Kind::kZero && m->host)) &&
        n->host != x.host_offset + (pos - offset))
      break;
    if (m->kind == Kind::kZero && (bool(m->host) != bool(n->host))) break;
    pos = std::min(end, pos + cs_);
  }
  x.length = pos - offset;
  return x;
}

}  // namespace mimic::block
