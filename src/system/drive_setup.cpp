#include "system/drive_setup.h"

#include "block/image.h"

namespace mimic::system {

std::string probed_raw_warning(const std::string& file) {
  return "WARNING: Image format was not specified for '" + file +
         "' and probing guessed raw.\n"
         "         Automatically detecting the format is dangerous for raw images, write "
         "operations on block 0 "
         "will be restricted.\n"
         "         Specify the 'raw' format explicitly to remove the restrictions.";
}

Result<std::unique_ptr<block::Drive>> open_drive(const DriveOptions& d,
                                                 std::vector<std::string>* warnings,
                                                 block::Drive::Threading threading) {
  auto fail = [&](const std::string& what) {
    return make_error(d.option + " " + d.file + ": " + what);
  };
  block::OpenOptions oo;
  oo.format = d.format;
  oo.writable = !d.read_only;
  oo.cache_unsafe = d.cache.no_flush;
  oo.cache_direct = d.cache.direct;
  block::DriveConfig cfg;
  cfg.name = d.id;
  cfg.read_only = d.read_only;
  cfg.discard_unmap = d.discard_unmap;
  cfg.cache = d.cache;
  if (oo.format.empty()) {
    auto p = block::probe_format(d.file);
    if (!p.ok()) return fail(p.error().message);
    oo.format = *p;
    if (*p == "raw") {
      if (warnings != nullptr) warnings->push_back(probed_raw_warning(d.file));
      cfg.protect_block0 = !d.read_only && !d.snapshot;
    }
  }
  std::unique_ptr<block::BlockDriver> driver;
  if (d.snapshot && !d.read_only) {
    // Writes go to a deleted temporary qcow2 file; the image is only read.
    auto q = block::open_temporary_overlay(d.file, oo);
    if (!q.ok()) return fail(q.error().message);
    driver = std::move(*q);
    cfg.snapshot = true;
    cfg.base_opts = oo;
  } else {
    auto img = block::open_image(d.file, oo);
    if (!img.ok()) return fail(img.error().message);
    driver = std::move(*img);
  }
  return std::make_unique<block::Drive>(std::move(driver), cfg, threading);
}

}  // namespace mimic::system
