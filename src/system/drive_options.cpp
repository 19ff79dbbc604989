// -drive, -hda..-hdd, -cdrom and -blockdev (QEMU manual, "Block device
// options"). Every drive becomes one DriveOptions; a -blockdev format node
// absorbs the file node under it.
#include <cctype>
#include <cstdlib>

#include "system/options.h"

namespace mimic::system {

namespace {

Error drive_error(const std::string& option, const std::string& what) {
  return make_error(option + ": " + what);
}

bool id_taken(const SystemOptions& o, const std::string& id) {
  for (const DriveOptions& d : o.drives) {
    if (d.id == id || (!d.file_node_name.empty() && d.file_node_name == id)) return true;
  }
  return false;
}

// QEMU's rule for ids and node names: a letter, then letters, digits, '-', '.', '_'.
bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 31 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
      return false;
  }
  return true;
}

Result<bool> discard_from(const KeyVal& kv, const std::string& key) {
  std::string v = kv.get_or(key, "ignore");
  if (v == "ignore" || v == "off") return false;
  if (v == "unmap" || v == "on") return true;
  return make_error("invalid " + key + " option '" + v + "' (ignore or unmap)");
}

// cache.direct / cache.no-flush / read-only / discard of one -blockdev node
// (keys under `prefix`, "" or "file.").
Result<void> blockdev_common(const KeyVal& kv, const std::string& prefix, DriveOptions& d) {
  auto ro = kv.get_bool(prefix + "read-only", false);
  if (!ro.ok()) return ro.error();
  auto direct = kv.get_bool(prefix + "cache.direct", false);
  if (!direct.ok()) return direct.error();
  auto no_flush = kv.get_bool(prefix + "cache.no-flush", false);
  if (!no_flush.ok()) return no_flush.error();
  auto aro = kv.get_bool(prefix + "auto-read-only", false);
  if (!aro.ok()) return aro.error();
  auto discard = discard_from(kv, prefix + "discard");
  if (!discard.ok()) return discard.error();
  d.read_only = d.read_only || *ro;
  d.cache.direct = d.cache.direct || *direct;
  d.cache.no_flush = d.cache.no_flush || *no_flush;
  d.discard_unmap = d.discard_unmap || *discard;
  return {};
}

}  // namespace

Result<void> parse_drive(SystemOptions& o, const KeyVal& kv, const std::string& option) {
  std::string unknown = kv.first_unknown(
      {"file", "format", "if", "id", "readonly", "media", "cache", "index", "snapshot", "discard"});
  if (!unknown.empty()) return drive_error(option, "unsupported property '" + unknown + "'");
  DriveOptions d;
  d.option = option;
  d.file = kv.get_or("file", "");
  if (d.file.empty()) return drive_error(option, "'file' is required");
  d.format = kv.get_or("format", "");
  if (!d.format.empty() && d.format != "raw" && d.format != "qcow2") {
    return drive_error(option, "unsupported format '" + d.format + "' (raw or qcow2)");
  }
  d.interface = kv.get_or("if", "virtio");
  if (d.interface != "virtio" && d.interface != "none") {
    return drive_error(option, "unsupported interface '" + d.interface + "' (virtio or none)");
  }
  d.media = kv.get_or("media", "disk");
  if (d.media != "disk" && d.media != "cdrom")
    return drive_error(option, "'" + d.media + "' invalid media (disk or cdrom)");
  auto ro = kv.get_bool("readonly", false);
  if (!ro.ok()) return drive_error(option, ro.error().message);
  d.read_only = *ro || d.media == "cdrom";
  auto snap = kv.get_bool("snapshot", false);
  if (!snap.ok()) return drive_error(option, snap.error().message);
  d.snapshot = *snap;
  if (auto c = kv.get("cache")) {
    auto mode = block::cache_mode_from_name(*c);
    if (!mode.ok()) return drive_error(option, mode.error().message);
    d.cache = *mode;
  }
  auto discard = discard_from(kv, "discard");
  if (!discard.ok()) return drive_error(option, discard.error().message);
  d.discard_unmap = *discard;
  if (auto idx = kv.get("index")) {
    char* end = nullptr;
    long v = std::strtol(idx->c_str(), &end, 10);
    if (idx->empty() || *end != '\0' || v < 0 || v > 1023) {
      return drive_error(option, "parameter 'index' expects a number 0..1023, not '" + *idx + "'");
    }
    d.index = static_cast<int>(v);
  }
  auto index_used = [&](int i) {
    for (const DriveOptions& other : o.drives) {
      if (!other.blockdev && other.interface == d.interface && other.index == i) return true;
    }
    return false;
  };
  if (d.index >= 0 && index_used(d.index)) {
    std::string n = std::to_string(d.index);
    return drive_error(option, "drive with bus=0, unit=" + n + " (index=" + n + ") exists");
  }
  if (d.index < 0 && d.interface == "virtio") {
    d.index = 0;
    while (index_used(d.index)) ++d.index;
  }
  d.id = kv.get_or("id", "");
  if (d.interface == "none" && d.id.empty()) return drive_error(option, "if=none needs an id");
  if (!d.id.empty() && !valid_name(d.id)) return drive_error(option, "invalid id '" + d.id + "'");
  if (d.id.empty())
    d.id = "virtio" + std::to_string(d.index);  // QEMU's name for anonymous virtio drives
  if (id_taken(o, d.id)) return drive_error(option, "duplicate id '" + d.id + "'");
  o.drives.push_back(d);
  return {};
}

Result<void> parse_blockdev(SystemOptions& o, const std::string& arg) {
  const std::string option = "-blockdev";
  auto kv = KeyVal::parse(arg, "driver");
  if (!kv.ok()) return drive_error(option, kv.error().message);
  DriveOptions d;
  d.option = option;
  d.blockdev = true;
  d.interface = "none";
  std::string driver = kv->get_or("driver", "");
  if (driver != "file" && driver != "raw" && driver != "qcow2") {
    return drive_error(option, "unsupported driver '" + driver + "' (file, raw or qcow2)");
  }
  std::vector<std::string> known = {"driver",  "node-name",    "read-only",     "auto-read-only",
                                    "discard", "cache.direct", "cache.no-flush"};
  if (driver == "file") {
    known.push_back("filename");
  } else {
    for (const char* k :
         {"file", "file.driver", "file.filename", "file.node-name", "file.read-only",
          "file.auto-read-only", "file.discard", "file.cache.direct", "file.cache.no-flush"}) {
      known.push_back(k);
    }
  }
  std::string unknown = kv->first_unknown(known);
  if (!unknown.empty())
    return drive_error(option, "driver '" + driver + "' has no property '" + unknown + "'");
  d.id = kv->get_or("node-name", "");
  if (d.id.empty()) return drive_error(option, "'node-name' must be specified for the root node");
  if (!valid_name(d.id)) return drive_error(option, "invalid node-name '" + d.id + "'");
  if (id_taken(o, d.id)) return drive_error(option, "duplicate node-name '" + d.id + "'");
  if (auto r = blockdev_common(*kv, "", d); !r.ok()) return drive_error(option, r.error().message);

  if (driver == "file") {
    d.file = kv->get_or("filename", "");
    if (d.file.empty()) return drive_error(option, "driver 'file' needs filename=FILE");
    d.format = "raw";
    d.file_node = true;
    o.drives.push_back(d);
    return {};
  }
  d.format = driver;
  bool nested = false;
  for (const auto& [k, v] : kv->items()) nested = nested || k.rfind("file.", 0) == 0;
  if (kv->has("file") && nested) {
    return drive_error(option, "file=NODE cannot be combined with file.* options");
  }
  if (nested) {
    std::string fdrv = kv->get_or("file.driver", "");
    if (fdrv != "file")
      return drive_error(option, "file.driver must be 'file', not '" + fdrv + "'");
    d.file = kv->get_or("file.filename", "");
    if (d.file.empty()) return drive_error(option, "driver 'file' needs file.filename=FILE");
    d.file_node_name = kv->get_or("file.node-name", "");
    if (!d.file_node_name.empty()) {
      if (!valid_name(d.file_node_name))
        return drive_error(option, "invalid node-name '" + d.file_node_name + "'");
      if (id_taken(o, d.file_node_name) || d.file_node_name == d.id) {
        return drive_error(option, "duplicate node-name '" + d.file_node_name + "'");
      }
    }
    if (auto r = blockdev_common(*kv, "file.", d); !r.ok())
      return drive_error(option, r.error().message);
  } else if (auto ref = kv->get("file")) {
    size_t i = 0;
    while (i < o.drives.size() && o.drives[i].id != *ref && o.drives[i].file_node_name != *ref) ++i;
    if (i == o.drives.size()) {
      return drive_error(option, "Cannot find device='" + *ref + "' nor node-name='" + *ref + "'");
    }
    const DriveOptions& f = o.drives[i];
    if (!f.file_node) {
      std::string user = f.file_node_name == *ref ? f.id : "";
      return drive_error(
          option, user.empty() ? "file=" + *ref + " must name a driver=file node"
                               : "node '" + *ref + "' is already in use by node '" + user + "'");
    }
    d.file = f.file;
    d.file_node_name = f.id;
    d.read_only = d.read_only || f.read_only;
    d.cache.direct = d.cache.direct || f.cache.direct;
    d.cache.no_flush = d.cache.no_flush || f.cache.no_flush;
    d.discard_unmap = d.discard_unmap || f.discard_unmap;
    o.drives.erase(o.drives.begin() + static_cast<long>(i));  // the format node owns it now
  } else {
    return drive_error(
        option, "driver '" + driver + "' needs file=NODE or file.driver=file,file.filename=FILE");
  }
  o.drives.push_back(d);
  return {};
}

Result<void> finish_drives(SystemOptions& o) {
  // QEMU's -snapshot turns snapshot=on for every -drive (even snapshot=off
  // ones); -blockdev nodes are left alone.
  if (o.snapshot) {
    for (DriveOptions& d : o.drives) {
      if (!d.blockdev) d.snapshot = true;
    }
  }
  return {};
}

}  // namespace mimic::system
