#include "system/options.h"

#include <cstdlib>

#include "core/log.h"

namespace mimic::system {

namespace {

Error opt_error(const std::string& opt, const std::string& what) { return make_error("-" + opt + ": " + what); }

Result<void> parse_machine(SystemOptions& o, const std::string& arg) {
  auto kv = KeyVal::parse(arg, "type");
  if (!kv.ok()) return opt_error("machine", kv.error().message);
  std::string type = kv->get_or("type", "virt");
  if (type != "virt") return opt_error("machine", "unsupported machine type '" + type + "' (only 'virt')");
  std::string unknown = kv->first_unknown({"type", "dumpdtb", "aclint", "aia", "acpi"});
  if (!unknown.empty()) return opt_error("machine", "unsupported property '" + unknown + "'");
  if (kv->get_or("aclint", "off") != "off" || kv->get_or("aia", "none") != "none") {
    return opt_error("machine", "only aclint=off and aia=none are supported");
  }
  o.machine = type;
  o.dumpdtb = kv->get_or("dumpdtb", o.dumpdtb);
  return {};
}

Result<void> parse_smp(SystemOptions& o, const std::string& arg) {
  auto kv = KeyVal::parse(arg, "cpus");
  if (!kv.ok()) return opt_error("smp", kv.error().message);
  std::string unknown = kv->first_unknown({"cpus", "maxcpus", "sockets", "cores", "threads"});
  if (!unknown.empty()) return opt_error("smp", "unsupported property '" + unknown + "'");
  std::string n = kv->get_or("cpus", "1");
  char* end = nullptr;
  long v = std::strtol(n.c_str(), &end, 10);
  if (n.empty() || *end != '\0' || v < 1 || v > 8) return opt_error("smp", "CPU count must be 1..8, not '" + n + "'");
  o.smp = static_cast<int>(v);
  return {};
}

Result<void> parse_memory(SystemOptions& o, const std::string& arg) {
  auto kv = KeyVal::parse(arg, "size");
  if (!kv.ok()) return opt_error("m", kv.error().message);
  std::string unknown = kv->first_unknown({"size", "slots", "maxmem"});
  if (!unknown.empty()) return opt_error("m", "unsupported property '" + unknown + "'");
  auto size = parse_size(kv->get_or("size", "128"), 1 << 20);
  if (!size.ok()) return opt_error("m", size.error().message);
  if (*size < (16ull << 20) || *size % 4096 != 0) return opt_error("m", "RAM size must be a multiple of 4 KiB, at least 16 MiB");
  o.ram_size = *size;
  return {};
}

Result<void> parse_drive_arg(SystemOptions& o, const std::string& arg) {
  auto kv = KeyVal::parse(arg, nullptr);
  if (!kv.ok()) return opt_error("drive", kv.error().message);
  return parse_drive(o, *kv, "-drive");
}

// -hda..-hdd FILE and -cdrom FILE: "-drive file=FILE,index=N,media=..."
// with FILE taken literally (commas included), as QEMU's drive_add does.
Result<void> parse_drive_shorthand(SystemOptions& o, const std::string& name, const std::string& file) {
  KeyVal kv;
  kv.set("file", file);
  if (name == "cdrom") {
    kv.set("index", "2");
    kv.set("media", "cdrom");
  } else {
    kv.set("index", std::to_string(name[2] - 'a'));
    kv.set("media", "disk");
  }
  return parse_drive(o, kv, "-" + name);
}

Result<void> parse_device(SystemOptions& o, const std::string& arg) {
  auto kv = KeyVal::parse(arg, "driver");
  if (!kv.ok()) return opt_error("device", kv.error().message);
  DeviceOptions d;
  d.driver = kv->get_or("driver", "");
  struct Known {
    const char* driver;
    std::vector<std::string> props;
  };
  static const Known kKnown[] = {
      {"virtio-blk-device", {"driver", "drive", "id", "serial"}},
      {"virtio-rng-device", {"driver", "id", "rng"}},
      {"virtio-serial-device", {"driver", "id"}},
      {"virtconsole", {"driver", "chardev", "id", "name"}},
  };
  const Known* k = nullptr;
  for (const Known& e : kKnown) {
    if (d.driver == e.driver) k = &e;
  }
  if (k == nullptr) return opt_error("device", "unsupported device '" + d.driver + "'");
  std::string unknown = kv->first_unknown(k->props);
  if (!unknown.empty()) return opt_error("device", d.driver + ": unsupported property '" + unknown + "'");
  if (d.driver == "virtio-blk-device" && !kv->has("drive")) return opt_error("device", "virtio-blk-device needs drive=ID");
  if (d.driver == "virtconsole" && !kv->has("chardev")) return opt_error("device", "virtconsole needs chardev=ID");
  d.props = std::move(*kv);
  o.devices.push_back(std::move(d));
  return {};
}

Result<void> parse_chardev(SystemOptions& o, const std::string& arg) {
  auto kv = KeyVal::parse(arg, "backend");
  if (!kv.ok()) return opt_error("chardev", kv.error().message);
  ChardevOptions c;
  c.backend = kv->get_or("backend", "");
  c.id = kv->get_or("id", "");
  if (c.id.empty()) return opt_error("chardev", "'id' is required");
  if (c.backend != "stdio" && c.backend != "null" && c.backend != "file" && c.backend != "socket") {
    return opt_error("chardev", "unsupported backend '" + c.backend + "'");
  }
  if (c.backend == "file" && !kv->has("path")) return opt_error("chardev", "file needs path=FILE");
  if (c.backend == "socket" && !kv->has("port")) return opt_error("chardev", "socket needs port=PORT");
  c.props = std::move(*kv);
  o.chardevs.push_back(std::move(c));
  return {};
}

}  // namespace

Result<SystemOptions> parse_system_options(const std::vector<std::string>& args) {
  SystemOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.size() < 2 || a[0] != '-') return make_error("'" + a + "': unexpected argument (options start with '-')");
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    static const char* const kNoArg[] = {"nographic", "no-reboot", "S", "h", "help", "version", "snapshot"};
    static const char* const kWithArg[] = {"M", "machine", "cpu", "m", "smp", "bios", "kernel", "initrd",
                                           "append", "dtb", "serial", "monitor", "display", "drive", "hda",
                                           "hdb", "hdc", "hdd", "cdrom", "blockdev", "device", "chardev",
                                           "d", "D"};
    bool takes_arg = false, known = false;
    for (const char* n : kNoArg) known = known || name == n;
    for (const char* n : kWithArg) takes_arg = takes_arg || name == n;
    if (!known && !takes_arg) return make_error("-" + name + ": unknown option (try -help)");
    std::string v;
    if (takes_arg) {
      if (i + 1 >= args.size()) return make_error("-" + name + ": requires an argument");
      v = args[++i];
    }
    Result<void> r;
    if (name == "M" || name == "machine") {
      r = parse_machine(o, v);
    } else if (name == "cpu") {
      std::string model = v.substr(0, v.find(','));
      if (model != "rv64" && model != "max" && model != "any") {
        return make_error("-cpu: unsupported CPU model '" + model + "' (rv64 or max)");
      }
      o.cpu = v;
    } else if (name == "m") {
      r = parse_memory(o, v);
    } else if (name == "smp") {
      r = parse_smp(o, v);
    } else if (name == "bios") {
      o.bios = v;
    } else if (name == "kernel") {
      o.kernel = v;
    } else if (name == "initrd") {
      o.initrd = v;
    } else if (name == "append") {
      o.append = v;
    } else if (name == "dtb") {
      o.dtb = v;
    } else if (name == "nographic") {
      o.nographic = true;
    } else if (name == "serial") {
      o.serial.push_back(v);
    } else if (name == "monitor") {
      o.monitor = v;
    } else if (name == "display") {
      if (v.substr(0, v.find(',')) != "none") return make_error("-display: only 'none' is supported");
      o.display = "none";
    } else if (name == "drive") {
      r = parse_drive_arg(o, v);
    } else if (name == "hda" || name == "hdb" || name == "hdc" || name == "hdd" || name == "cdrom") {
      r = parse_drive_shorthand(o, name, v);
    } else if (name == "blockdev") {
      r = parse_blockdev(o, v);
    } else if (name == "snapshot") {
      o.snapshot = true;
    } else if (name == "device") {
      r = parse_device(o, v);
    } else if (name == "chardev") {
      r = parse_chardev(o, v);
    } else if (name == "no-reboot") {
      o.no_reboot = true;
    } else if (name == "S") {
      o.start_paused = true;
    } else if (name == "d") {
      uint32_t mask = 0;
      std::string err;
      if (v != "help" && !log::parse_mask(v, &mask, &err)) return make_error("-d: " + err);
      o.log_items = v;
    } else if (name == "D") {
      o.log_file = v;
    } else if (name == "h" || name == "help") {
      o.help = true;
    } else if (name == "version") {
      o.version = true;
    } else {
      return make_error("-" + name + ": unknown option (try -help)");
    }
    if (!r.ok()) return r.error();
  }
  if (!o.initrd.empty() && o.kernel.empty()) return make_error("-initrd: requires -kernel");
  if (auto r = finish_drives(o); !r.ok()) return r.error();
  return o;
}

std::string system_usage() {
  return "usage: mimic-system-riscv64 [options]\n"
         "  -M virt[,dumpdtb=FILE]     machine (only 'virt')\n"
         "  -cpu rv64                  CPU model\n"
         "  -m SIZE                    RAM size (default 128M; suffixes K M G T)\n"
         "  -smp N                     number of harts (1..8)\n"
         "  -bios FILE|none            firmware (default: Debian's OpenSBI fw_dynamic.bin)\n"
         "  -kernel FILE               kernel Image or ELF\n"
         "  -initrd FILE               initial ramdisk\n"
         "  -append CMDLINE            kernel command line\n"
         "  -dtb FILE                  use this device tree instead of the generated one\n"
         "  -nographic                 serial and monitor on stdio (Ctrl-a h for help)\n"
         "  -serial stdio|mon:stdio|null|file:PATH|tcp:HOST:PORT,server[,wait=off]\n"
         "  -monitor stdio|none        human monitor\n"
         "  -display none\n"
         "  -drive file=F[,format=raw|qcow2][,if=virtio|none][,id=ID][,index=N][,media=disk|cdrom]\n"
         "         [,snapshot=on|off][,cache=writeback|writethrough|none|directsync|unsafe]\n"
         "         [,readonly=on|off][,discard=ignore|unmap]\n"
         "  -hda/-hdb/-hdc/-hdd FILE   disk image as drive index 0..3 (virtio)\n"
         "  -cdrom FILE                read-only drive at index 2\n"
         "  -snapshot                  write to temporary overlays, not the images (Ctrl-a s commits)\n"
         "  -blockdev driver=file,filename=F,node-name=N | driver=raw|qcow2,file=NODE,node-name=N\n"
         "            (or file.driver=file,file.filename=F) [,read-only=on][,discard=unmap]\n"
         "            [,cache.direct=on][,cache.no-flush=on]\n"
         "  -device virtio-blk-device,drive=ID|NODE | virtio-rng-device |\n"
         "          virtio-serial-device | virtconsole,chardev=ID\n"
         "  -chardev stdio|null|file|socket,id=ID[,path=F][,host=H,port=P,server=on,wait=off]\n"
         "  -no-reboot                 exit instead of rebooting\n"
         "  -S                         start paused\n"
         "  -d ITEMS, -D FILE          logging (-d help)\n";
}

}  // namespace mimic::system
