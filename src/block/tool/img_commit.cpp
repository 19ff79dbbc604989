// mimic-img commit, rebase and measure.
#include <getopt.h>

#include <cstdio>
#include <cstring>

#include "block/commit.h"
#include "block/image.h"
#include "block/qcow2.h"
#include "block/tool/img_tool.h"

namespace mimic::img {

namespace {
constexpr uint64_t kChunk = 2ull << 20;
}

int cmd_commit(int argc, char** argv) {
  std::string fmt;
  bool drop = false, quiet = false;
  optind = 1;
  for (int c; (c = getopt(argc, argv, "f:t:b:dpqr:")) != -1;) {
    if (c == 'f') fmt = optarg;
    else if (c == 'd') drop = true;
    else if (c == 'q') quiet = true;
    else if (c == 'b') {
      report("commit -b is not supported: only the immediate backing file can be committed to");
      return 1;
    } else if (c != 't' && c != 'p' && c != 'r') return 1;
  }
  if (optind != argc - 1) {
    report("Expecting one image file name");
    return 1;
  }
  std::string file = argv[optind];
  block::OpenOptions o;
  o.format = fmt;
  o.writable = true;
  o.open_backing = false;
  auto top = block::open_image(file, o);
  if (!top) {
    report(top.error().message);
    return 1;
  }
  auto ref = block::backing_ref(top->get());
  if (ref.file.empty()) {
    report("Image does not have a backing file");
    return 1;
  }
  block::OpenOptions bo;
  bo.format = ref.format;
  bo.writable = true;
  auto base = block::open_image(block::resolve_backing_path(file, ref.file), bo);
  if (!base) {
    report(base.error().message);
    return 1;
  }
  const uint64_t size = (*top)->length();
  if (auto r = block::commit_top_into(top->get(), base->get()); !r) {
    report("Block job failed: " + r.error().message);
    return 1;
  }
  if (auto r = (*base)->close(); !r) {
    report(r.error().message);
    return 1;
  }
  if (!drop) {
    if (auto* q = dynamic_cast<block::Qcow2Driver*>(top->get())) {
      if (auto r = q->unmap(0, size); !r) {
        report(r.error().message);
        return 1;
      }
    }
  }
  if (auto r = (*top)->close(); !r) {
    report(r.error().message);
    return 1;
  }
  if (!quiet) std::printf("Image committed.\n");
  return 0;
}

int cmd_rebase(int argc, char** argv) {
  std::string fmt, backing, bfmt;
  bool unsafe = false, have_b = false;
  optind = 1;
  for (int c; (c = getopt(argc, argv, "f:b:F:ut:T:pqU")) != -1;) {
    if (c == 'f') fmt = optarg;
    else if (c == 'b') {
      backing = optarg;
      have_b = true;
    } else if (c == 'F') bfmt = optarg;
    else if (c == 'u') unsafe = true;
    else if (c != 't' && c != 'T' && c != 'p' && c != 'q' && c != 'U') return 1;
  }
  if (optind != argc - 1) {
    report("Expecting one image file name");
    return 1;
  }
  if (!have_b) {
    report("Must specify backing file (-b) or use compression (-c)");
    return 1;
  }
  std::string file = argv[optind];
  std::string bpath = block::resolve_backing_path(file, backing);
  if (!backing.empty() && bfmt.empty()) {
    auto p = block::probe_format(bpath);
    if (!p && !unsafe) {
      report(p.error().message);
      return 1;
    }
    if (p) bfmt = *p;
  }
  block::OpenOptions o;
  o.format = fmt;
  o.writable = true;
  o.open_backing = !unsafe;
  auto img = block::open_image(file, o);
  if (!img) {
    report(img.error().message);
    return 1;
  }
  auto* q = dynamic_cast<block::Qcow2Driver*>(img->get());
  if (!q) {
    report("Could not change the backing file to '" + backing + "': Operation not supported");
    return 1;
  }
  if (!unsafe) {
    std::unique_ptr<block::BlockDriver> nb;
    if (!backing.empty()) {
      block::OpenOptions bo;
      bo.format = bfmt;
      auto b = block::open_image(bpath, bo);
      if (!b) {
        report("Could not open new backing file '" + bpath + "': " + b.error().message);
        return 1;
      }
      nb = std::move(b.value());
    }
    block::BlockDriver* old = q->backing();
    const uint64_t size = q->length();
    std::vector<uint8_t> ob(kChunk), nbuf(kChunk);
    for (uint64_t off = 0; off < size;) {
      auto e = q->block_status(off, std::min(kChunk, size - off));
      if (!e) {
        report(e.error().message);
        return 1;
      }
      uint64_t n = std::max<uint64_t>(e->length, 1);
      if (e->kind == block::ExtentKind::kUnallocated) {
        // Content now comes from the old chain; keep it if the new differs.
        auto fill = [&](block::BlockDriver* d, uint8_t* p) -> Result<void> {
          std::memset(p, 0, n);
          if (!d || off >= d->length()) return {};
          return d->read(off, p, std::min(n, d->length() - off));
        };
        auto r1 = fill(old, ob.data());
        auto r2 = r1 ? fill(nb.get(), nbuf.data()) : r1;
        if (!r1 || !r2) {
          report((!r1 ? r1 : r2).error().message);
          return 1;
        }
        const uint64_t cs = q->cluster_size();
        for (uint64_t p = 0; p < n; p += cs) {
          uint64_t g = std::min(cs, n - p);
          if (std::memcmp(ob.data() + p, nbuf.data() + p, g) != 0)
            if (auto r = q->write(off + p, ob.data() + p, g); !r) {
              report(r.error().message);
              return 1;
            }
        }
      }
      off += n;
    }
  }
  if (auto r = q->set_backing_file(backing, bfmt); !r) {
    report(r.error().message);
    return 1;
  }
  if (auto r = q->close(); !r) {
    report(r.error().message);
    return 1;
  }
  return 0;
}

int cmd_measure(int argc, char** argv) {
  std::string fmt, out_fmt = "raw", output = "human", opts;
  uint64_t size = 0;
  bool have_size = false;
  static const option kLong[] = {{"output", required_argument, nullptr, 'J'},
                                 {"size", required_argument, nullptr, 'S'},
                                 {"object", required_argument, nullptr, 'j'},
                                 {"image-opts", no_argument, nullptr, 'i'},
                                 {nullptr, 0, nullptr, 0}};
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "f:O:o:l:U", kLong, nullptr)) != -1;) {
    if (c == 'f') fmt = optarg;
    else if (c == 'O') out_fmt = optarg;
    else if (c == 'o') opts += (opts.empty() ? "" : ",") + std::string(optarg);
    else if (c == 'J') output = optarg;
    else if (c == 'S') {
      auto s = parse_size(optarg);
      if (!s) {
        report(s.error().message);
        return 1;
      }
      size = *s;
      have_size = true;
    } else if (c != 'U' && c != 'l') return 1;
  }
  if (have_size == (optind < argc)) {
    report(have_size ? "--size N cannot be used together with a filename" : "Either --size N or one filename must be specified.");
    return 1;
  }
  std::unique_ptr<block::BlockDriver> src;
  if (!have_size) {
    block::OpenOptions o;
    o.format = fmt;
    auto s = block::open_image(argv[optind], o);
    if (!s) {
      report(s.error().message);
      return 1;
    }
    src = std::move(s.value());
    size = src->length();
  }
  auto o = parse_options(opts);
  if (!o) {
    report(o.error().message);
    return 1;
  }
  uint64_t cs = 65536, refbits = 16;
  if (o->count("cluster_size")) {
    auto c = parse_size((*o)["cluster_size"]);
    if (!c) {
      report(c.error().message);
      return 1;
    }
    cs = *c;
  }
  if (o->count("refcount_bits")) refbits = std::strtoull((*o)["refcount_bits"].c_str(), nullptr, 10);
  // Bytes that read as data through the whole chain, per output cluster.
  uint64_t granule = out_fmt == "qcow2" ? cs : 512, data = 0;
  if (src) {
    for (uint64_t off = 0; off < size;) {
      auto s = chain_status(src.get(), off, size - off);
      if (!s) {
        report(s.error().message);
        return 1;
      }
      uint64_t n = std::max<uint64_t>(s->extent.length, 1);
      if (s->extent.kind == block::ExtentKind::kData) {
        uint64_t a = off / granule * granule, b = (off + n + granule - 1) / granule * granule;
        data += b - a;  // neighbouring extents may share a granule: close enough
      }
      off += n;
    }
  }
  uint64_t required, full;
  // Bitmaps can only come from a qcow2 v3 source.
  auto* sq = dynamic_cast<block::Qcow2Driver*>(src.get());
  bool bitmaps = out_fmt == "qcow2" && sq && sq->header().version >= 3;
  if (out_fmt == "raw") {
    required = size;
    full = size;
  } else if (out_fmt == "qcow2") {
    uint64_t vclusters = (size + cs - 1) / cs;
    uint64_t l2 = (vclusters + cs / 8 - 1) / (cs / 8);
    uint64_t l1 = (l2 * 8 + cs - 1) / cs;
    auto meta_for = [&](uint64_t data_clusters) {
      uint64_t clusters = 1 + l2 + l1 + data_clusters, blocks = 0, table = 0, last;
      uint64_t per_block = cs * 8 / refbits;
      do {
        last = table;
        blocks = (clusters + blocks + table + per_block - 1) / per_block;
        table = (blocks * 8 + cs - 1) / cs;
      } while (table != last);
      return (1 + l2 + l1 + blocks + table) * cs;
    };
    full = meta_for(vclusters) + vclusters * cs;
    required = meta_for(data / cs) + data;
  } else {
    report("Unknown file format '" + out_fmt + "'");
    return 1;
  }
  if (output == "json") {
    Json j;
    j.begin_object();
    if (bitmaps) j.value("bitmaps", uint64_t{0});
    j.value("required", required);
    j.value("fully-allocated", full);
    j.end_object();
    std::fputs(j.str().c_str(), stdout);
  } else {
    std::printf("required size: %llu\nfully allocated size: %llu\n", (unsigned long long)required, (unsigned long long)full);
    if (bitmaps) std::printf("bitmaps size: 0\n");
  }
  return 0;
}

}  // namespace mimic::img
