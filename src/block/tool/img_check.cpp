// mimic-img check: exit 0 clean, 1 check failed, 2 corruptions, 3 leaks,
// 63 format without checks (qemu-img's codes).
#include <getopt.h>

#include <cstdio>

#include "block/image.h"
#include "block/qcow2.h"
#include "block/tool/img_tool.h"

namespace mimic::img {

namespace {

void print_human(const block::CheckResult& r, bool after_repair) {
  if (r.corruptions == 0 && r.leaks == 0 && r.check_errors == 0) {
    std::printf("No errors were found on the image.\n");
  } else {
    if (r.corruptions)
      std::printf("\n%llu errors were found on the image.\nData may be corrupted, or further writes to the image may corrupt it.\n",
                  (unsigned long long)r.corruptions);
    if (r.leaks)
      std::printf("\n%llu leaked clusters were found on the image.\nThis means waste of disk space, but no harm to data.\n",
                  (unsigned long long)r.leaks);
    if (r.check_errors)
      std::printf("\n%llu internal errors have occurred during the check.\n", (unsigned long long)r.check_errors);
  }
  (void)after_repair;
  if (r.total_clusters && r.allocated_clusters)
    std::printf("%llu/%llu = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% compressed clusters\n",
                (unsigned long long)r.allocated_clusters, (unsigned long long)r.total_clusters,
                r.allocated_clusters * 100.0 / r.total_clusters, r.fragmented_clusters * 100.0 / r.allocated_clusters,
                r.compressed_clusters * 100.0 / r.allocated_clusters);
  if (r.image_end_offset) std::printf("Image end offset: %llu\n", (unsigned long long)r.image_end_offset);
}

void print_json(const block::CheckResult& r, const std::string& file) {
  Json j;
  j.begin_object();
  // Key order as qemu-img prints it (its dictionary order).
  if (r.image_end_offset) j.value("image-end-offset", r.image_end_offset);
  if (r.compressed_clusters) j.value("compressed-clusters", r.compressed_clusters);
  if (r.total_clusters) j.value("total-clusters", r.total_clusters);
  if (r.corruptions) j.value("corruptions", r.corruptions);
  if (r.corruptions_fixed) j.value("corruptions-fixed", r.corruptions_fixed);
  j.value("check-errors", r.check_errors);
  if (r.leaks) j.value("leaks", r.leaks);
  if (r.leaks_fixed) j.value("leaks-fixed", r.leaks_fixed);
  if (r.allocated_clusters) j.value("allocated-clusters", r.allocated_clusters);
  j.value("filename", file);
  j.value("format", "qcow2");
  if (r.fragmented_clusters) j.value("fragmented-clusters", r.fragmented_clusters);
  j.end_object();
  std::fputs(j.str().c_str(), stdout);
}

}  // namespace

int cmd_check(int argc, char** argv) {
  std::string fmt, output = "human";
  block::RepairMode mode = block::RepairMode::kNone;
  bool quiet = false;
  static const option kLong[] = {{"output", required_argument, nullptr, 'O'},
                                 {"repair", required_argument, nullptr, 'r'},
                                 {"format", required_argument, nullptr, 'f'},
                                 {nullptr, 0, nullptr, 0}};
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "f:r:qU", kLong, nullptr)) != -1;) {
    if (c == 'f') fmt = optarg;
    else if (c == 'O') output = optarg;
    else if (c == 'q') quiet = true;
    else if (c == 'r') {
      std::string m = optarg;
      if (m == "leaks") mode = block::RepairMode::kLeaks;
      else if (m == "all") mode = block::RepairMode::kAll;
      else {
        report("Unknown option value for -r (expecting 'leaks' or 'all'): " + m);
        return 1;
      }
    } else if (c != 'U') return 1;
  }
  if (optind != argc - 1) {
    report("Expecting one image file name");
    return 1;
  }
  if (output != "human" && output != "json") {
    report("--output must be used with human or json as argument.");
    return 1;
  }
  std::string file = argv[optind];
  block::OpenOptions o;
  o.format = fmt;
  o.writable = mode != block::RepairMode::kNone;
  o.open_backing = false;
  auto d = block::open_image(file, o);
  if (!d) {
    report(d.error().message);
    return 1;
  }
  auto* q = dynamic_cast<block::Qcow2Driver*>(d->get());
  if (!q) {
    report("This image format does not support checks");
    return 63;
  }
  auto r = q->check(mode);
  if (!r) {
    report("Check failed: " + r.error().message);
    return 1;
  }
  block::CheckResult res = *r;
  if (!quiet && output == "human")
    for (const auto& m : res.messages) std::fprintf(stderr, "%s\n", m.c_str());
  if (res.leaks_fixed || res.corruptions_fixed) {
    if (auto c = q->close(); !c) {
      report(c.error().message);
      return 1;
    }
    uint64_t lf = res.leaks_fixed, cf = res.corruptions_fixed;
    if (!quiet && output == "human")
      std::printf("The following inconsistencies were found and repaired:\n\n    %llu leaked clusters\n    %llu corruptions\n\nDouble checking the fixed image now...\n",
                  (unsigned long long)lf, (unsigned long long)cf);
    d->reset();
    o.writable = false;
    auto d2 = block::open_image(file, o);
    if (!d2) {
      report(d2.error().message);
      return 1;
    }
    auto r2 = dynamic_cast<block::Qcow2Driver*>(d2->get())->check(block::RepairMode::kNone);
    if (!r2) {
      report("Check failed: " + r2.error().message);
      return 1;
    }
    res = *r2;
    res.leaks_fixed = lf;
    res.corruptions_fixed = cf;
  }
  if (!quiet) {
    if (output == "json") print_json(res, file);
    else print_human(res, false);
  }
  if (res.check_errors) return 1;
  if (res.corruptions) return 2;
  if (res.leaks) return 3;
  return 0;
}

}  // namespace mimic::img
