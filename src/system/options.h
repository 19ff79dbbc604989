#pragma once
// The command line of mimic-system-riscv64, in QEMU's syntax. Parsing checks
// syntax and values; files are opened later, when the machine is built.
// Every error is one line naming the option and what is wrong with it.
#include <cstdint>
#include <string>
#include <vector>

#include "block/drive.h"
#include "core/error.h"
#include "system/keyval.h"

namespace mimic::system {

// One drive: from -drive, -hda..-hdd, -cdrom, or a -blockdev format node
// (with its file node folded in) or a -blockdev file node that no format
// node uses.
struct DriveOptions {
  std::string id;         // drive id or node-name; anonymous drives get QEMU's "virtio<index>"
  std::string file;
  std::string format;     // "raw", "qcow2", or "" = probe (with QEMU's warning for raw)
  std::string interface;  // "virtio" (a virtio-blk device is made for it) or "none"
  int index = -1;         // -1 = not given (if=virtio drives get the first free index)
  std::string media = "disk";  // "disk" or "cdrom" (read-only)
  bool read_only = false;
  bool snapshot = false;  // temporary qcow2 overlay; the image is only read
  block::CacheMode cache;
  bool discard_unmap = false;
  bool blockdev = false;  // from -blockdev (-snapshot does not apply, as in QEMU)
  bool file_node = false; // a -blockdev driver=file node (raw access, no probing)
  std::string file_node_name;  // -blockdev format node: node-name of its file child ("" if anonymous)
  std::string option;     // the option it came from, for messages ("-drive", "-blockdev", "-hda", ...)
};
struct DeviceOptions {
  std::string driver;     // virtio-blk-device, virtio-rng-device, virtio-serial-device, virtconsole
  KeyVal props;
};

struct ChardevOptions {
  std::string id;
  std::string backend;    // stdio, null, file, socket
  KeyVal props;
};

struct SystemOptions {
  std::string machine = "virt";
  std::string dumpdtb;            // -M virt,dumpdtb=FILE: write the tree and exit
  std::string cpu = "rv64";
  uint64_t ram_size = 128ull << 20;
  int smp = 1;
  std::string bios;               // "" = default firmware, "none" = no firmware
  std::string kernel, initrd, append, dtb;
  bool nographic = false;
  std::vector<std::string> serial;  // -serial specs, in order
  std::string monitor;              // -monitor spec ("" = default)
  std::string display;              // "" or "none"
  std::vector<DriveOptions> drives;  // in command-line order
  bool snapshot = false;            // -snapshot: snapshot=on for every -drive
  std::vector<DeviceOptions> devices;
  std::vector<ChardevOptions> chardevs;
  bool no_reboot = false;
  bool start_paused = false;        // -S
  std::string log_items;            // -d
  std::string log_file;             // -D
  bool help = false;
  bool version = false;
};

// args excludes argv[0].
Result<SystemOptions> parse_system_options(const std::vector<std::string>& args);

std::string system_usage();

// -drive / -blockdev / -hdX / -cdrom parsing (drive_options.cpp); used by
// parse_system_options. `finish_drives` applies -snapshot and checks
// indexes once the whole command line is read.
Result<void> parse_drive(SystemOptions& o, const KeyVal& kv, const std::string& option);
Result<void> parse_blockdev(SystemOptions& o, const std::string& arg);
Result<void> finish_drives(SystemOptions& o);

}  // namespace mimic::system
