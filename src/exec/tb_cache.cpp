// The TB cache: lock-free lookup, serialized insert/chain/invalidate, and
// deferred freeing of invalidated TBs (quiescent-state based reclamation).
//
// Reclamation protocol. g_gen counts reclamation batches (finish_batch_locked
// gathers retired TBs into batches). A TB of batch G is tagged G and freed
// once every online vCPU thread has acked >= G.
// A thread acks (exec_sync) only at a block boundary after flushing its jump
// cache and dropping its chained-TB pointer, so it holds no pointer to a TB
// unlinked before the generation it acks. Threads outside cpu_exec are
// offline and hold nothing; on entry they ack their old generation first and
// then re-read g_gen (seq_cst), so a reclaimer that saw them offline has
// already bumped the generation they will read, forcing a flush.
#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "backend/backend.h"
#include "exec/cpu_loop.h"
#include "exec/tb.h"
#include "memory/softmmu.h"

namespace mimic::exec {

namespace {

constexpr unsigned kHashBits = 16;
constexpr uint64_t kPageBits = 12;

std::atomic<TranslationBlock*> g_hash[1u << kHashBits];
std::atomic<uint64_t> g_gen{1};

std::mutex g_tb_lock;  // insert, link, invalidate, page indexes, g_retired
// TBs by guest page, with the hooks run when a page gets its first TB and
// loses its last (cpu_loop.h). User-mode TBs are indexed by virtual page,
// system-mode TBs (phys_pc != kNoPhys) by physical page, in separate indexes.
struct PageIndex {
  std::unordered_map<uint64_t, std::vector<TranslationBlock*>> pages;
  CodePageHook first = nullptr, last = nullptr;
};
// Process-lifetime state, never destroyed: guest threads may still run while
// static destructors do, and retired TBs waiting to be freed must stay
// reachable (they are in no hash chain) until the process is gone.
auto& g_vpages = *new PageIndex;
auto& g_ppages = *new PageIndex;
auto& g_retired = *new std::vector<TranslationBlock*>;
auto& g_pending = *new std::vector<TranslationBlock*>;  // retired, generation not yet assigned
// Bumped whenever guest code changed (invalidate_range/all): a translation
// that started before must be redone (tb_inval_seq).
std::atomic<uint64_t> g_code_seq{1};
size_t g_live_tbs = 0;  // TBs in the hash table
// Past this many TBs the cache is flushed wholesale (like QEMU's full code
// buffer): simpler than LRU and rare in practice.
constexpr size_t kMaxLiveTbs = 1u << 18;
std::atomic<size_t> g_retired_count{0};

std::mutex g_states_lock;  // g_states (taken inside g_tb_lock, never around it)
std::vector<ExecState*> g_states;

// The physical pc is part of the hash (kNoPhys in user mode): in system mode
// many processes run code at the same virtual addresses.
inline uint32_t hash_of(uint64_t pc, uint64_t flags, uint64_t phys) {
  uint64_t h = (pc >> 1) ^ (flags * 0x9e3779b97f4a7c15ull) ^ ((phys >> 1) * 0xc2b2ae3d27d4eb4full);
  h ^= h >> 29;
  return static_cast<uint32_t>(h) & ((1u << kHashBits) - 1);
}
inline uint32_t hash_of(const TranslationBlock* tb) { return hash_of(tb->pc, tb->flags, tb->phys_pc); }
inline uint32_t jc_index(uint64_t pc) { return jump_cache_index(pc); }
PageIndex& index_of(const TranslationBlock* tb) { return tb->phys_pc == kNoPhys ? g_vpages : g_ppages; }
// Calls fn(page number) for every page of [lo, hi) and [lo2, hi2).
template <typename F>
void for_each_page(const TranslationBlock* tb, F fn) {
  for (uint64_t pg = tb->lo >> kPageBits, e = (tb->hi > tb->lo ? tb->hi - 1 : tb->lo) >> kPageBits; pg <= e; pg++)
    fn(pg);
  if (tb->hi2 > tb->lo2)
    for (uint64_t pg = tb->lo2 >> kPageBits, e = (tb->hi2 - 1) >> kPageBits; pg <= e; pg++) fn(pg);
}
inline bool overlaps(const TranslationBlock* tb, uint64_t start, uint64_t end) {
  if (tb->lo < end && start < (tb->hi > tb->lo ? tb->hi : tb->lo + 1)) return true;
  return tb->hi2 > tb->lo2 && tb->lo2 < end && start < tb->hi2;
}
// Same key: (pc, flags) in user mode; plus the physical pages in system mode.
inline bool same_key(const TranslationBlock* a, const TranslationBlock* b) {
  return a->pc == b->pc && a->flags == b->flags && a->phys_pc == b->phys_pc && a->lo2 == b->lo2;
}

void tb_free(TranslationBlock* tb) {
  tb->be->release(tb->code);
  delete tb;
}

void flush_jump_cache(ExecState* st) {
  for (auto& e : st->jump_cache) e = nullptr;
}

// Under g_tb_lock. Unlinks tb from the hash table, the page index and all
// chains, and queues it for freeing.
void invalidate_locked(TranslationBlock* tb) {
  if (tb->invalid.load(std::memory_order_relaxed)) return;
  tb->invalid.store(true, std::memory_order_release);
  g_live_tbs--;
  std::atomic<TranslationBlock*>* link = &g_hash[hash_of(tb)];
  for (TranslationBlock* p = link->load(std::memory_order_relaxed); p;
       p = link->load(std::memory_order_relaxed)) {
    if (p == tb) {
      link->store(tb->hash_next.load(std::memory_order_relaxed), std::memory_order_release);
      break;
    }
    link = &p->hash_next;
  }
  PageIndex& idx = index_of(tb);
  for_each_page(tb, [&](uint64_t pg) {
    auto it = idx.pages.find(pg);
    if (it == idx.pages.end()) return;
    auto& v = it->second;
    for (size_t i = 0; i < v.size(); i++)
      if (v[i] == tb) {
        v[i] = v.back();
        v.pop_back();
        break;
      }
    if (v.empty()) {
      idx.pages.erase(it);
      if (idx.last) idx.last(pg << kPageBits);
    }
  });
  for (auto [from, slot] : tb->incoming) {
    TranslationBlock* expect = tb;
    if (from->jmp_next[slot].compare_exchange_strong(expect, nullptr))
      from->be->unchain(from->code, slot);
  }
  tb->incoming.clear();
  for (int s = 0; s < static_cast<int>(ir::kMaxGotoTbSlots); s++) {
    TranslationBlock* to = tb->jmp_next[s].load(std::memory_order_relaxed);
    if (!to) continue;
    auto& in = to->incoming;
    for (size_t i = 0; i < in.size(); i++)
      if (in[i].first == tb && in[i].second == s) {
        in[i] = in.back();
        in.pop_back();
        break;
      }
  }
  g_retired.push_back(tb);
}

void finish_batch_locked(size_t first_new, bool code_changed);

// Under g_tb_lock. Adds tb to the hash table and the page index (flushing
// the whole cache first when it is full).
void insert_locked(TranslationBlock* tb) {
  if (g_live_tbs >= kMaxLiveTbs) {
    std::vector<TranslationBlock*> all;
    for (PageIndex* idx : {&g_vpages, &g_ppages})
      for (auto& [pg, v] : idx->pages) all.insert(all.end(), v.begin(), v.end());
    size_t first_new = g_retired.size();
    for (TranslationBlock* old : all) invalidate_locked(old);
    finish_batch_locked(first_new, false);
  }
  g_live_tbs++;
  std::atomic<TranslationBlock*>& head = g_hash[hash_of(tb)];
  tb->hash_next.store(head.load(std::memory_order_relaxed), std::memory_order_relaxed);
  head.store(tb, std::memory_order_release);
  PageIndex& idx = index_of(tb);
  for_each_page(tb, [&](uint64_t pg) {
    auto& v = idx.pages[pg];
    if (!v.empty() && v.back() == tb) return;  // lo2's page is lo's (cannot happen)
    if (v.empty() && idx.first) idx.first(pg << kPageBits);
    v.push_back(tb);
  });
}

// Under g_tb_lock. Frees retired TBs every online thread has moved past.
void reclaim_locked() {
  if (g_retired.empty()) return;
  uint64_t min_acked = kOffline;
  {
    std::lock_guard<std::mutex> g(g_states_lock);
    for (ExecState* s : g_states) {
      uint64_t a = s->acked.load(std::memory_order_seq_cst);
      if (a < min_acked) min_acked = a;
    }
  }
  size_t keep = 0;
  for (TranslationBlock* tb : g_retired) {
    if (tb->retire_gen <= min_acked) tb_free(tb);
    else g_retired[keep++] = tb;
  }
  g_retired.resize(keep);
  g_retired_count.store(keep, std::memory_order_relaxed);
}

// Under g_tb_lock, after a batch of invalidate_locked calls. `code_changed`:
// the batch was caused by guest code changing (not by a tier-up or region
// replacing a block), so translations in flight must start over.
//
// Invalidated TBs are unreachable at once (hash, chains; jump-cache and
// chain users check `invalid`), so flushing the jump caches is needed only
// before freeing them. Retired TBs therefore wait in g_pending until
// kRetireBatch have gathered; only then does the generation move on (every
// vCPU flushes its jump cache once) and they become reclaimable.
constexpr size_t kRetireBatch = 256;
void finish_batch_locked(size_t first_new, bool code_changed) {
  if (first_new == g_retired.size()) return;
  if (code_changed) g_code_seq.fetch_add(1, std::memory_order_seq_cst);
  g_pending.insert(g_pending.end(), g_retired.begin() + static_cast<ptrdiff_t>(first_new), g_retired.end());
  g_retired.resize(first_new);
  if (g_pending.size() < kRetireBatch) return;
  uint64_t gen = g_gen.fetch_add(1, std::memory_order_seq_cst) + 1;
  for (TranslationBlock* tb : g_pending) {
    tb->retire_gen = gen;
    g_retired.push_back(tb);
  }
  g_pending.clear();
  g_retired_count.store(g_retired.size(), std::memory_order_relaxed);
  reclaim_locked();
}

}  // namespace

ExecState* exec_state_of(CpuCommon* cpu) {
  if (cpu->exec_state) return static_cast<ExecState*>(cpu->exec_state);
  auto* st = new ExecState;
  st->cpu = cpu;
  st->seen = g_gen.load(std::memory_order_seq_cst);
  {
    std::lock_guard<std::mutex> g(g_states_lock);
    g_states.push_back(st);
  }
  cpu->exec_state = st;
  return st;
}

void cpu_exec_release(CpuCommon* cpu) {
  auto* st = static_cast<ExecState*>(cpu->exec_state);
  if (!st) return;
  {
    std::lock_guard<std::mutex> g(g_states_lock);
    for (size_t i = 0; i < g_states.size(); i++)
      if (g_states[i] == st) {
        g_states[i] = g_states.back();
        g_states.pop_back();
        break;
      }
  }
  cpu->exec_state = nullptr;
  delete st;
}

TranslationBlock* tb_lookup(ExecState* st, uint64_t pc, uint64_t flags) {
  TranslationBlock*& slot = st->jump_cache[jc_index(pc)];
  TranslationBlock* tb = slot;
  if (tb && tb->pc == pc && tb->flags == flags && !tb->invalid.load(std::memory_order_relaxed))
    return tb;
  for (tb = g_hash[hash_of(pc, flags, kNoPhys)].load(std::memory_order_acquire); tb;
       tb = tb->hash_next.load(std::memory_order_acquire)) {
    if (tb->pc == pc && tb->flags == flags && tb->phys_pc == kNoPhys &&
        !tb->invalid.load(std::memory_order_relaxed)) {
      slot = tb;
      return tb;
    }
  }
  return nullptr;
}

TranslationBlock* tb_lookup_jc(ExecState* st, uint64_t pc, uint64_t flags) {
  TranslationBlock* tb = st->jump_cache[jc_index(pc)];
  if (tb && tb->pc == pc && tb->flags == flags && !tb->invalid.load(std::memory_order_relaxed)) return tb;
  return nullptr;
}

TranslationBlock* tb_lookup_phys(ExecState* st, uint64_t pc, uint64_t flags, uint64_t phys) {
  constexpr uint64_t kUnknown = ~uint64_t{0} - 1;
  uint64_t page2 = kUnknown;  // physical page of the next virtual page, probed once
  for (TranslationBlock* tb = g_hash[hash_of(pc, flags, phys)].load(std::memory_order_acquire); tb;
       tb = tb->hash_next.load(std::memory_order_acquire)) {
    if (tb->pc != pc || tb->flags != flags || tb->phys_pc != phys || tb->invalid.load(std::memory_order_relaxed))
      continue;
    if (tb->hi2 > tb->lo2) {
      if (page2 == kUnknown) {
        const uint64_t next = (pc | ((uint64_t{1} << kPageBits) - 1)) + 1;
        uint64_t p = 0;
        page2 = memory::softmmu_probe_code(st->cpu, next, st->ops->code_mmu_idx(flags), &p)
                    ? p >> kPageBits : kNoPhys;
      }
      if (tb->lo2 >> kPageBits != page2) continue;
    }
    st->jump_cache[jc_index(pc)] = tb;
    return tb;
  }
  return nullptr;
}

uint64_t tb_inval_seq() { return g_code_seq.load(std::memory_order_seq_cst); }

TranslationBlock* tb_insert(ExecState* st, TranslationBlock* tb, uint64_t inval_seq) {
  {
    std::lock_guard<std::mutex> g(g_tb_lock);
    if (g_code_seq.load(std::memory_order_relaxed) != inval_seq) {
      // The guest code may have changed under the translator: start over.
      tb_free(tb);
      return nullptr;
    }
    std::atomic<TranslationBlock*>& head = g_hash[hash_of(tb)];
    for (TranslationBlock* p = head.load(std::memory_order_relaxed); p;
         p = p->hash_next.load(std::memory_order_relaxed)) {
      if (same_key(p, tb) && !p->invalid.load(std::memory_order_relaxed)) {
        tb_free(tb);  // another thread translated it first
        tb = p;
        goto done;
      }
    }
    insert_locked(tb);
  }
done:
  st->jump_cache[jc_index(tb->pc)] = tb;
  return tb;
}

TranslationBlock* tb_replace(ExecState* st, TranslationBlock* tb, uint64_t inval_seq) {
  {
    std::lock_guard<std::mutex> g(g_tb_lock);
    if (g_code_seq.load(std::memory_order_relaxed) != inval_seq) {
      tb_free(tb);
      return nullptr;
    }
    std::vector<TranslationBlock*> old;
    for (TranslationBlock* p = g_hash[hash_of(tb)].load(std::memory_order_relaxed); p;
         p = p->hash_next.load(std::memory_order_relaxed))
      if (same_key(p, tb) && !p->invalid.load(std::memory_order_relaxed)) old.push_back(p);
    size_t first_new = g_retired.size();
    for (TranslationBlock* p : old) invalidate_locked(p);
    finish_batch_locked(first_new, false);
    insert_locked(tb);
  }
  st->jump_cache[jc_index(tb->pc)] = tb;
  return tb;
}

void tb_link(TranslationBlock* from, int slot, TranslationBlock* to) {
  if (from->be != to->be) return;  // tiers do not chain into each other
  std::lock_guard<std::mutex> g(g_tb_lock);
  if (from->invalid.load(std::memory_order_relaxed) || to->invalid.load(std::memory_order_relaxed))
    return;
  TranslationBlock* old = from->jmp_next[slot].load(std::memory_order_relaxed);
  if (old == to) return;
  if (old) {
    auto& in = old->incoming;
    for (size_t i = 0; i < in.size(); i++)
      if (in[i].first == from && in[i].second == slot) {
        in[i] = in.back();
        in.pop_back();
        break;
      }
  }
  to->incoming.emplace_back(from, slot);
  from->jmp_next[slot].store(to, std::memory_order_release);
  from->be->chain(from->code, slot, to->code);
}

void exec_enter(ExecState* st) {
  st->acked.store(st->seen, std::memory_order_seq_cst);
  uint64_t g = g_gen.load(std::memory_order_seq_cst);
  if (g != st->seen) {
    flush_jump_cache(st);
    st->seen = g;
    st->acked.store(g, std::memory_order_seq_cst);
  }
}

void exec_leave(ExecState* st) { st->acked.store(kOffline, std::memory_order_seq_cst); }

bool exec_sync(ExecState* st) {
  uint64_t g = g_gen.load(std::memory_order_acquire);
  if (g == st->seen) return false;
  flush_jump_cache(st);
  st->seen = g;
  st->acked.store(g, std::memory_order_seq_cst);
  if (g_retired_count.load(std::memory_order_relaxed) != 0 && g_tb_lock.try_lock()) {
    reclaim_locked();
    g_tb_lock.unlock();
  }
  return true;
}

void invalidate_range(uint64_t start, uint64_t len) {
  if (len == 0) return;
  uint64_t end = start + len < start ? ~uint64_t{0} : start + len;  // exclusive, saturated
  std::lock_guard<std::mutex> g(g_tb_lock);
  uint64_t p0 = start >> kPageBits, p1 = (end - 1) >> kPageBits;
  std::vector<TranslationBlock*> victims;
  auto collect = [&](const std::vector<TranslationBlock*>& v) {
    for (TranslationBlock* tb : v)
      if (overlaps(tb, start, end)) victims.push_back(tb);
  };
  // User-mode TBs by virtual, system-mode TBs by physical address (each
  // process runs one kind; tests may hold both).
  for (PageIndex* idx : {&g_vpages, &g_ppages}) {
    if (idx->pages.empty()) continue;
    if (p1 - p0 >= idx->pages.size()) {
      for (auto& [pg, v] : idx->pages)
        if (pg >= p0 && pg <= p1) collect(v);
    } else {
      for (uint64_t pg = p0; pg <= p1; pg++) {
        auto it = idx->pages.find(pg);
        if (it != idx->pages.end()) collect(it->second);
      }
    }
  }
  size_t first_new = g_retired.size();
  for (TranslationBlock* tb : victims) invalidate_locked(tb);
  finish_batch_locked(first_new, true);
}

void set_code_page_hooks(CodePageHook first, CodePageHook last) {
  std::lock_guard<std::mutex> g(g_tb_lock);
  g_vpages.first = first;
  g_vpages.last = last;
}

void set_phys_code_page_hooks(CodePageHook first, CodePageHook last) {
  std::lock_guard<std::mutex> g(g_tb_lock);
  g_ppages.first = first;
  g_ppages.last = last;
}

void flush_jump_cache(CpuCommon* cpu) {
  if (auto* st = static_cast<ExecState*>(cpu->exec_state)) flush_jump_cache(st);
}

void flush_jump_cache_page(CpuCommon* cpu, uint64_t vpage) {
  auto* st = static_cast<ExecState*>(cpu->exec_state);
  if (!st) return;
  constexpr uint32_t kSlots = 1u << kJumpCacheBits;
  constexpr uint32_t kPerPage = (1u << kPageBits) >> 1;  // pc >> 1 indexes the cache
  static_assert(kPerPage < kSlots, "a page must not cover the whole jump cache");
  // A block whose first instruction (at most 16 bytes on any guest) crosses
  // into the page starts at most 16 bytes before it.
  for (uint64_t pc = vpage - 16; pc != vpage; pc += 2) st->jump_cache[jc_index(pc)] = nullptr;
  const uint32_t first = jc_index(vpage);
  const uint32_t n = std::min(kPerPage, kSlots - first);
  std::fill_n(st->jump_cache + first, n, nullptr);
  std::fill_n(st->jump_cache, kPerPage - n, nullptr);  // wrapped part
}

void invalidate_all() {
  std::lock_guard<std::mutex> g(g_tb_lock);
  std::vector<TranslationBlock*> victims;
  for (PageIndex* idx : {&g_vpages, &g_ppages})
    for (auto& [pg, v] : idx->pages) victims.insert(victims.end(), v.begin(), v.end());
  size_t first_new = g_retired.size();
  for (TranslationBlock* tb : victims) invalidate_locked(tb);
  finish_batch_locked(first_new, true);
}

}  // namespace mimic::exec
