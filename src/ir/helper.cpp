#include "ir/helper.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace mimic::ir {

namespace {
// Fixed capacity so that lookups never race with a reallocation. Built on
// first use so registration from other translation units' static
// initialisers works whatever the initialisation order.
constexpr uint32_t kMaxHelpers = 4096;
struct Registry {
  HelperInfo table[kMaxHelpers];
  std::atomic<uint32_t> count{0};
};
Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

uint32_t register_helper(const HelperInfo& info) {
  Registry& r = registry();
  uint32_t n = r.count.load(std::memory_order_relaxed);
  if (n >= kMaxHelpers) {
    std::fprintf(stderr, "mimic: too many IR helpers (limit %u)\n", kMaxHelpers);
    std::abort();
  }
  r.table[n] = info;
  r.count.store(n + 1, std::memory_order_release);
  return n;
}

const HelperInfo& helper(uint32_t index) { return registry().table[index]; }

uint32_t helper_count() { return registry().count.load(std::memory_order_acquire); }

}  // namespace mimic::ir
