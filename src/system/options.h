#pragma once
// The command line of mimic-system-riscv64, in QEMU's syntax. Parsing checks
// syntax and values; files are opened later, when the machine is built.
// Every error is one line naming the option and what is wrong with it.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "system/keyval.h"

namespace mimic::system {

struct DriveOptions {
  std::string id;         // "" for anonymous drives (-hda, if=virtio)
  std::string file;
  std::string format;     // "raw" (or "" = probe)
  std::string interface;  // "virtio" or "none"
  bool read_only = false;
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
  std::vector<DriveOptions> drives;
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

}  // namespace mimic::system
