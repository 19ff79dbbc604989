#include "block/commit.h"

#include <algorithm>
#include <vector>

namespace mimic::block {

namespace {
constexpr uint64_t kChunk = 2ull << 20;
}

Result<void> commit_top_into(BlockDriver* top, BlockDriver* base) {
  const uint64_t size = top->length();
  if (base->length() < size) {
    if (auto r = base->truncate(size); !r) return r;
  }
  std::vector<uint8_t> buf(kChunk);
  for (uint64_t off = 0; off < size;) {
    auto e = top->block_status(off, std::min(kChunk, size - off));
    if (!e) return e.error();
    uint64_t n = std::clamp<uint64_t>(e->length, 1, std::min(kChunk, size - off));
    if (e->kind == ExtentKind::kZero) {
      if (auto r = base->write_zeroes(off, n); !r) return r;
    } else if (e->kind == ExtentKind::kData) {
      if (auto r = top->read(off, buf.data(), n); !r) return r;
      if (auto r = base->write(off, buf.data(), n); !r) return r;
    }
    off += n;
  }
  return {};
}

Result<void> commit_temporary_overlay(Qcow2Driver* overlay, const OpenOptions& base_opts) {
  BlockDriver* old_base = overlay->backing();
  if (old_base == nullptr) return make_error("Image does not have a backing file");
  const std::string path = old_base->filename();
  OpenOptions wo = base_opts;
  wo.format = old_base->format_name();
  wo.writable = true;
  {
    auto base = open_image(path, wo);
    if (!base) return base.error();
    if (auto r = commit_top_into(overlay, base->get()); !r) return r;
    if (auto r = (*base)->close(); !r) return r;
  }
  // The base is durable now; empty the overlay so reads see the base.
  if (auto r = overlay->unmap(0, overlay->length()); !r) return r;
  if (auto r = overlay->flush(); !r) return r;
  OpenOptions ro = wo;
  ro.writable = false;
  auto fresh = open_image(path, ro);
  if (!fresh) return fresh.error();
  overlay->set_backing(std::move(fresh.value()));
  return {};
}

}  // namespace mimic::block
