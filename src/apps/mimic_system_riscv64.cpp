// mimic-system-riscv64: the RISC-V 64 system emulator (QEMU's command line).
// Today it builds the virt machine (devices, device tree, boot images) and
// stops where the harts would start: `-M virt,dumpdtb=FILE` works end to
// end. The privileged CPU plugs in at the marked place below.
#include <cstdio>
#include <string>
#include <vector>

#include "core/log.h"
#include "system/machine_setup.h"
#include "system/options.h"

using namespace mimic;

namespace {
int fail(const std::string& message) {
  std::fprintf(stderr, "mimic-system-riscv64: %s\n", message.c_str());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto opts = system::parse_system_options(args);
  if (!opts.ok()) return fail(opts.error().message);
  if (opts->help) {
    std::fputs(system::system_usage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("mimic-system-riscv64 version %s\n", MIMIC_VERSION);
    return 0;
  }
  if (opts->log_items == "help") {
    std::fputs(log::help_text().c_str(), stdout);
    return 0;
  }
  if (!opts->log_items.empty()) {
    std::string err;
    if (!log::parse_mask(opts->log_items, &log::g_mask, &err)) return fail("-d: " + err);
  }
  if (!opts->log_file.empty() && !log::set_file(opts->log_file.c_str())) {
    return fail("-D: cannot open '" + opts->log_file + "'");
  }

  // The CPU side will create the harts here and pass their HartInterrupts.
  auto sys = system::SystemInstance::create(*opts, {});
  if (!sys.ok()) return fail(sys.error().message);
  for (const std::string& w : (*sys)->warnings()) std::fprintf(stderr, "%s\n", w.c_str());
  // Drives are drained, flushed and closed when *sys is destroyed (after
  // the harts have stopped); -snapshot overlays vanish with them.

  if (!opts->dumpdtb.empty()) {
    auto r = system::write_file(opts->dumpdtb, (*sys)->machine().fdt());
    if (!r.ok()) return fail(r.error().message);
    return 0;
  }
  return fail("the RISC-V system CPU is not implemented yet (the machine was built; use -M virt,dumpdtb=FILE)");
}
