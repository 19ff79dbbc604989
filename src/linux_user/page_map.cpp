#include "linux_user/page_map.h"

#include <algorithm>

namespace mimic::linux_user {

void PageMap::split_at(uint64_t addr) {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return;
  --it;
  Vma& v = it->second;
  if (v.start >= addr || v.end <= addr) return;
  Vma upper = v;
  upper.start = addr;
  if (upper.kind == kVmaFile || upper.kind == kVmaShared) upper.offset += addr - v.start;
  v.end = addr;
  vmas_.emplace(addr, std::move(upper));
}

void PageMap::insert(const Vma& v) {
  if (v.end <= v.start) return;
  remove(v.start, v.end - v.start);
  vmas_.emplace(v.start, v);
}

void PageMap::remove(uint64_t start, uint64_t len) {
  if (len == 0) return;
  uint64_t end = start + len;
  split_at(start);
  split_at(end);
  auto it = vmas_.lower_bound(start);
  while (it != vmas_.end() && it->first < end) it = vmas_.erase(it);
}

bool PageMap::protect(uint64_t start, uint64_t len, int prot) {
  if (!is_mapped(start, len)) return false;
  if (len == 0) return true;
  uint64_t end = start + len;
  split_at(start);
  split_at(end);
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->first < end; ++it) {
    it->second.prot = prot;
  }
  return true;
}

const Vma* PageMap::find(uint64_t addr) const {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return nullptr;
  --it;
  return addr < it->second.end ? &it->second : nullptr;
}

bool PageMap::is_free(uint64_t start, uint64_t len) const {
  if (len == 0) return true;
  uint64_t end = start + len;
  if (find(start)) return false;
  auto it = vmas_.upper_bound(start);
  return it == vmas_.end() || it->first >= end;
}

bool PageMap::allows(uint64_t start, uint64_t len, int prot) const {
  if (len == 0) return true;
  uint64_t end = start + len;
  if (end < start) return false;
  uint64_t pos = start;
  while (pos < end) {
    const Vma* v = find(pos);
    if (!v || (v->prot & prot) != prot) return false;
    pos = v->end;
  }
  return true;
}

bool PageMap::is_mapped(uint64_t start, uint64_t len) const { return allows(start, len, 0); }

std::optional<uint64_t> PageMap::find_free_top_down(uint64_t len, uint64_t top, uint64_t align) const {
  if (len == 0 || len > limit_ - min_addr_) return std::nullopt;
  if (top > limit_) top = limit_;
  // Walk the gaps from the highest downwards: [gap_start, gap_end) lies
  // between the mapping `prev` (below) and `it` (above).
  auto it = vmas_.lower_bound(top);
  uint64_t gap_end = top;
  while (true) {
    uint64_t gap_start = min_addr_;
    bool has_prev = it != vmas_.begin();
    auto prev = it;
    if (has_prev) {
      --prev;
      if (prev->second.end > gap_end) {  // straddles `top`: no gap here
        gap_end = prev->second.start;
        it = prev;
        continue;
      }
      gap_start = std::max(prev->second.end, min_addr_);
    }
    if (gap_end > gap_start && gap_end - gap_start >= len) {
      uint64_t cand = (gap_end - len) & ~(align - 1);
      if (cand >= gap_start) return cand;
    }
    if (!has_prev) return std::nullopt;
    gap_end = prev->second.start;
    it = prev;
    if (gap_end <= min_addr_) return std::nullopt;
  }
}

std::optional<uint64_t> PageMap::find_free_bottom_up(uint64_t len, uint64_t bottom, uint64_t align) const {
  if (len == 0 || len > limit_ - min_addr_) return std::nullopt;
  uint64_t pos = std::max(bottom, min_addr_);
  while (true) {
    pos = (pos + align - 1) & ~(align - 1);
    if (pos > limit_ || len > limit_ - pos) return std::nullopt;
    if (const Vma* v = find(pos)) {
      pos = v->end;
      continue;
    }
    auto next = vmas_.upper_bound(pos);
    if (next == vmas_.end() || next->first - pos >= len) return pos;
    pos = next->second.end;
  }
}

std::vector<Vma> PageMap::snapshot() const {
  std::vector<Vma> out;
  out.reserve(vmas_.size());
  for (const auto& [start, v] : vmas_) out.push_back(v);
  return out;
}

}  // namespace mimic::linux_user
