// mimic-img convert and compare.
#include <getopt.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <thread>

#include "block/image.h"
#include "block/qcow2.h"
#include "block/qcow2_compress.h"
#include "block/tool/img_tool.h"

namespace mimic::img {

namespace {
constexpr uint64_t kChunk = 8ull << 20;

// Compresses every granule of a chunk, spread over the host's cores (zlib
// and zstd dominate convert -c). All-zero granules are skipped later, but
// compressing them is cheap.
void compress_chunk(block::Qcow2Driver* q, const uint8_t* buf, uint64_t n, uint64_t gran,
                    std::vector<std::vector<uint8_t>>& out) {
  const uint64_t count = (n + gran - 1) / gran;
  out.assign(count, {});
  const unsigned workers = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  auto work = [&](unsigned w) {
    std::vector<uint8_t> full(gran);
    for (uint64_t i = w; i < count; i += workers) {
      uint64_t g = std::min(gran, n - i * gran);
      std::memcpy(full.data(), buf + i * gran, g);
      std::memset(full.data() + g, 0, gran - g);
      out[i] = block::qcow2::compress_cluster(q->header().compression_type, full.data(), gran);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers && w < count; w++) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
}

}  // namespace

int cmd_convert(int argc, char** argv) {
  std::string src_fmt, out_fmt = "raw", opts, backing, backing_fmt;
  bool compress = false, quiet = false, no_create = false;
  std::string cache = "unsafe";
  uint64_t sparse = 4096;
  optind = 1;
  for (int c; (c = getopt(argc, argv, "f:O:o:cB:F:qpnS:t:T:m:WUC")) != -1;) {
    switch (c) {
      case 'f': src_fmt = optarg; break;
      case 'O': out_fmt = optarg; break;
      case 'o': opts += (opts.empty() ? "" : ",") + std::string(optarg); break;
      case 'c': compress = true; break;
      case 'B': backing = optarg; break;
      case 'F': backing_fmt = optarg; break;
      case 'q': quiet = true; break;
      case 'n': no_create = true; break;
      case 'S': {
        auto s = parse_size(optarg);
        if (!s || *s % 512) {
          report("Invalid buffer size for sparse output specified. Valid sizes are multiples of 512 up to 16M.");
          return 1;
        }
        sparse = *s;
        break;
      }
      case 't': cache = optarg; break;
      case 'p': case 'T': case 'm': case 'W': case 'U': case 'C': break;
      default: return 1;
    }
  }
  if (argc - optind != 2) {
    report(argc - optind < 2 ? "Expecting image file name" : "Only one source image is supported");
    return 1;
  }
  std::string src_name = argv[optind], dst_name = argv[optind + 1];
  if (compress && out_fmt != "qcow2") {
    report("Compression not supported for this file format");
    return 1;
  }
  block::OpenOptions so;
  so.format = src_fmt;
  auto src = block::open_image(src_name, so);
  if (!src) {
    report(src.error().message);
    return 1;
  }
  const uint64_t size = (*src)->length();
  if (!no_create) {
    CreateSpec spec;
    spec.format = out_fmt;
    spec.filename = dst_name;
    spec.size = size;
    auto o = parse_options(opts);
    if (!o) {
      report(o.error().message);
      return 1;
    }
    spec.opts = *o;
    spec.backing_file = backing;
    spec.backing_format = backing_fmt;
    if (!backing.empty() && backing_fmt.empty()) {
      auto p = block::probe_format(block::resolve_backing_path(dst_name, backing));
      if (p) spec.backing_format = *p;
    }
    if (auto r = create_image(spec, true); !r) {
      report(r.error().message);
      return 1;
    }
  }
  block::OpenOptions dopt;
  dopt.format = out_fmt;
  dopt.writable = true;
  dopt.cache_unsafe = cache == "unsafe";
  auto dst = block::open_image(dst_name, dopt);
  if (!dst) {
    report(dst.error().message);
    return 1;
  }
  block::BlockDriver* out = dst->get();
  auto* q = dynamic_cast<block::Qcow2Driver*>(out);
  if (out->length() < size) {
    report("Target image too small");
    return 1;
  }
  const uint64_t gran = q ? q->cluster_size() : sparse ? sparse : 4096;
  std::vector<uint8_t> buf(kChunk), bbuf;
  std::vector<std::vector<uint8_t>> packed;
  auto fail = [](const Error& e) {
    report("error while converting: " + e.message);
    return 1;
  };
  block::BlockDriver* target_backing = out->backing();
  for (uint64_t off = 0, n = 0; off < size; off += n) {
    n = std::min(kChunk, size - off);
    // Long zero extents are skipped whole: a fresh image reads zeros.
    if (!target_backing && !no_create) {
      auto s = chain_status(src->get(), off, size - off);
      if (!s) return fail(s.error());
      // Skip whole output clusters only, so chunks stay cluster-aligned.
      uint64_t skip = s->extent.length / gran * gran;
      if (off + s->extent.length >= size) skip = size - off;
      if (s->extent.kind != block::ExtentKind::kData && skip >= n) {
        n = skip;
        continue;
      }
    }
    if (auto r = (*src)->read(off, buf.data(), n); !r) return fail(r.error());
    if (target_backing) {  // -B: only write what differs from the new backing
      bbuf.assign(n, 0);
      uint64_t bl = target_backing->length();
      if (off < bl)
        if (auto r = target_backing->read(off, bbuf.data(), std::min(n, bl - off)); !r) return fail(r.error());
    }
    if (compress) compress_chunk(q, buf.data(), n, gran, packed);
    // Write runs of granules that are not zero (or differ from the backing).
    for (uint64_t p = 0; p < n;) {
      uint64_t g = std::min(gran, n - p);
      auto skip = [&](uint64_t at, uint64_t len) {
        if (target_backing) return std::memcmp(buf.data() + at, bbuf.data() + at, len) == 0;
        return !no_create && is_zero(buf.data() + at, len);
      };
      if (skip(p, g)) {
        p += g;
        continue;
      }
      if (compress) {
        if (auto r = q->write_precompressed(off + p, packed[p / gran], buf.data() + p, g); !r)
          return fail(r.error());
        p += g;
        continue;
      }
      uint64_t e = p + g;
      while (e < n && !skip(e, std::min(gran, n - e))) e += std::min(gran, n - e);
      if (auto r = out->write(off + p, buf.data() + p, e - p); !r) return fail(r.error());
      p = e;
    }
  }
  if (auto r = out->close(); !r) return fail(r.error());
  (void)quiet;
  return 0;
}

int cmd_compare(int argc, char** argv) {
  std::string f1, f2;
  bool strict = false, quiet = false;
  optind = 1;
  for (int c; (c = getopt(argc, argv, "f:F:sqpU")) != -1;) {
    if (c == 'f') f1 = optarg;
    else if (c == 'F') f2 = optarg;
    else if (c == 's') strict = true;
    else if (c == 'q') quiet = true;
    else if (c != 'p' && c != 'U') return 2;
  }
  if (argc - optind != 2) {
    report("Expecting two image file names");
    return 2;
  }
  block::OpenOptions o1, o2;
  o1.format = f1;
  o2.format = f2;
  auto a = block::open_image(argv[optind], o1);
  if (!a) {
    report(a.error().message);
    return 2;
  }
  auto b = block::open_image(argv[optind + 1], o2);
  if (!b) {
    report(b.error().message);
    return 2;
  }
  uint64_t la = (*a)->length(), lb = (*b)->length(), common = std::min(la, lb);
  std::vector<uint8_t> ba(kChunk), bb(kChunk);
  auto mismatch = [&](uint64_t at) {
    if (!quiet) std::printf("Content mismatch at offset %llu!\n", (unsigned long long)at);
    return 1;
  };
  for (uint64_t off = 0, n = 0; off < common; off += n) {
    n = std::min(kChunk, common - off);
    auto sa = chain_status(a->get(), off, common - off);
    auto sb = sa ? chain_status(b->get(), off, common - off) : sa;
    if (!sa || !sb) {
      report((!sa ? sa.error() : sb.error()).message);
      return 2;
    }
    if (sa->extent.kind != block::ExtentKind::kData && sb->extent.kind != block::ExtentKind::kData) {
      n = std::max<uint64_t>(1, std::min(sa->extent.length, sb->extent.length));
      continue;  // both read as zeros
    }
    if (auto r = (*a)->read(off, ba.data(), n); !r) {
      report(r.error().message);
      return 2;
    }
    if (auto r = (*b)->read(off, bb.data(), n); !r) {
      report(r.error().message);
      return 2;
    }
    if (std::memcmp(ba.data(), bb.data(), n) != 0) {
      uint64_t i = 0;
      while (ba[i] == bb[i]) i++;
      return mismatch(off + (i & ~uint64_t{511}));
    }
  }
  if (la != lb) {
    if (strict) {
      if (!quiet) std::printf("Strict mode: Image size mismatch!\n");
      return 1;
    }
    if (!quiet) std::printf("Warning: Image size mismatch!\n");
    block::BlockDriver* big = la > lb ? a->get() : b->get();
    uint64_t total = std::max(la, lb);
    for (uint64_t off = common, n = 0; off < total; off += n) {
      n = std::min(kChunk, total - off);
      auto s = chain_status(big, off, total - off);
      if (!s) {
        report(s.error().message);
        return 2;
      }
      if (s->extent.kind != block::ExtentKind::kData) {
        n = std::max<uint64_t>(1, s->extent.length);
        continue;
      }
      if (auto r = big->read(off, ba.data(), n); !r) {
        report(r.error().message);
        return 2;
      }
      for (uint64_t i = 0; i < n; i++)
        if (ba[i]) return mismatch(off + (i & ~uint64_t{511}));
    }
  }
  if (!quiet) std::printf("Images are identical.\n");
  return 0;
}

}  // namespace mimic::img
