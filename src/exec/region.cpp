// Hot-region formation and assembly (see region.h).
#include "exec/region.h"

#include <algorithm>
#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <cstdlib>
#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "ir/merge.h"

namespace mimic::exec {

namespace {

constexpr uint64_t kPageBits = 12;
constexpr int32_t kPcOffset = static_cast<int32_t>(offsetof(CpuCommon, pc));
constexpr int32_t kExitRequestOffset = static_cast<int32_t>(offsetof(CpuCommon, exit_request));

uint32_t env_u32(const char* name, uint32_t def, uint32_t lo, uint32_t hi) {
  const char* e = std::getenv(name);
  if (!e || !*e) return def;
  char* end = nullptr;
  unsigned long v = std::strtoul(e, &end, 10);
  if (*end != '\0') return def;
  return static_cast<uint32_t>(std::clamp<unsigned long>(v, lo, hi));
}

uint32_t default_threshold() {
  const char* off = std::getenv("MIMIC_NO_REGIONS");
  if (off && *off && *off != '0') return 0;
  return env_u32("MIMIC_REGION_THRESHOLD", kDefaultRegionThreshold, 1, 1u << 30);
}

std::atomic<uint32_t> g_threshold{default_threshold()};

// Translates one block with faults caught here instead of in the loop: the
// guest's translate leaves through cpu->jmp (raise_exit, host fault handler)
// when it cannot fetch. Objects the translator had built are leaked then
// (rare: the block was reachable only through a direct jump).
__attribute__((noinline)) bool translate_caught(CpuCommon* cpu, const GuestOps& ops, uint64_t pc,
                                                uint64_t flags, ir::Block& out) {
  sigjmp_buf jb;
  sigjmp_buf* const outer = cpu->jmp;
  if (sigsetjmp(jb, 0) != 0) {
    cpu->jmp = outer;
    return false;
  }
  cpu->jmp = &jb;
  out.guest_pc = pc;
  cpu->insn_pc = pc;
  ops.translate(cpu, pc, flags, out);
  cpu->jmp = outer;
  return true;
}

struct Candidate {
  std::unique_ptr<ir::Block> ir;
  std::vector<uint64_t> targets;  // of its goto_tbs, distinct
};

std::vector<uint64_t> goto_targets(const ir::Block& b) {
  std::vector<uint64_t> t;
  for (const ir::Op& op : b.ops)
    if (op.opc == ir::Opcode::goto_tb && std::find(t.begin(), t.end(), op.cst(1)) == t.end())
      t.push_back(op.cst(1));
  return t;
}

// Distinct targets of `blocks` (plus `extra`) outside them.
unsigned count_exits(const std::vector<Candidate>& blocks, const Candidate* extra) {
  std::unordered_set<uint64_t> in, out;
  for (const Candidate& c : blocks) in.insert(c.ir->guest_pc);
  if (extra) in.insert(extra->ir->guest_pc);
  auto add = [&](const Candidate& c) {
    for (uint64_t t : c.targets)
      if (!in.count(t)) out.insert(t);
  };
  for (const Candidate& c : blocks) add(c);
  if (extra) add(*extra);
  return static_cast<unsigned>(out.size());
}

void assemble(const std::vector<Candidate>& blocks, ir::Block& out, RegionInfo* info) {
  ir::BlockMerger m(out);
  std::unordered_map<uint64_t, uint32_t> index;
  std::vector<uint32_t> label(blocks.size());
  for (uint32_t i = 0; i < blocks.size(); i++) {
    index.emplace(blocks[i].ir->guest_pc, i);
    label[i] = m.new_label();
  }
  const uint32_t pc_g = m.global(kPcOffset, "pc");
  // One slot per distinct exit target. The backend chains each slot's one
  // jump, so a target reached from several goto_tbs gets a shared exit at
  // the end of the region that they branch to.
  std::unordered_map<uint64_t, uint32_t> exit_uses;
  for (const Candidate& c : blocks)
    for (const ir::Op& op : c.ir->ops)
      if (op.opc == ir::Opcode::goto_tb && !index.count(op.cst(1))) exit_uses[op.cst(1)]++;
  struct Exit {
    uint32_t slot;
    uint32_t label;  // shared exit, or UINT32_MAX
  };
  std::unordered_map<uint64_t, Exit> exits;
  std::vector<uint64_t> shared;
  // The entry label is reached with the entry's pc (see region.h).
  m.emit(ir::Opcode::insn_start, {}, {blocks[0].ir->guest_pc});
  for (uint32_t i = 0; i < blocks.size(); i++) {
    m.emit(ir::Opcode::set_label, {}, {label[i]});
    m.append(*blocks[i].ir, [&](const ir::Op& op, ir::BlockMerger& mm) {
      if (op.opc != ir::Opcode::goto_tb) return false;
      const uint64_t target = op.cst(1);
      auto it = index.find(target);
      if (it == index.end()) {
        auto [e, fresh] = exits.emplace(target, Exit{static_cast<uint32_t>(exits.size()), UINT32_MAX});
        if (exit_uses[target] == 1) {
          mm.emit(ir::Opcode::goto_tb, {}, {e->second.slot, target});
          return true;
        }
        if (fresh) {
          e->second.label = mm.new_label();
          shared.push_back(target);
        }
        mm.emit(ir::Opcode::insn_start, {}, {target});
        mm.emit(ir::Opcode::br, {}, {e->second.label});
        return true;
      }
      const uint32_t j = it->second;
      if (j <= i) {
        // Back edge: leave if another thread or a signal asks.
        const uint32_t req = mm.local(ir::Type::I32);
        const uint32_t leave = mm.new_label();
        mm.emit(ir::Opcode::ld_env_i32, {req}, {static_cast<uint64_t>(kExitRequestOffset)});
        mm.emit(ir::Opcode::brcond_i32, {req, mm.constant(ir::Type::I32, 0)},
                {static_cast<uint64_t>(ir::Cond::NE), leave});
        mm.emit(ir::Opcode::insn_start, {}, {target});
        mm.emit(ir::Opcode::br, {}, {label[j]});
        mm.emit(ir::Opcode::set_label, {}, {leave});
        mm.emit(ir::Opcode::mov_i64, {pc_g, mm.constant(ir::Type::I64, target)});
        mm.emit(ir::Opcode::exit_tb, {}, {ir::kExitInterrupt});
        info->n_back_edges++;
        return true;
      }
      mm.emit(ir::Opcode::insn_start, {}, {target});
      mm.emit(ir::Opcode::br, {}, {label[j]});
      return true;
    });
  }
  for (uint64_t target : shared) {
    const Exit& e = exits.at(target);
    m.emit(ir::Opcode::set_label, {}, {e.label});
    m.emit(ir::Opcode::goto_tb, {}, {e.slot, target});
  }
  info->n_exits = static_cast<unsigned>(exits.size());
}

}  // namespace

uint32_t region_threshold() { return g_threshold.load(std::memory_order_relaxed); }
void set_default_region_threshold(uint32_t n) {
  const char* off = std::getenv("MIMIC_NO_REGIONS");
  const char* e = std::getenv("MIMIC_REGION_THRESHOLD");
  if ((off && *off && *off != '0') || (e && *e)) return;
  set_region_threshold(n);
}
void set_region_threshold(uint32_t n) { g_threshold.store(n, std::memory_order_relaxed); }

const RegionLimits& region_limits() {
  static const RegionLimits l = [] {
    RegionLimits r;
    r.max_blocks = env_u32("MIMIC_REGION_BLOCKS", r.max_blocks, 1, 64);
    return r;
  }();
  return l;
}

bool build_region(CpuCommon* cpu, const GuestOps& ops, ExecState* st, uint64_t pc,
                  uint64_t flags, const RegionLimits& limits, ir::Block& out, RegionInfo* info) {
  // Translation writes these (fetch faults, insn_pc); the loop resumes at pc.
  const uint64_t saved_pc = cpu->pc, saved_insn_pc = cpu->insn_pc;
  const uint64_t saved_exc = cpu->exception, saved_fault = cpu->fault_addr;
  const bool saved_write = cpu->fault_write;
  auto restore = [&] {
    cpu->pc = saved_pc;
    cpu->insn_pc = saved_insn_pc;
    cpu->exception = saved_exc;
    cpu->fault_addr = saved_fault;
    cpu->fault_write = saved_write;
  };
  std::vector<Candidate> blocks;
  auto translate_one = [&](uint64_t at, Candidate* c) {
    c->ir = std::make_unique<ir::Block>();
    if (!translate_caught(cpu, ops, at, flags, *c->ir)) return false;
    c->ir->guest_pc = at;
    c->targets = goto_targets(*c->ir);
    return true;
  };
  // System mode: only blocks of the entry's virtual page, whose mapping is
  // the one the region is looked up under (cpu_loop.cpp).
  const bool system = ops.code_mmu_idx != nullptr;
  Candidate entry;
  if (!translate_one(pc, &entry)) {
    restore();
    return false;
  }
  uint32_t insns = entry.ir->guest_insns;
  uint64_t page_lo = pc >> kPageBits, page_hi = page_lo;
  std::unordered_set<uint64_t> seen{pc};
  // Breadth first; targets that already have a TB (they ran) first.
  std::deque<uint64_t> ran, cold;
  auto enqueue = [&](const Candidate& c) {
    for (uint64_t t : c.targets) {
      if (!seen.insert(t).second) continue;
      const uint64_t pg = t >> kPageBits;
      if (std::max(page_hi, pg) - std::min(page_lo, pg) > 1) continue;
      if (system && pg != (pc >> kPageBits)) continue;
      const bool has_tb = system ? tb_lookup_jc(st, t, flags) != nullptr : tb_lookup(st, t, flags) != nullptr;
      (has_tb ? ran : cold).push_back(t);
    }
  };
  enqueue(entry);
  blocks.push_back(std::move(entry));
  while (blocks.size() < limits.max_blocks && (!ran.empty() || !cold.empty())) {
    std::deque<uint64_t>& q = ran.empty() ? cold : ran;
    const uint64_t t = q.front();
    q.pop_front();
    const uint64_t pg = t >> kPageBits;
    if (std::max(page_hi, pg) - std::min(page_lo, pg) > 1) continue;
    Candidate c;
    if (!translate_one(t, &c)) continue;
    if (insns + c.ir->guest_insns > limits.max_insns) continue;
    if (count_exits(blocks, &c) > ir::kMaxGotoTbSlots) continue;
    insns += c.ir->guest_insns;
    page_lo = std::min(page_lo, pg);
    page_hi = std::max(page_hi, pg);
    enqueue(c);
    blocks.push_back(std::move(c));
  }
  restore();

  out.guest_pc = pc;
  out.guest_size = blocks[0].ir->guest_size;
  out.guest_insns = insns;
  out.temps.clear();
  out.ops.clear();
  out.n_labels = 0;
  out.mmu_idx = -1;  // BlockMerger::append takes the blocks' (all equal: same flags)
  out.phys_page2 = ~uint64_t{0};
  *info = RegionInfo{};
  info->n_insns = insns;
  info->lo = ~uint64_t{0};
  for (const Candidate& c : blocks) {
    info->block_pcs.push_back(c.ir->guest_pc);
    info->lo = std::min(info->lo, c.ir->guest_pc);
    info->hi = std::max(info->hi, c.ir->guest_pc + std::max<uint64_t>(c.ir->guest_size, 1));
  }
  assemble(blocks, out, info);
  return true;
}

}  // namespace mimic::exec
