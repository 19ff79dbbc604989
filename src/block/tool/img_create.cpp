// mimic-img create and resize.
#include <getopt.h>

#include <cstdio>

#include "block/image.h"
#include "block/tool/img_tool.h"

namespace mimic::img {

int cmd_create(int argc, char** argv) {
  CreateSpec spec;
  bool quiet = false;
  std::string opts;
  optind = 1;
  for (int c; (c = getopt(argc, argv, "f:b:F:o:quh")) != -1;) {
    switch (c) {
      case 'f': spec.format = optarg; break;
      case 'b': spec.backing_file = optarg; break;
      case 'F': spec.backing_format = optarg; break;
      case 'o': opts += (opts.empty() ? "" : ",") + std::string(optarg); break;
      case 'q': quiet = true; break;
      case 'u': break;
      default: return 1;
    }
  }
  if (opts == "help" || opts.find(",help") != std::string::npos || opts.rfind("help,", 0) == 0) {
    if (spec.format == "qcow2")
      std::printf("Supported qcow2 options:\n"
                  "  backing_file=<str>     - File name of a base image\n"
                  "  backing_fmt=<str>      - Image format of the base image\n"
                  "  cluster_size=<size>    - qcow2 cluster size\n"
                  "  compat=<str>           - Compatibility level (v2 [0.10] or v3 [1.1])\n"
                  "  compression_type=<str> - Compression method used for image cluster compression\n"
                  "  extended_l2=<bool (on/off)> - Extended L2 tables (only off)\n"
                  "  lazy_refcounts=<bool (on/off)> - Postpone refcount updates\n"
                  "  preallocation=<str>    - Preallocation mode (allowed values: off, metadata, falloc, full)\n"
                  "  refcount_bits=<num>    - Width of a reference count entry in bits\n"
                  "  size=<size>            - Virtual disk size\n");
    else
      std::printf("Supported raw options:\n"
                  "  preallocation=<str>    - Preallocation mode (allowed values: off, falloc, full)\n"
                  "  size=<size>            - Virtual disk size\n");
    return 0;
  }
  if (optind >= argc) {
    report("Expecting image file name");
    return 1;
  }
  spec.filename = argv[optind++];
  if (optind < argc) {
    auto s = parse_size(argv[optind++]);
    if (!s) {
      report(s.error().message);
      return 1;
    }
    spec.size = *s;
  } else if (spec.backing_file.empty() && opts.find("backing_file") == std::string::npos &&
             opts.find("size") == std::string::npos) {
    report(spec.filename + ": Image creation needs a size parameter");
    return 1;
  }
  if (optind < argc) {
    report("Unexpected argument: " + std::string(argv[optind]));
    return 1;
  }
  auto o = parse_options(opts);
  if (!o) {
    report(o.error().message);
    return 1;
  }
  spec.opts = *o;
  if (auto r = create_image(spec, quiet); !r) {
    report(r.error().message);
    return 1;
  }
  return 0;
}

int cmd_resize(int argc, char** argv) {
  std::string fmt;
  bool shrink = false, quiet = false;
  static const option kLong[] = {{"shrink", no_argument, nullptr, 'S'},
                                 {"format", required_argument, nullptr, 'f'},
                                 {"preallocation", required_argument, nullptr, 'P'},
                                 {nullptr, 0, nullptr, 0}};
  // A size like "-1G" looks like an option: stop option parsing at it.
  optind = 1;
  for (int c; optind < argc && !(argv[optind][0] == '-' && argv[optind][1] >= '0' && argv[optind][1] <= '9') &&
              (c = getopt_long(argc, argv, "f:qhU", kLong, nullptr)) != -1;) {
    if (c == 'f') fmt = optarg;
    else if (c == 'S') shrink = true;
    else if (c == 'q') quiet = true;
    else if (c != 'P' && c != 'U') return 1;
  }
  if (argc - optind != 2) {
    report("Expecting image file name and size");
    return 1;
  }
  std::string file = argv[optind], sz = argv[optind + 1];
  block::OpenOptions o;
  o.format = fmt;
  o.writable = true;
  o.open_backing = false;
  auto d = block::open_image(file, o);
  if (!d) {
    report(d.error().message);
    return 1;
  }
  uint64_t cur = (*d)->length(), target;
  int sign = 0;
  if (sz[0] == '+' || sz[0] == '-') sign = sz[0] == '+' ? 1 : -1;
  auto v = parse_size(sign ? sz.substr(1) : sz);
  if (!v) {
    report(v.error().message);
    return 1;
  }
  if (sign > 0) target = cur + *v;
  else if (sign < 0) {
    if (*v > cur) {
      report("New image size must be positive");
      return 1;
    }
    target = cur - *v;
  } else target = *v;
  if (target < cur && !shrink) {
    report("Use the --shrink option to perform a shrink operation.");
    report("warning: Shrinking an image will delete all data beyond the shrunken image's end. Before performing such an operation, make sure there is no important data there.");
    return 1;
  }
  if (auto r = (*d)->truncate(target); !r) {
    report(r.error().message);
    return 1;
  }
  if (auto r = (*d)->close(); !r) {
    report(r.error().message);
    return 1;
  }
  if (!quiet) std::printf("Image resized.\n");
  return 0;
}

}  // namespace mimic::img
