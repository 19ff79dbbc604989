#pragma once
// Opening images by name: format probing, backing chains (bounded depth,
// loops refused) and creation of raw/qcow2 images.
#include <memory>
#include <string>

#include "block/block_driver.h"
#include "block/qcow2.h"

namespace mimic::block {

inline constexpr int kMaxBackingDepth = 64;

struct OpenOptions {
  std::string format;       // "" probes
  bool writable = false;
  bool open_backing = true; // false: ignore the backing file (rebase -u, info)
  bool cache_unsafe = false; // never sync (qemu-img convert -t unsafe, cache=unsafe)
  bool cache_direct = false; // O_DIRECT on every file of the chain (cache=none)
};

// Probes "qcow2" or "raw" from the first bytes of the file.
Result<std::string> probe_format(const std::string& path);

Result<std::unique_ptr<BlockDriver>> open_image(const std::string& path, const OpenOptions& opts);

// -snapshot: a temporary qcow2 overlay (deleted at once, lives while open)
// over the image, which itself is only read. Writes go to the overlay.
Result<std::unique_ptr<BlockDriver>> open_with_temporary_overlay(const std::string& path,
                                                                 const std::string& format);
// The same with the base's open options (format, cache; `writable` is
// ignored: the base is read-only). The overlay itself never syncs (it is
// deleted at exit, so durability means nothing for it); the base image's
// file name and format are those of overlay->backing().
Result<std::unique_ptr<Qcow2Driver>> open_temporary_overlay(const std::string& path,
                                                            const OpenOptions& base_opts);

// Resolves a backing file name relative to the directory of the image.
std::string resolve_backing_path(const std::string& image, const std::string& backing);

// Backing file name and format recorded in an image's header ("" if none).
struct BackingRef {
  std::string file;
  std::string format;
};
BackingRef backing_ref(BlockDriver* d);

}  // namespace mimic::block
