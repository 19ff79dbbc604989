// qcow2: creating a new image. Layout: header (cluster 0), refcount table,
// refcount blocks, L1 table; then the image is opened to preallocate.
#include <fcntl.h>

#include <algorithm>
#include <cstring>

#include "block/qcow2.h"

namespace mimic::block {

using namespace qcow2;

Result<void> Qcow2Driver::create(const std::string& path, const Qcow2CreateOptions& o) {
  uint32_t cb = 0;
  while ((1u << cb) < o.cluster_size) cb++;
  if ((1u << cb) != o.cluster_size || cb < kMinClusterBits || cb > kMaxClusterBits)
    return make_error("Cluster size must be a power of two between 512 and 2048k");
  uint32_t order = 0;
  while ((1u << order) < o.refcount_bits) order++;
  if ((1u << order) != o.refcount_bits || order > 6)
    return make_error("Refcount width must be a power of two and may not exceed 64 bits");
  if (o.version == 2 && order != 4)
    return make_error("Different refcount widths than 16 bits require compatibility level 1.1 or above (use compat=1.1 or greater)");
  if (o.version == 2 && o.lazy_refcounts)
    return make_error("Lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
  if (o.version == 2 && o.compression_type != CompressionType::kZlib)
    return make_error("Non-zlib compression type is only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
  if (o.size % 512) return make_error("Image size must be a multiple of 512 bytes");
  const uint64_t cs = 1ull << cb;
  uint64_t l1_entries = l1_entries_for(o.size, cb);
  if (l1_entries * 8 > kMaxL1Bytes) return make_error("Image size is too large for this cluster size");
  uint64_t l1_clusters = (l1_entries * 8 + cs - 1) / cs;
  const uint64_t e = cs * 8 / o.refcount_bits;
  uint64_t nb = 1, nt = 1;
  for (;;) {  // blocks must cover header + table + blocks + L1
    uint64_t total = 1 + nt + nb + l1_clusters;
    uint64_t nb2 = (total + e - 1) / e, nt2 = (nb2 * 8 + cs - 1) / cs;
    if (nb2 <= nb && nt2 <= nt) break;
    nb = std::max(nb, nb2);
    nt = std::max(nt, nt2);
  }
  Header h;
  h.version = o.version;
  h.cluster_bits = cb;
  h.size = o.size;
  h.refcount_order = order;
  h.header_length = o.version == 2 ? 72 : 112;
  h.compression_type = o.compression_type;
  if (o.compression_type != CompressionType::kZlib) h.incompatible_features |= kIncompatCompression;
  if (o.lazy_refcounts) h.compatible_features |= kCompatLazyRefcounts;
  h.refcount_table_offset = cs;
  h.refcount_table_clusters = static_cast<uint32_t>(nt);
  h.l1_table_offset = (1 + nt + nb) * cs;
  h.l1_size = static_cast<uint32_t>(l1_entries);
  h.backing_file = o.backing_file;
  h.backing_format = o.backing_file.empty() ? "" : o.backing_format;
  auto hdr = serialize_header(h);
  if (!hdr) return hdr.error();

  auto f = FileProtocol::create(path);
  if (!f) return f.error();
  uint64_t total = 1 + nt + nb + l1_clusters;
  std::vector<uint8_t> img(total * cs, 0);
  std::memcpy(img.data(), hdr->data(), hdr->size());
  for (uint64_t b = 0; b < nb; b++) put_be64(&img[cs + b * 8], (1 + nt + b) * cs);
  // Refcount 1 for each of the `total` clusters.
  const uint32_t bits = o.refcount_bits;
  for (uint64_t c = 0; c < total; c++) {
    uint8_t* blk = &img[(1 + nt + c / e) * cs];
    uint64_t i = c % e;
    if (bits >= 8)
      blk[i * (bits / 8) + bits / 8 - 1] = 1;
    else
      blk[i * bits / 8] |= static_cast<uint8_t>(1u << ((i * bits) % 8));
  }
  if (auto r = (*f)->pwrite(0, img.data(), img.size()); !r) return r;
  if (auto r = (*f)->sync(); !r) return r;
  if (o.preallocation == "off") return {};
  if (o.preallocation != "metadata" && o.preallocation != "falloc" && o.preallocation != "full")
    return make_error("Invalid parameter '" + o.preallocation + "'");
  // Preallocation: every guest cluster gets a host cluster (zero-filled).
  auto fr = FileProtocol::open(path, true);
  if (!fr) return fr.error();
  auto d = Qcow2Driver::open(std::move(fr.value()), true);
  if (!d) return d.error();
  Qcow2Driver& q = **d;
  uint64_t nclusters = (o.size + cs - 1) / cs;
  for (uint64_t gc = 0; gc < nclusters;) {
    uint64_t run = std::min<uint64_t>(nclusters - gc, 4096);
    auto a = q.alloc_clusters(run);
    if (!a) return a.error();
    for (uint64_t i = 0; i < run; i++)
      if (auto r = q.set_l2(gc + i, (*a + i * cs) | kOflagCopied, Mapping{}); !r) return r;
    gc += run;
    uint64_t end = *a + run * cs;
    if (o.preallocation == "metadata") {
      if (q.file_->size() < end) {
        if (auto r = q.file_->truncate(end); !r) return r;
      }
    } else if (o.preallocation == "falloc") {
      if (auto r = q.file_->allocate(*a, run * cs); !r) return r;
    } else {
      std::vector<uint8_t> zero(run * cs, 0);
      if (auto r = q.file_->pwrite(*a, zero.data(), zero.size()); !r) return r;
    }
  }
  return q.close();
}

}  // namespace mimic::block
