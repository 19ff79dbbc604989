#include "linux_user/code_wp.h"

#include <sys/mman.h>
#include <ucontext.h>

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <map>
#include <mutex>

#include "core/log.h"
#include "exec/cpu_loop.h"
#include "linux_user/address_space.h"

namespace mimic::linux_user::code_wp {

namespace {

// Per guest page, one byte: the guest protection and our state.
constexpr uint8_t kProtMask = 7;     // GuestProt bits
constexpr uint8_t kMapped = 1u << 3;
constexpr uint8_t kCode = 1u << 4;   // the TB cache holds translations here
constexpr uint8_t kWp = 1u << 5;     // host PROT_WRITE removed by us
constexpr uint8_t kNoWp = 1u << 6;   // faulted too often: never protect

bool g_enabled = false;
uint8_t* g_base = nullptr;  // guest_base
uint64_t g_limit = 0;
uint8_t* g_state = nullptr;  // one byte per guest page (sparse, NORESERVE)
std::atomic<uint64_t> g_wp_pages{0};  // pages with kWp

// Leaf lock: taken inside AddressSpace's lock and inside the TB lock (by the
// hooks), never around either.
std::mutex g_lock;
auto& g_faults = *new std::map<uint64_t, uint32_t>;  // page -> write faults

uint8_t load(uint64_t pg) { return __atomic_load_n(&g_state[pg], __ATOMIC_ACQUIRE); }
void store(uint64_t pg, uint8_t v) { __atomic_store_n(&g_state[pg], v, __ATOMIC_RELEASE); }

void host_protect(uint64_t pg, int guest_prot) {
  ::mprotect(g_base + (pg << 12), kPageSize, host_prot(guest_prot));
}

// Under g_lock: clear kWp (the caller fixes the host protection).
void drop_wp_locked(uint64_t pg, uint8_t& b) {
  if (b & kWp) {
    b &= static_cast<uint8_t>(~kWp);
    g_wp_pages.fetch_sub(1, std::memory_order_relaxed);
  }
}

// exec hooks, under the TB lock.
void on_first_tb(uint64_t page_addr) {
  uint64_t pg = page_addr >> 12;
  if (page_addr >= g_limit) return;
  std::lock_guard<std::mutex> g(g_lock);
  uint8_t b = load(pg) | kCode;
  if ((b & kMapped) && (b & kProtWrite) && !(b & (kWp | kNoWp))) {
    host_protect(pg, b & kProtMask & ~kProtWrite);
    b |= kWp;
    g_wp_pages.fetch_add(1, std::memory_order_relaxed);
  }
  store(pg, b);
}

void on_last_tb(uint64_t page_addr) {
  uint64_t pg = page_addr >> 12;
  if (page_addr >= g_limit) return;
  std::lock_guard<std::mutex> g(g_lock);
  uint8_t b = load(pg);
  bool was_wp = (b & kWp) != 0;
  drop_wp_locked(pg, b);
  b &= static_cast<uint8_t>(~kCode);
  if (was_wp && (b & kMapped)) host_protect(pg, b & kProtMask);
  store(pg, b);
}

void forget_faults_locked(uint64_t p0, uint64_t p1) {
  g_faults.erase(g_faults.lower_bound(p0), g_faults.lower_bound(p1));
}

// Retries of a write fault the state does not explain (a race with another
// thread's unprotect); bounded so a bookkeeping error cannot spin forever.
thread_local uint64_t t_last_addr = ~uint64_t{0};
thread_local uint32_t t_spurious = 0;
bool spurious_retry(uint64_t addr) {
  if (addr != t_last_addr) {
    t_last_addr = addr;
    t_spurious = 0;
  }
  return ++t_spurious < 100;
}

}  // namespace

void init(uint8_t* base, uint64_t limit) {
  const char* off = std::getenv("MIMIC_NO_CODE_WP");
  if (off && *off && *off != '0') return;
  if (g_state) ::munmap(g_state, g_limit >> 12);  // a new address space (unit tests)
  g_wp_pages.store(0, std::memory_order_relaxed);
  void* p = ::mmap(nullptr, limit >> 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  g_state = static_cast<uint8_t*>(p);
  g_base = base;
  g_limit = limit;
  g_enabled = true;
  exec::set_code_page_hooks(on_first_tb, on_last_tb);
}

bool enabled() { return g_enabled; }

void note_mapped(uint64_t addr, uint64_t len, int prot) {
  if (!g_enabled || addr >= g_limit) return;
  uint64_t p0 = addr >> 12, p1 = (addr + len + kPageSize - 1) >> 12;
  std::lock_guard<std::mutex> g(g_lock);
  for (uint64_t pg = p0; pg < p1; pg++) {
    uint8_t b = load(pg);
    drop_wp_locked(pg, b);  // a fresh host mapping: nothing removed
    store(pg, static_cast<uint8_t>((b & kCode) | kMapped | (prot & kProtMask)));
  }
  forget_faults_locked(p0, p1);
}

void note_unmapped(uint64_t addr, uint64_t len) {
  if (!g_enabled || addr >= g_limit) return;
  uint64_t p0 = addr >> 12, p1 = (addr + len + kPageSize - 1) >> 12;
  std::lock_guard<std::mutex> g(g_lock);
  for (uint64_t pg = p0; pg < p1; pg++) {
    uint8_t b = load(pg);
    drop_wp_locked(pg, b);
    store(pg, b & kCode);
  }
  forget_faults_locked(p0, p1);
}

int apply_mprotect(uint8_t* host, uint64_t addr, uint64_t len, int prot) {
  if (!g_enabled) return ::mprotect(host, len, host_prot(prot)) == 0 ? 0 : -errno;
  std::lock_guard<std::mutex> g(g_lock);
  if (::mprotect(host, len, host_prot(prot)) != 0) return -errno;
  if (addr >= g_limit) return 0;
  uint64_t p0 = addr >> 12, p1 = (addr + len + kPageSize - 1) >> 12;
  for (uint64_t pg = p0; pg < p1; pg++) {
    uint8_t b = load(pg);
    drop_wp_locked(pg, b);
    b = static_cast<uint8_t>((b & (kCode | kNoWp)) | kMapped | (prot & kProtMask));
    // Translations still exist here: the guest may write, the host may not.
    if ((b & kCode) && (prot & kProtWrite) && !(b & kNoWp)) {
      ::mprotect(host + ((pg - p0) << 12), kPageSize, host_prot(prot & ~kProtWrite));
      b |= kWp;
      g_wp_pages.fetch_add(1, std::memory_order_relaxed);
    }
    store(pg, b);
  }
  return 0;
}

void before_write(uint64_t addr, uint64_t len) {
  if (g_wp_pages.load(std::memory_order_relaxed) == 0 || len == 0) return;
  if (addr >= g_limit) return;
  if (len > g_limit - addr) len = g_limit - addr;
  uint64_t p0 = addr >> 12, p1 = (addr + len + kPageSize - 1) >> 12;
  for (uint64_t pg = p0; pg < p1; pg++)
    if (load(pg) & kWp) {
      if (log::enabled(log::kPage)) log::printf("code_wp: system call writes code page %#" PRIx64 "\n", pg << 12);
      exec::invalidate_range(pg << 12, kPageSize);
    }
}

bool on_write_fault(uint64_t guest_addr) {
  if (!g_enabled || guest_addr >= g_limit) return false;
  uint64_t pg = guest_addr >> 12;
  uint8_t b = load(pg);
  if (!(b & kMapped) || !(b & kProtWrite)) return false;  // a real guest fault
  if (!(b & kWp)) return spurious_retry(guest_addr);
  t_spurious = 0;
  uint32_t n;
  {
    std::lock_guard<std::mutex> g(g_lock);
    n = ++g_faults[pg];
    if (n > kMaxFaults) store(pg, load(pg) | kNoWp);
  }
  if (log::enabled(log::kPage)) {
    log::printf("code_wp: write to code page %#" PRIx64 " (fault %u%s)\n", pg << 12, n,
                n > kMaxFaults ? ", no longer protected" : "");
  }
  exec::invalidate_range(pg << 12, kPageSize);
  return true;
}

bool handle_in_signal(siginfo_t* info, void* ucontext) {
  if (!g_enabled || !info) return false;
#if defined(__x86_64__)
  auto* uc = static_cast<ucontext_t*>(ucontext);
  if (!uc || !(uc->uc_mcontext.gregs[REG_ERR] & 2)) return false;
#else
  (void)ucontext;
  return false;
#endif
  auto a = reinterpret_cast<uintptr_t>(info->si_addr);
  auto base = reinterpret_cast<uintptr_t>(g_base);
  if (a < base || a - base >= g_limit) return false;
  uint64_t pg = (a - base) >> 12;
  uint8_t b = load(pg);
  if (!(b & kMapped) || !(b & kProtWrite)) return false;
  if (!(b & kWp)) return spurious_retry(a - base);
  // mimic's own code is writing (no TB lock held by guest-memory writers).
  exec::invalidate_range(pg << 12, kPageSize);
  return true;
}

}  // namespace mimic::linux_user::code_wp
