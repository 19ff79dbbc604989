#include "memory/memory_region.h"

#include <sys/mman.h>

#include <new>

namespace mimic::memory {

namespace {
uint8_t* map_host(uint64_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<uint8_t*>(p);
}
}  // namespace

std::unique_ptr<MemoryRegion> MemoryRegion::make_ram(std::string name, uint64_t size) {
  std::unique_ptr<MemoryRegion> r(new MemoryRegion());
  r->kind_ = RegionKind::kRam;
  r->name_ = std::move(name);
  r->size_ = size;
  r->host_ = map_host(size);
  return r;
}

std::unique_ptr<MemoryRegion> MemoryRegion::make_rom(std::string name, uint64_t size) {
  auto r = make_ram(std::move(name), size);
  r->kind_ = RegionKind::kRom;
  return r;
}

std::unique_ptr<MemoryRegion> MemoryRegion::make_mmio(std::string name, uint64_t size,
                                                      MmioOps* ops) {
  std::unique_ptr<MemoryRegion> r(new MemoryRegion());
  r->kind_ = RegionKind::kMmio;
  r->name_ = std::move(name);
  r->size_ = size;
  r->ops_ = ops;
  return r;
}

std::unique_ptr<MemoryRegion> MemoryRegion::make_alias(std::string name, MemoryRegion* target,
                                                       uint64_t offset, uint64_t size) {
  std::unique_ptr<MemoryRegion> r(new MemoryRegion());
  r->kind_ = RegionKind::kAlias;
  r->name_ = std::move(name);
  r->size_ = size;
  r->alias_target_ = target;
  r->alias_offset_ = offset;
  return r;
}

MemoryRegion::~MemoryRegion() {
  if (host_ != nullptr) munmap(host_, size_);
}

}  // namespace mimic::memory
