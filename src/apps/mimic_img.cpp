// mimic-img: create, inspect, check, convert and modify disk images, with
// qemu-img's command line (docs: `qemu-img --help`, qemu-img(1)).
#include <cstdio>
#include <cstring>
#include <string>

#include "block/tool/img_tool.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* usage;
};

constexpr Command kCommands[] = {
    {"check", mimic::img::cmd_check, "check [-q] [-f fmt] [--output=ofmt] [-r [leaks | all]] filename"},
    {"commit", mimic::img::cmd_commit, "commit [-q] [-f fmt] [-d] filename"},
    {"compare", mimic::img::cmd_compare, "compare [-f fmt] [-F fmt] [-q] [-s] filename1 filename2"},
    {"convert", mimic::img::cmd_convert,
     "convert [-c] [-f fmt] [-O output_fmt] [-o options] [-B backing_file [-F backing_fmt]] [-n] [-S sparse_size] filename output_filename"},
    {"create", mimic::img::cmd_create, "create [-q] [-f fmt] [-b backing_file -F backing_fmt] [-u] [-o options] filename [size]"},
    {"info", mimic::img::cmd_info, "info [-f fmt] [--output=ofmt] [--backing-chain] filename"},
    {"map", mimic::img::cmd_map, "map [-f fmt] [--output=ofmt] [--start-offset=offset] [--max-length=len] filename"},
    {"measure", mimic::img::cmd_measure, "measure [--output=ofmt] [-O output_fmt] [-o options] [--size N | [-f fmt] filename]"},
    {"snapshot", mimic::img::cmd_snapshot, "snapshot [-q] [-l | -a snapshot | -c snapshot | -d snapshot] filename"},
    {"rebase", mimic::img::cmd_rebase, "rebase [-q] [-f fmt] [-u] -b backing_file [-F backing_fmt] filename"},
    {"resize", mimic::img::cmd_resize, "resize [-q] [-f fmt] [--shrink] filename [+ | -]size"},
};

void help() {
  std::printf("mimic-img version " MIMIC_VERSION "\nusage: mimic-img [standard options] command [command options]\n"
              "Disk image utility compatible with qemu-img\n\nCommand syntax:\n");
  for (const auto& c : kCommands) std::printf("  %s\n", c.usage);
  std::printf("\nSupported formats: qcow2 raw\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    mimic::img::report("Not enough arguments\nTry 'mimic-img --help' for more information");
    return 1;
  }
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help") {
    help();
    return 0;
  }
  if (cmd == "-V" || cmd == "--version") {
    std::printf("mimic-img version " MIMIC_VERSION "\n");
    return 0;
  }
  for (const auto& c : kCommands)
    if (cmd == c.name) {
      for (int i = 2; i < argc; i++)
        if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
          std::printf("usage: mimic-img %s\n", c.usage);
          return 0;
        }
      return c.run(argc - 1, argv + 1);
    }
  mimic::img::report("Command not found: " + cmd);
  return 1;
}
