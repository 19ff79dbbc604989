#include <cmath>
#include <cstdio>
#include <cstring>

#include "block/image.h"
#include "block/qcow2.h"
#include "block/raw_format.h"
#include "block/tool/img_tool.h"

namespace mimic::img {

// Every line of a message carries the program prefix, like qemu's
// error_report().
void report(const std::string& message) {
  size_t start = 0;
  for (;;) {
    size_t nl = message.find('\n', start);
    std::fprintf(stderr, "mimic-img: %s\n", message.substr(start, nl - start).c_str());
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

Result<uint64_t> parse_size(const std::string& s) {
  if (s.empty()) return make_error("Invalid image size specified. You may use k, M, G, T, P or E suffixes for");
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0 || errno) return make_error("Invalid image size specified. Must be between 0 and 9223372036854775807.");
  std::string suf(end);
  double mul = 1;
  if (suf.empty() || suf == "b" || suf == "B") mul = 1;
  else if (suf == "k" || suf == "K") mul = 1024.0;
  else if (suf == "M" || suf == "m") mul = 1024.0 * 1024;
  else if (suf == "G" || suf == "g") mul = 1024.0 * 1024 * 1024;
  else if (suf == "T" || suf == "t") mul = std::ldexp(1.0, 40);
  else if (suf == "P" || suf == "p") mul = std::ldexp(1.0, 50);
  else if (suf == "E" || suf == "e") mul = std::ldexp(1.0, 60);
  else return make_error("Invalid image size specified. You may use k, M, G, T, P or E suffixes for\nkilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
  double r = v * mul;
  if (r >= 9223372036854775808.0) return make_error("Image size must be less than 8 EiB!");
  if (suf.empty() && std::floor(v) != v) return make_error("Invalid image size specified.");
  return static_cast<uint64_t>(r);
}

std::string human_size(uint64_t v) {
  static const char* kSuffix[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int i = 0;
  for (uint64_t x = v; x >= 1024 && i < 6; x >>= 10) i++;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%0.3g %s", static_cast<double>(v) / std::ldexp(1.0, 10 * i), kSuffix[i]);
  return buf;
}

Result<std::map<std::string, std::string>> parse_options(const std::string& s) {
  std::map<std::string, std::string> out;
  std::string cur;
  std::vector<std::string> parts;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == ',') {
      if (i + 1 < s.size() && s[i + 1] == ',') {
        cur += ',';
        i++;
        continue;
      }
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  parts.push_back(cur);
  for (auto& p : parts) {
    if (p.empty()) continue;
    auto eq = p.find('=');
    if (eq == std::string::npos) out[p] = "on";
    else out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

namespace {
Result<bool> parse_bool(const std::string& key, const std::string& v) {
  if (v == "on" || v == "true" || v == "yes") return true;
  if (v == "off" || v == "false" || v == "no") return false;
  return make_error("Parameter '" + key + "' expects 'on' or 'off'");
}
}  // namespace

Result<void> create_image(const CreateSpec& spec, bool quiet) {
  std::map<std::string, std::string> o = spec.opts;
  std::string backing = spec.backing_file, bfmt = spec.backing_format;
  if (o.count("backing_file")) backing = o["backing_file"];
  if (o.count("backing_fmt")) bfmt = o["backing_fmt"];
  uint64_t size = spec.size;
  if (o.count("size")) {
    auto s = parse_size(o["size"]);
    if (!s) return s.error();
    size = *s;
  }
  if (spec.format == "raw") {
    for (auto& [k, v] : o)
      if (k != "preallocation" && k != "size") return make_error("Invalid parameter '" + k + "'");
    if (!backing.empty()) return make_error("Backing file not supported for file format 'raw'");
    std::string prealloc = o.count("preallocation") ? o["preallocation"] : "off";
    if (prealloc != "off" && prealloc != "falloc" && prealloc != "full")
      return make_error("Invalid parameter '" + prealloc + "'");
    if (!quiet)
      std::printf("Formatting '%s', fmt=raw size=%llu%s\n", spec.filename.c_str(), (unsigned long long)size,
                  prealloc != "off" ? (" preallocation=" + prealloc).c_str() : "");
    auto f = block::FileProtocol::create(spec.filename);
    if (!f) return f.error();
    if (auto r = (*f)->truncate(size); !r) return r;
    if (prealloc == "falloc" && size) {
      if (auto r = (*f)->allocate(0, size); !r) return r;
    }
    if (prealloc == "full") {
      std::vector<uint8_t> z(1 << 20, 0);
      for (uint64_t off = 0; off < size; off += z.size())
        if (auto r = (*f)->pwrite(off, z.data(), std::min<uint64_t>(z.size(), size - off)); !r) return r;
    }
    return (*f)->sync();
  }
  if (spec.format != "qcow2") return make_error("Unknown file format '" + spec.format + "'");
  block::Qcow2CreateOptions q;
  for (auto& [k, v] : o) {
    if (k == "compat") {
      if (v == "0.10" || v == "v2") q.version = 2;
      else if (v == "1.1" || v == "v3") q.version = 3;
      else return make_error("Invalid compatibility level: '" + v + "'");
    } else if (k == "cluster_size") {
      auto s = parse_size(v);
      if (!s) return s.error();
      q.cluster_size = static_cast<uint32_t>(*s);
      if (*s > (2u << 20)) q.cluster_size = 3;  // rejected by create
    } else if (k == "refcount_bits") {
      q.refcount_bits = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (k == "lazy_refcounts") {
      auto b = parse_bool(k, v);
      if (!b) return b.error();
      q.lazy_refcounts = *b;
    } else if (k == "compression_type") {
      if (v == "zlib") q.compression_type = block::qcow2::CompressionType::kZlib;
      else if (v == "zstd") q.compression_type = block::qcow2::CompressionType::kZstd;
      else return make_error("Parameter 'compression_type' does not accept value '" + v + "'");
    } else if (k == "preallocation") {
      q.preallocation = v;
    } else if (k == "extended_l2") {
      auto b = parse_bool(k, v);
      if (!b) return b.error();
      if (*b) return make_error("Extended L2 entries are not supported");
    } else if (k != "size" && k != "backing_file" && k != "backing_fmt") {
      return make_error("Invalid parameter '" + k + "'");
    }
  }
  if (!backing.empty()) {
    std::string bpath = block::resolve_backing_path(spec.filename, backing);
    if (bfmt.empty()) {
      auto p = block::probe_format(bpath);
      return make_error(spec.filename + ": Backing file specified without backing format" +
                        (p ? "\nDetected format of " + *p + "." : ""));
    }
    block::OpenOptions bo;
    bo.format = bfmt;
    auto b = block::open_image(bpath, bo);
    if (!b) {
      if (size == 0) return make_error(spec.filename + ": " + b.error().message);
      if (!quiet) std::fprintf(stderr, "mimic-img: warning: %s\n", b.error().message.c_str());
    } else if (size == 0) {
      size = (*b)->length();
    }
  }
  q.size = size;
  q.backing_file = backing;
  q.backing_format = bfmt;
  if (!quiet) {
    std::printf("Formatting '%s', fmt=qcow2 cluster_size=%u extended_l2=off%s compression_type=%s size=%llu",
                spec.filename.c_str(), q.cluster_size, q.preallocation != "off" ? (" preallocation=" + q.preallocation).c_str() : "",
                q.compression_type == block::qcow2::CompressionType::kZstd ? "zstd" : "zlib",
                (unsigned long long)size);
    if (!backing.empty()) std::printf(" backing_file=%s backing_fmt=%s", backing.c_str(), bfmt.c_str());
    if (o.count("compat")) std::printf(" compat=%s", o["compat"].c_str());
    std::printf(" lazy_refcounts=%s refcount_bits=%u\n", q.lazy_refcounts ? "on" : "off", q.refcount_bits);
    std::fflush(stdout);
  }
  return block::Qcow2Driver::create(spec.filename, q);
}

Result<ChainStatus> chain_status(block::BlockDriver* d, uint64_t offset, uint64_t len) {
  ChainStatus cs;
  int depth = 0;
  for (block::BlockDriver* cur = d; cur; cur = cur->backing(), depth++) {
    if (offset >= cur->length()) {  // past the end of a backing image: zeros
      cs.extent.kind = block::ExtentKind::kZero;
      cs.extent.length = len;
      cs.depth = depth;
      return cs;
    }
    auto e = cur->block_status(offset, std::min(len, cur->length() - offset));
    if (!e) return e.error();
    len = e->length;
    if (e->kind != block::ExtentKind::kUnallocated) {
      cs.extent = *e;
      cs.depth = depth;
      cs.allocated = true;
      cs.file = cur->filename();
      return cs;
    }
    if (!cur->backing()) {
      cs.extent = *e;
      cs.depth = depth;
      return cs;
    }
  }
  return cs;
}

Result<bool> chain_reads_zero(block::BlockDriver* d, uint64_t offset, uint64_t len) {
  while (len > 0) {
    auto s = chain_status(d, offset, len);
    if (!s) return s.error();
    if (s->extent.kind == block::ExtentKind::kData) return false;
    uint64_t n = std::min(len, std::max<uint64_t>(s->extent.length, 1));
    offset += n;
    len -= n;
  }
  return true;
}

bool is_zero(const uint8_t* p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    if (v) return false;
  }
  for (; i < n; i++)
    if (p[i]) return false;
  return true;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

void Json::item(const std::string& key) {
  if (!counts_.empty()) {
    if (counts_.back()++ > 0) out_ += ",";
    out_ += "\n" + std::string(counts_.size() * 4, ' ');
  }
  if (!key.empty()) out_ += "\"" + json_escape(key) + "\": ";
}
void Json::begin_object(const std::string& key) {
  item(key);
  out_ += "{";
  counts_.push_back(0);
}
void Json::end_object() {
  bool any = counts_.back() > 0;
  counts_.pop_back();
  if (any) out_ += "\n" + std::string(counts_.size() * 4, ' ');
  out_ += "}";
}
void Json::begin_array(const std::string& key) {
  item(key);
  out_ += "[";
  counts_.push_back(0);
}
void Json::end_array() {
  bool any = counts_.back() > 0;
  counts_.pop_back();
  if (any) out_ += "\n" + std::string(counts_.size() * 4, ' ');
  out_ += "]";
}
void Json::value(const std::string& key, const std::string& v) {
  item(key);
  out_ += "\"" + json_escape(v) + "\"";
}
void Json::value(const std::string& key, uint64_t v) {
  item(key);
  out_ += std::to_string(v);
}
void Json::value(const std::string& key, int64_t v) {
  item(key);
  out_ += std::to_string(v);
}
void Json::value(const std::string& key, bool v) {
  item(key);
  out_ += v ? "true" : "false";
}

}  // namespace mimic::img
