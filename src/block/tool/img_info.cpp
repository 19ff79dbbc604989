// mimic-img info, snapshot, map and measure.
#include <getopt.h>

#include <cstdio>
#include <ctime>

#include "block/image.h"
#include "block/qcow2.h"
#include "block/tool/img_tool.h"

namespace mimic::img {

using block::Qcow2Driver;

namespace {

std::string snapshot_date(const block::qcow2::SnapshotEntry& s) {
  time_t t = s.date_sec;
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string vm_clock(uint64_t ns) {
  uint64_t secs = ns / 1000000000ull;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu.%03llu", (unsigned long long)(secs / 3600),
                (unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60),
                (unsigned long long)(ns / 1000000 % 1000));
  return buf;
}

void print_snapshot_table(const std::vector<block::qcow2::SnapshotEntry>& snaps) {
  std::printf("Snapshot list:\n");
  std::printf("%-9s %-17s %7s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT");
  for (const auto& s : snaps) {
    uint64_t icount = s.extra.size() >= 8 ? block::qcow2::be64(s.extra.data()) : 0;
    std::printf("%-9s %-17s %7s%20s%13s%11llu\n", s.id.c_str(), s.name.c_str(), human_size(s.vm_state_size).c_str(),
                snapshot_date(s).c_str(), vm_clock(s.vm_clock_nsec).c_str(), (unsigned long long)icount);
  }
}

void json_snapshots(Json& j, const std::vector<block::qcow2::SnapshotEntry>& snaps) {
  j.begin_array("snapshots");
  for (const auto& s : snaps) {
    j.begin_object();
    j.value("icount", s.extra.size() >= 8 ? block::qcow2::be64(s.extra.data()) : uint64_t{0});
    j.value("vm-clock-nsec", uint64_t{s.vm_clock_nsec % 1000000000u});
    j.value("name", s.name);
    j.value("date-sec", uint64_t{s.date_sec});
    j.value("date-nsec", uint64_t{s.date_nsec});
    j.value("vm-clock-sec", uint64_t{s.vm_clock_nsec / 1000000000u});
    j.value("id", s.id);
    j.value("vm-state-size", s.vm_state_size);
    j.end_object();
  }
  j.end_array();
}

void info_json(Json& j, block::BlockDriver* d) {
  auto* q = dynamic_cast<Qcow2Driver*>(d);
  j.begin_object();
  auto ref = block::backing_ref(d);
  if (q && !ref.format.empty()) j.value("backing-filename-format", ref.format);
  if (q && !q->snapshots().empty()) json_snapshots(j, q->snapshots());
  j.value("virtual-size", d->length());
  j.value("filename", d->filename());
  if (q) j.value("cluster-size", q->cluster_size());
  j.value("format", d->format_name());
  j.value("actual-size", d->allocated_file_size());
  if (q) {
    const auto& h = q->header();
    j.begin_object("format-specific");
    j.value("type", "qcow2");
    j.begin_object("data");
    j.value("compat", h.version == 2 ? "0.10" : "1.1");
    if (h.version >= 3) {
      j.value("compression-type", h.compression_type == block::qcow2::CompressionType::kZstd ? "zstd" : "zlib");
      j.value("lazy-refcounts", (h.compatible_features & block::qcow2::kCompatLazyRefcounts) != 0);
    } else {
      j.value("compression-type", "zlib");
    }
    j.value("refcount-bits", uint64_t{h.refcount_bits()});
    if (h.version >= 3) {
      j.value("corrupt", (h.incompatible_features & block::qcow2::kIncompatCorrupt) != 0);
      j.value("extended-l2", false);
    }
    j.end_object();
    j.end_object();
  }
  if (!ref.file.empty()) {
    j.value("full-backing-filename", block::resolve_backing_path(d->filename(), ref.file));
    j.value("backing-filename", ref.file);
  }
  j.value("dirty-flag", q && (q->header().incompatible_features & block::qcow2::kIncompatDirty) != 0);
  j.end_object();
}

void info_human(block::BlockDriver* d) {
  auto* q = dynamic_cast<Qcow2Driver*>(d);
  std::printf("image: %s\n", d->filename().c_str());
  std::printf("file format: %s\n", d->format_name().c_str());
  std::printf("virtual size: %s (%llu bytes)\n", human_size(d->length()).c_str(), (unsigned long long)d->length());
  std::printf("disk size: %s\n", human_size(d->allocated_file_size()).c_str());
  if (!q) return;
  const auto& h = q->header();
  std::printf("cluster_size: %llu\n", (unsigned long long)q->cluster_size());
  auto ref = block::backing_ref(d);
  if (!ref.file.empty()) {
    std::string full = block::resolve_backing_path(d->filename(), ref.file);
    if (full != ref.file)
      std::printf("backing file: %s (actual path: %s)\n", ref.file.c_str(), full.c_str());
    else
      std::printf("backing file: %s\n", ref.file.c_str());
    if (!ref.format.empty()) std::printf("backing file format: %s\n", ref.format.c_str());
  }
  if (!q->snapshots().empty()) print_snapshot_table(q->snapshots());
  std::printf("Format specific information:\n");
  std::printf("    compat: %s\n", h.version == 2 ? "0.10" : "1.1");
  std::printf("    compression type: %s\n", h.compression_type == block::qcow2::CompressionType::kZstd ? "zstd" : "zlib");
  if (h.version >= 3)
    std::printf("    lazy refcounts: %s\n", (h.compatible_features & block::qcow2::kCompatLazyRefcounts) ? "true" : "false");
  std::printf("    refcount bits: %u\n", h.refcount_bits());
  if (h.version < 3) return;
  std::printf("    corrupt: %s\n", (h.incompatible_features & block::qcow2::kIncompatCorrupt) ? "true" : "false");
  std::printf("    extended l2: false\n");
}

}  // namespace

int cmd_info(int argc, char** argv) {
  std::string fmt, output = "human";
  bool chain = false;
  static const option kLong[] = {{"output", required_argument, nullptr, 'O'},
                                 {"backing-chain", no_argument, nullptr, 'B'},
                                 {"format", required_argument, nullptr, 'f'},
                                 {"force-share", no_argument, nullptr, 'U'},
                                 {nullptr, 0, nullptr, 0}};
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "f:hU", kLong, nullptr)) != -1;) {
    if (c == 'f') fmt = optarg;
    else if (c == 'O') output = optarg;
    else if (c == 'B') chain = true;
    else if (c == 'U') {}
    else return 1;
  }
  if (optind != argc - 1) {
    report("Expecting one image file name");
    return 1;
  }
  if (output != "human" && output != "json") {
    report("--output must be used with human or json as argument.");
    return 1;
  }
  block::OpenOptions o;
  o.format = fmt;
  o.open_backing = chain;
  auto d = block::open_image(argv[optind], o);
  if (!d) {
    report(d.error().message);
    return 1;
  }
  std::vector<block::BlockDriver*> layers;
  for (block::BlockDriver* cur = d->get(); cur; cur = chain ? cur->backing() : nullptr) layers.push_back(cur);
  if (output == "json") {
    Json j;
    if (chain) j.begin_array();
    for (auto* l : layers) info_json(j, l);
    if (chain) j.end_array();
    std::fputs(j.str().c_str(), stdout);
  } else {
    for (size_t i = 0; i < layers.size(); i++) {
      if (i) std::printf("\n");
      info_human(layers[i]);
    }
  }
  return 0;
}

int cmd_snapshot(int argc, char** argv) {
  char action = 0;
  std::string name, fmt;
  optind = 1;
  for (int c; (c = getopt(argc, argv, "la:c:d:f:qU")) != -1;) {
    if (c == 'l' || c == 'a' || c == 'c' || c == 'd') {
      if (action) {
        report("Cannot mix '-l', '-a', '-c', '-d'");
        return 1;
      }
      action = static_cast<char>(c);
      if (optarg) name = optarg;
    } else if (c == 'f') {
      fmt = optarg;
    } else if (c != 'q' && c != 'U') {
      return 1;
    }
  }
  if (optind != argc - 1) {
    report("Expecting one image file name");
    return 1;
  }
  if (!action) action = 'l';
  block::OpenOptions o;
  o.format = fmt;
  o.writable = action != 'l';
  o.open_backing = false;
  auto d = block::open_image(argv[optind], o);
  if (!d) {
    report(d.error().message);
    return 1;
  }
  auto* q = dynamic_cast<Qcow2Driver*>(d->get());
  if (!q) {
    if (action == 'l') return 0;  // no snapshots to list, like qemu-img
    report("Could not create snapshot '" + name + "': Operation not supported");
    return 1;
  }
  Result<void> r;
  if (action == 'l') {
    if (!q->snapshots().empty()) print_snapshot_table(q->snapshots());
    return 0;
  }
  if (action == 'c') r = q->snapshot_create(name);
  else if (action == 'a') r = q->snapshot_apply(name);
  else r = q->snapshot_delete(name);
  if (!r) {
    const char* what = action == 'c' ? "create" : action == 'a' ? "apply" : "delete";
    std::string msg = r.error().message;
    if (action == 'a') report("Could not apply snapshot '" + name + "': " + msg);
    else if (action == 'c') report("Could not " + std::string(what) + " snapshot '" + name + "': " + msg);
    else report(msg);
    return 1;
  }
  if (auto c = q->close(); !c) {
    report(c.error().message);
    return 1;
  }
  return 0;
}

int cmd_map(int argc, char** argv) {
  std::string fmt, output = "human";
  uint64_t start = 0, max_len = ~0ull;
  static const option kLong[] = {{"output", required_argument, nullptr, 'O'},
                                 {"start-offset", required_argument, nullptr, 's'},
                                 {"max-length", required_argument, nullptr, 'l'},
                                 {"format", required_argument, nullptr, 'f'},
                                 {nullptr, 0, nullptr, 0}};
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "f:hU", kLong, nullptr)) != -1;) {
    if (c == 'f') fmt = optarg;
    else if (c == 'O') output = optarg;
    else if (c == 's' || c == 'l') {
      auto v = parse_size(optarg);
      if (!v) {
        report(v.error().message);
        return 1;
      }
      (c == 's' ? start : max_len) = *v;
    } else if (c != 'U') return 1;
  }
  if (optind != argc - 1) {
    report("Expecting one image file name");
    return 1;
  }
  block::OpenOptions o;
  o.format = fmt;
  auto d = block::open_image(argv[optind], o);
  if (!d) {
    report(d.error().message);
    return 1;
  }
  uint64_t end = std::min<uint64_t>((*d)->length(), max_len == ~uint64_t{0} ? max_len : start + max_len);
  struct Row {
    uint64_t start, length;
    int depth;
    bool present, zero, data, has_off;
    uint64_t off;
    std::string file;
  };
  std::vector<Row> rows;
  if (output != "json") std::printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
  for (uint64_t off = start; off < end;) {
    auto s = chain_status(d->get(), off, end - off);
    if (!s) {
      report(s.error().message);
      return 1;
    }
    if (output != "json" && s->extent.compressed) {
      std::fflush(stdout);
      report("File contains external, encrypted or compressed clusters.");
      return 1;
    }
    Row r{off, std::max<uint64_t>(s->extent.length, 1), s->depth, s->allocated,
          s->extent.kind != block::ExtentKind::kData, s->extent.kind == block::ExtentKind::kData,
          s->extent.has_host && s->allocated, s->extent.host_offset, s->file};
    if (!s->allocated) r.zero = true;
    if (!rows.empty()) {
      Row& p = rows.back();
      if (p.depth == r.depth && p.present == r.present && p.zero == r.zero && p.data == r.data &&
          p.has_off == r.has_off && (!r.has_off || p.off + p.length == r.off) && p.file == r.file) {
        p.length += r.length;
        off += r.length;
        continue;
      }
    }
    rows.push_back(r);
    off += r.length;
  }
  if (output == "json") {
    std::printf("[");
    for (size_t i = 0; i < rows.size(); i++) {
      const Row& r = rows[i];
      std::printf("%s{ \"start\": %llu, \"length\": %llu, \"depth\": %d, \"present\": %s, \"zero\": %s, \"data\": %s",
                  i ? ",\n" : "", (unsigned long long)r.start, (unsigned long long)r.length, r.depth,
                  r.present ? "true" : "false", r.zero ? "true" : "false", r.data ? "true" : "false");
      if (r.has_off) std::printf(", \"offset\": %llu", (unsigned long long)r.off);
      std::printf("}");
    }
    std::printf("]\n");
  } else {
    for (const Row& r : rows)
      if (r.data && r.has_off)
        std::printf("%#-16llx%#-16llx%#-16llx%s\n", (unsigned long long)r.start, (unsigned long long)r.length,
                    (unsigned long long)r.off, r.file.c_str());
  }
  return 0;
}

}  // namespace mimic::img
