#pragma once
// The qcow2 format driver (QEMU docs/interop/qcow2.txt, versions 2 and 3).
//
// Metadata lives in write-back caches (L1, L2 tables, refcount table and
// blocks). flush() writes them in the order that keeps the image consistent
// after a crash at any point (at worst, leaked clusters):
//   1. guest data written to new clusters is synced;
//   2. refcount blocks (increments), then the refcount table, are synced;
//   3. L2 tables, then the L1 table, are synced;
//   4. deferred decrements (clusters no longer referenced) are applied and
//      synced, so a freed cluster is never reused while an on-disk table can
//      still point at it.
// With lazy refcounts (compatible bit 0), step 2 is postponed to close and
// the dirty bit is set while refcounts on disk may be stale; opening a dirty
// image for writing rebuilds them.
//
// Files: qcow2_open.cpp (open, caches, flush, close), qcow2_refcount.cpp
// (refcounts and allocation), qcow2_io.cpp (read/write/zero/discard/status),
// qcow2_check.cpp (check and repair), qcow2_snapshot.cpp (internal snapshots,
// resize, backing file change), qcow2_create.cpp (new images).
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "block/block_driver.h"
#include "block/file_protocol.h"
#include "block/qcow2_header.h"

namespace mimic::block {

enum class RepairMode { kNone, kLeaks, kAll };

// Result of a consistency check, with qemu-img check's field meanings.
struct CheckResult {
  uint64_t corruptions = 0;
  uint64_t leaks = 0;
  uint64_t check_errors = 0;
  uint64_t corruptions_fixed = 0;
  uint64_t leaks_fixed = 0;
  uint64_t image_end_offset = 0;
  uint64_t total_clusters = 0;
  uint64_t allocated_clusters = 0;
  uint64_t fragmented_clusters = 0;
  uint64_t compressed_clusters = 0;
  std::vector<std::string> messages;  // "Leaked cluster ..." / "ERROR ..." lines
};

struct Qcow2CreateOptions {
  uint64_t size = 0;
  uint32_t version = 3;
  uint32_t cluster_size = 65536;
  uint32_t refcount_bits = 16;
  bool lazy_refcounts = false;
  qcow2::CompressionType compression_type = qcow2::CompressionType::kZlib;
  std::string preallocation = "off";  // off, metadata, falloc, full
  std::string backing_file;
  std::string backing_format;
};

class Qcow2Driver final : public BlockDriver {
 public:
  static Result<std::unique_ptr<Qcow2Driver>> open(std::unique_ptr<FileProtocol> file,
                                                   bool writable);
  static Result<void> create(const std::string& path, const Qcow2CreateOptions& opts);
  ~Qcow2Driver() override;

  std::string format_name() const override { return "qcow2"; }
  uint64_t length() const override { return h_.size; }
  uint64_t allocated_file_size() const override { return file_->allocated_bytes(); }
  const std::string& filename() const override { return file_->path(); }
  Result<void> read(uint64_t offset, void* buf, uint64_t len) override;
  Result<void> write(uint64_t offset, const void* buf, uint64_t len) override;
  Result<void> write_zeroes(uint64_t offset, uint64_t len) override;
  Result<void> discard(uint64_t offset, uint64_t len) override;
  Result<void> flush() override;
  Result<void> truncate(uint64_t new_length) override;
  Result<Extent> block_status(uint64_t offset, uint64_t max_len) override;
  BlockDriver* backing() override { return backing_.get(); }
  Result<void> close() override;

  const qcow2::Header& header() const { return h_; }
  uint64_t cluster_size() const { return cs_; }
  void set_backing(std::unique_ptr<BlockDriver> b) { backing_ = std::move(b); }
  // Rewrites the backing file name and format in the header (rebase -u).
  Result<void> set_backing_file(const std::string& file, const std::string& format);
  // Writes one whole guest cluster compressed (offset cluster-aligned, len
  // one cluster or the tail of the disk). The cluster must be unallocated.
  Result<void> write_compressed(uint64_t offset, const void* buf, uint64_t len);
  // The same with the compression already done (compress_cluster() of the
  // zero-padded cluster, so callers can compress in parallel); an empty
  // `compressed` writes `buf` uncompressed.
  Result<void> write_precompressed(uint64_t offset, const std::vector<uint8_t>& compressed,
                                   const void* buf, uint64_t len);

  // Makes whole clusters in the range unallocated again, so they read from
  // the backing image (commit empties the top image this way).
  Result<void> unmap(uint64_t offset, uint64_t len);

  Result<CheckResult> check(RepairMode mode);

  const std::vector<qcow2::SnapshotEntry>& snapshots() const { return snapshots_; }
  Result<void> snapshot_create(const std::string& name);
  Result<void> snapshot_apply(const std::string& name_or_id);
  Result<void> snapshot_delete(const std::string& name_or_id);

 private:
  struct L2Table {
    std::vector<uint64_t> e;
    bool dirty = false;
  };
  struct RefBlock {
    std::vector<uint8_t> raw;
    bool dirty = false;
  };
  // Decoded L2 entry.
  enum class Kind { kUnallocated, kZero, kNormal, kCompressed };
  struct Mapping {
    Kind kind = Kind::kUnallocated;
    uint64_t host = 0;       // data cluster offset or compressed byte offset
    uint64_t comp_size = 0;  // compressed: bytes spanned by the sectors
  };

  Qcow2Driver(std::unique_ptr<FileProtocol> file, bool writable)
      : file_(std::move(file)), writable_(writable) {}
  Result<void> load();

  // qcow2_open.cpp: header and caches
  Result<void> write_header();
  Result<void> set_dirty_on_disk();
  Result<L2Table*> load_l2(uint64_t offset);
  Result<void> write_l2_tables();
  Result<void> write_l1();
  Result<void> write_metadata(bool refcounts);
  Result<void> load_snapshots();
  Result<void> write_snapshot_table(std::vector<qcow2::SnapshotEntry> table);
  Mapping decode(uint64_t l2e) const;

  // qcow2_refcount.cpp
  uint64_t refblock_entries() const { return cs_ * 8 / h_.refcount_bits(); }
  // Cached L2 tables / refcount blocks before write-back: about 256 MiB each.
  uint64_t cache_tables() const { return std::max<uint64_t>(64, (256ull << 20) / cs_); }
  uint64_t refcount_max() const;
  Result<RefBlock*> get_refblock(uint64_t table_index, bool create);
  Result<uint64_t> get_refcount(uint64_t cluster);
  Result<void> update_refcount(uint64_t cluster, int64_t delta);
  Result<void> ensure_refblock(uint64_t table_index);
  Result<void> grow_reftable(uint64_t min_entries);
  Result<uint64_t> alloc_clusters(uint64_t n);
  Result<uint64_t> alloc_bytes(uint64_t n);  // for compressed data
  void free_later(uint64_t host_offset, uint64_t nclusters);
  void free_mapping_later(const Mapping& m);
  Result<void> write_refcounts();
  Result<void> apply_pending_frees();
  Result<void> update_tree_refcounts(const std::vector<uint64_t>& l1, int64_t delta);
  Result<void> fix_copied_flags();

  // qcow2_io.cpp
  Result<Mapping> lookup(uint64_t guest_cluster);
  Result<uint64_t*> l2_slot(uint64_t guest_cluster);  // allocating, COWing
  Result<void> read_cluster_part(uint64_t guest_cluster, const Mapping& m, uint64_t in_off,
                                 uint8_t* buf, uint64_t len);
  Result<void> read_compressed(const Mapping& m, uint8_t* out);
  Result<void> write_cluster_alloc(uint64_t guest_cluster, uint64_t in_off, const uint8_t* data,
                                   uint64_t len, const Mapping& old);
  Result<void> set_l2(uint64_t guest_cluster, uint64_t entry, const Mapping& old);
  Result<void> check_writable() const;
  // True if a host cluster holds metadata a data write must never touch:
  // header, L1 table, refcount table or a refcount block, snapshot table.
  bool overlaps_metadata(uint64_t host);

  // qcow2_check.cpp
  Result<std::vector<uint64_t>> expected_refcounts(CheckResult& res, bool count_refcount_meta);
  Result<void> rebuild_refcounts(const std::vector<uint64_t>& counts);

  std::unique_ptr<FileProtocol> file_;
  std::unique_ptr<BlockDriver> backing_;
  bool writable_;
  qcow2::Header h_;
  uint64_t cs_ = 0;
  uint32_t cb_ = 0;
  uint64_t l2_entries_ = 0;
  bool lazy_ = false;
  bool dirty_on_disk_ = false;
  bool data_written_ = false;

  std::vector<uint64_t> l1_;
  bool l1_dirty_ = false;
  std::unordered_map<uint64_t, L2Table> l2_cache_;
  std::vector<uint64_t> reftable_;
  bool reftable_dirty_ = false;
  std::unordered_map<uint64_t, RefBlock> refblocks_;  // by table index
  std::vector<uint64_t> refblock_offsets_;  // sorted; empty = rebuild
  std::vector<uint64_t> pending_frees_;               // cluster indexes
  uint64_t free_hint_ = 0;
  uint64_t comp_next_ = 0;  // next free byte in the current compressed cluster (0: none)
  std::vector<qcow2::SnapshotEntry> snapshots_;
  uint64_t dcache_host_ = ~0ull;
  std::vector<uint8_t> dcache_;
};

}  // namespace mimic::block
