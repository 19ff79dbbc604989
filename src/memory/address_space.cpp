#include "memory/address_space.h"

#include <algorithm>
#include <cstring>

#include "exec/cpu_loop.h"
#include "memory/bql.h"

namespace mimic::memory {

std::recursive_mutex& big_lock() {
  static std::recursive_mutex lock;
  return lock;
}

namespace {
constexpr int kMaxAliasDepth = 8;
constexpr unsigned kCodePageBits = 12;  // memory::kTlbPageBits

// Pages of s overlapping [pa, pa + len) (len > 0, range inside s): bit indexes.
uint64_t first_bit(const Section& s, uint64_t pa) { return (pa >> kCodePageBits) - (s.base >> kCodePageBits); }

uint64_t size_mask(unsigned size) { return size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1; }
}  // namespace

Result<void> AddressSpace::map(uint64_t base, MemoryRegion* region) {
  uint64_t size = region->size();
  if (size == 0 || base + size - 1 < base) {
    return make_error("region '" + region->name() + "' is empty or wraps the address space");
  }
  Section s{base, size, region, 0};
  for (int depth = 0; s.region->kind() == RegionKind::kAlias; ++depth) {
    MemoryRegion* target = s.region->alias_target();
    if (depth >= kMaxAliasDepth || target == nullptr) {
      return make_error("alias '" + region->name() + "' does not resolve");
    }
    uint64_t off = s.region_offset + s.region->alias_offset();
    if (off > target->size() || target->size() - off < size) {
      return make_error("alias '" + region->name() + "' exceeds its target");
    }
    s.region = target;
    s.region_offset = off;
  }
  for (const Section& o : sections_) {
    if (base <= o.base + (o.size - 1) && o.base <= base + (size - 1)) {
      return make_error("region '" + region->name() + "' overlaps '" + o.region->name() + "'");
    }
  }
  if (s.region->kind() == RegionKind::kRam || s.region->kind() == RegionKind::kRom) {
    uint64_t pages = ((base + (size - 1)) >> kCodePageBits) - (base >> kCodePageBits) + 1;
    code_bits_.emplace_back(new std::atomic<uint64_t>[(pages + 63) / 64]());
    s.code_bits = code_bits_.back().get();
  }
  auto pos = std::lower_bound(sections_.begin(), sections_.end(), base,
                              [](const Section& a, uint64_t b) { return a.base < b; });
  sections_.insert(pos, s);
  last_.store(0, std::memory_order_relaxed);
  return {};
}

const Section* AddressSpace::find(uint64_t pa) const {
  size_t n = sections_.size();
  size_t hint = last_.load(std::memory_order_relaxed);
  if (hint < n && sections_[hint].contains(pa)) return &sections_[hint];
  size_t lo = 0, hi = n;
  while (lo < hi) {  // first section with base > pa
    size_t mid = (lo + hi) / 2;
    if (sections_[mid].base <= pa) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return nullptr;
  const Section& s = sections_[lo - 1];
  if (!s.contains(pa)) return nullptr;
  last_.store(lo - 1, std::memory_order_relaxed);
  return &s;
}

uint8_t* AddressSpace::ram_ptr(uint64_t pa, uint64_t len, bool for_write) const {
  const Section* s = find(pa);
  if (s == nullptr || !(s->is_ram() || (s->is_rom() && !for_write))) return nullptr;
  if (len > s->size - (pa - s->base)) return nullptr;
  return s->host(pa);
}

uint64_t AddressSpace::mmio_read(const Section& s, uint64_t pa, unsigned size) {
  MmioOps* ops = s.region->ops();
  uint64_t off = s.region_offset + (pa - s.base);
  unsigned min = ops->min_access_size(), max = ops->max_access_size();
  BigLockGuard guard(big_lock());
  if (size < min) {
    uint64_t aligned = off & ~uint64_t{min - 1};
    uint64_t v = ops->read(aligned, min);
    return (v >> (8 * (off - aligned))) & size_mask(size);
  }
  if (size > max) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i += max) v |= (ops->read(off + i, max) & size_mask(max)) << (8 * i);
    return v;
  }
  return ops->read(off, size) & size_mask(size);
}

void AddressSpace::mmio_write(const Section& s, uint64_t pa, unsigned size, uint64_t value) {
  MmioOps* ops = s.region->ops();
  uint64_t off = s.region_offset + (pa - s.base);
  unsigned min = ops->min_access_size(), max = ops->max_access_size();
  BigLockGuard guard(big_lock());
  if (size < min) {  // read-modify-write of the enclosing register
    uint64_t aligned = off & ~uint64_t{min - 1};
    unsigned shift = 8 * static_cast<unsigned>(off - aligned);
    uint64_t v = ops->read(aligned, min);
    v = (v & ~(size_mask(size) << shift)) | ((value & size_mask(size)) << shift);
    ops->write(aligned, v, min);
    return;
  }
  if (size > max) {
    for (unsigned i = 0; i < size; i += max) ops->write(off + i, (value >> (8 * i)) & size_mask(max), max);
    return;
  }
  ops->write(off, value & size_mask(size), size);
}

bool AddressSpace::load(uint64_t pa, unsigned size, uint64_t* value) {
  const Section* s = find(pa);
  if (s == nullptr || size > s->size - (pa - s->base)) return false;
  if (s->is_mmio()) {
    *value = mmio_read(*s, pa, size);
    return true;
  }
  uint64_t v = 0;
  std::memcpy(&v, s->host(pa), size);  // host is little-endian like the guest
  *value = v;
  return true;
}

bool AddressSpace::store(uint64_t pa, unsigned size, uint64_t value) {
  const Section* s = find(pa);
  if (s == nullptr || size > s->size - (pa - s->base)) return false;
  if (s->is_mmio()) {
    mmio_write(*s, pa, size, value);
  } else if (s->is_ram()) {
    std::memcpy(s->host(pa), &value, size);
    invalidate_code(*s, pa, size);
  }  // ROM: the write is ignored, as on real hardware
  return true;
}

bool AddressSpace::copy(uint64_t pa, uint8_t* buf, uint64_t len, bool to_guest,
                        bool allow_rom_write) {
  if (len == 0) return true;
  if (pa + len - 1 < pa) return false;
  // Check the whole range first so a failing write changes nothing.
  for (uint64_t a = pa, left = len; left > 0;) {
    const Section* s = find(a);
    if (s == nullptr || s->is_mmio()) return false;
    if (to_guest && s->is_rom() && !allow_rom_write) return false;
    uint64_t chunk = std::min(left, s->size - (a - s->base));
    a += chunk;
    left -= chunk;
  }
  for (uint64_t a = pa, left = len; left > 0;) {
    const Section* s = find(a);
    uint64_t chunk = std::min(left, s->size - (a - s->base));
    if (to_guest) {
      std::memcpy(s->host(a), buf, chunk);
      invalidate_code(*s, a, chunk);
    } else {
      std::memcpy(buf, s->host(a), chunk);
    }
    buf += chunk;
    a += chunk;
    left -= chunk;
  }
  return true;
}

void AddressSpace::set_code_page(uint64_t pa, bool on) {
  // A page may straddle two sections: mark it in both.
  const uint64_t page = pa & ~((uint64_t{1} << kCodePageBits) - 1);
  const Section* done = nullptr;
  for (uint64_t a : {page, page + ((uint64_t{1} << kCodePageBits) - 1)}) {
    const Section* s = find(a);
    if (s == nullptr || s == done || s->code_bits == nullptr) continue;
    done = s;
    const uint64_t i = first_bit(*s, a);
    if (on) {
      s->code_bits[i / 64].fetch_or(uint64_t{1} << (i % 64), std::memory_order_seq_cst);
    } else {
      s->code_bits[i / 64].fetch_and(~(uint64_t{1} << (i % 64)), std::memory_order_seq_cst);
    }
  }
}

bool AddressSpace::is_code_page(uint64_t pa) const {
  const Section* s = find(pa);
  if (s == nullptr || s->code_bits == nullptr) return false;
  const uint64_t i = first_bit(*s, pa);
  return (s->code_bits[i / 64].load(std::memory_order_seq_cst) >> (i % 64)) & 1;
}

bool AddressSpace::range_has_code(uint64_t pa, uint64_t len) const {
  while (len > 0) {
    const Section* s = find(pa);
    if (s == nullptr) return false;
    const uint64_t chunk = std::min(len, s->size - (pa - s->base));
    if (s->code_bits != nullptr) {
      for (uint64_t i = first_bit(*s, pa), e = first_bit(*s, pa + chunk - 1); i <= e; i++) {
        if (i % 64 == 0 && e - i >= 63 && s->code_bits[i / 64].load(std::memory_order_seq_cst) == 0) {
          i += 63;  // a whole clear word
          continue;
        }
        if ((s->code_bits[i / 64].load(std::memory_order_seq_cst) >> (i % 64)) & 1) return true;
      }
    }
    pa += chunk;
    len -= chunk;
  }
  return false;
}

void AddressSpace::invalidate_code(const Section& s, uint64_t pa, uint64_t len) const {
  if (s.code_bits == nullptr || len == 0) return;
  for (uint64_t i = first_bit(s, pa), e = first_bit(s, pa + len - 1); i <= e; i++) {
    if ((s.code_bits[i / 64].load(std::memory_order_seq_cst) >> (i % 64)) & 1) {
      // System-mode translations are keyed by physical address.
      exec::invalidate_range(pa, len);
      return;
    }
  }
}

bool AddressSpace::read(uint64_t pa, void* dst, uint64_t len) {
  return copy(pa, static_cast<uint8_t*>(dst), len, false, false);
}

bool AddressSpace::write(uint64_t pa, const void* src, uint64_t len) {
  return copy(pa, static_cast<uint8_t*>(const_cast<void*>(src)), len, true, false);
}

bool AddressSpace::write_rom_or_ram(uint64_t pa, const void* src, uint64_t len) {
  return copy(pa, static_cast<uint8_t*>(const_cast<void*>(src)), len, true, true);
}

}  // namespace mimic::memory
