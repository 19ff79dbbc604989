#include "block/image.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <set>

#include "block/file_protocol.h"
#include "block/qcow2.h"
#include "block/raw_format.h"

namespace mimic::block {

Result<std::string> probe_format(const std::string& path) {
  auto f = FileProtocol::open(path, false);
  if (!f) return f.error();
  uint8_t magic[4] = {};
  if ((*f)->size() >= 4) {
    if (auto r = (*f)->pread(0, magic, 4); !r) return r.error();
  }
  if (qcow2::be32(magic) == qcow2::kMagic) return std::string("qcow2");
  return std::string("raw");
}

std::string resolve_backing_path(const std::string& image, const std::string& backing) {
  if (backing.empty() || backing[0] == '/') return backing;
  auto slash = image.rfind('/');
  if (slash == std::string::npos) return backing;
  return image.substr(0, slash + 1) + backing;
}

BackingRef backing_ref(BlockDriver* d) {
  if (auto* q = dynamic_cast<Qcow2Driver*>(d)) return {q->header().backing_file, q->header().backing_format};
  return {};
}

namespace {

std::string canonical(const std::string& p) {
  char buf[PATH_MAX];
  if (realpath(p.c_str(), buf)) return buf;
  return p;
}

Result<std::unique_ptr<BlockDriver>> open_one(const std::string& path, const OpenOptions& opts,
                                              int depth, std::set<std::string>& seen) {
  if (depth > kMaxBackingDepth) return make_error("Backing chain of '" + path + "' is too deep");
  if (!seen.insert(canonical(path)).second)
    return make_error("Backing file chain of '" + path + "' contains a loop");
  std::string fmt = opts.format;
  if (fmt.empty()) {
    auto p = probe_format(path);
    if (!p) return make_error("Could not open '" + path + "': " + p.error().message);
    fmt = *p;
  }
  if (fmt != "raw" && fmt != "qcow2") return make_error("Unknown driver '" + fmt + "'");
  auto f = FileProtocol::open(path, opts.writable, opts.cache_direct);
  if (!f) return f.error();
  (*f)->set_unsafe(opts.cache_unsafe);
  if (fmt == "raw") return std::unique_ptr<BlockDriver>(new RawFormat(std::move(f.value())));
  auto q = Qcow2Driver::open(std::move(f.value()), opts.writable);
  if (!q) return make_error("Could not open '" + path + "': " + q.error().message);
  const auto& h = (*q)->header();
  if (opts.open_backing && !h.backing_file.empty()) {
    OpenOptions bo;
    bo.format = h.backing_format;
    bo.writable = false;
    bo.cache_direct = opts.cache_direct;
    std::string bpath = resolve_backing_path(path, h.backing_file);
    auto b = open_one(bpath, bo, depth + 1, seen);
    if (!b) return b.error();
    (*q)->set_backing(std::move(b.value()));
  }
  return std::unique_ptr<BlockDriver>(std::move(q.value()));
}

}  // namespace

Result<std::unique_ptr<BlockDriver>> open_with_temporary_overlay(const std::string& path,
                                                                 const std::string& format) {
  OpenOptions bo;
  bo.format = format;
  auto q = open_temporary_overlay(path, bo);
  if (!q) return q.error();
  return std::unique_ptr<BlockDriver>(std::move(q.value()));
}

Result<std::unique_ptr<Qcow2Driver>> open_temporary_overlay(const std::string& path,
                                                            const OpenOptions& base_opts) {
  OpenOptions bo = base_opts;
  bo.writable = false;
  auto base = open_image(path, bo);
  if (!base) return base.error();
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/mimic-snapshot-XXXXXX";
  int fd = mkstemp(tmpl.data());
  if (fd < 0) return make_error("Could not create temporary overlay in " + tmpl);
  close(fd);
  Qcow2CreateOptions o;
  o.size = (*base)->length();
  o.size = (o.size + 511) / 512 * 512;
  auto r = Qcow2Driver::create(tmpl, o);
  std::unique_ptr<FileProtocol> f;
  if (r) {
    auto fr = FileProtocol::open(tmpl, true);
    if (fr) f = std::move(fr.value());
  }
  unlink(tmpl.c_str());  // the open descriptor keeps it alive
  if (!r) return r.error();
  if (!f) return make_error("Could not open temporary overlay");
  f->set_unsafe(true);
  auto q = Qcow2Driver::open(std::move(f), true);
  if (!q) return q.error();
  (*q)->set_backing(std::move(base.value()));
  return std::move(q.value());
}

Result<std::unique_ptr<BlockDriver>> open_image(const std::string& path, const OpenOptions& opts) {
  std::set<std::string> seen;
  return open_one(path, opts, 0, seen);
}

}  // namespace mimic::block
