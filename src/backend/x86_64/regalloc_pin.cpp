// Pinned globals (see compiler.h): choice per block, entry loads, labels and
// helper calls.
#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "backend/x86_64/compiler.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;

namespace {


// Pin registers in order of preference: callee-saved (survive helper calls),
// then caller-saved ones without fixed uses (blocks without calls only).
// At least 6 registers stay allocatable: an op holds up to 5 at once
// (movcond: two values, the result, two compared operands), and rax, rcx,
// rdx have fixed uses (division, shift count, call result).
constexpr int kCalleePins[] = {kRbx, kR12, kR13, kR14};
constexpr int kCallerPins[] = {kRsi, kRdi};
static_assert(std::size(kAllocOrder) - std::size(kCalleePins) - std::size(kCallerPins) >= 6);

// MIMIC_JIT_NO_PIN=1: none; MIMIC_JIT_PINS=N: at most N (default and
// maximum 6).
int max_pins() {
  static const int n = [] {
    if (const char* e = std::getenv("MIMIC_JIT_NO_PIN"); e && *e && *e != '0') return 0;
    if (const char* e = std::getenv("MIMIC_JIT_PINS"); e && *e) return std::atoi(e);
    return 6;
  }();
  return n;
}

}  // namespace

// Weight of a global: its references, each counting 8 per enclosing loop (1
// outside loops). Candidates: globals referenced in a loop, or at least twice
// with one reference before the first branch or label (then the entry load
// is not wasted on paths that never use the global); never globals that an
// ld_env/st_env of the block overlaps.
void Compiler::choose_pins() {
  const int limit = max_pins();
  if (limit <= 0 || globals_.empty()) return;
  const size_t n = b_.ops.size();
  bool has_call = false;
  std::vector<uint8_t> excluded(globals_.size(), 0);
  for (uint32_t i = 0; i < n; i++) {
    const ir::Op& op = b_.ops[i];
    using ir::Opcode;
    switch (op.opc) {
      case Opcode::call:
        has_call = true;
        break;
      case Opcode::ctpop_i32:
      case Opcode::ctpop_i64:
        if (!HostFeatures::get().popcnt) has_call = true;  // emit_bitcount's fallback
        break;
      case Opcode::ld_env_i32:
      case Opcode::ld_env_i64:
      case Opcode::st_env_i32:
      case Opcode::st_env_i64: {
        const auto o = static_cast<int32_t>(op.cst(0));
        const int size = op.opc == Opcode::ld_env_i32 || op.opc == Opcode::st_env_i32 ? 4 : 8;
        for (size_t g = 0; g < globals_.size(); g++) {
          const int32_t go = b_.temps[globals_[g]].env_offset;
          if (go < o + size && o < go + 8) excluded[g] = 1;
        }
        break;
      }
      default:
        break;
    }
  }
  const uint32_t first_ctl = first_control_op();
  std::vector<std::pair<uint64_t, uint32_t>> cand;  // (weight, global index)
  for (size_t g = 0; g < globals_.size(); g++) {
    if (excluded[g] || global_events_[g].empty()) continue;
    uint64_t w = 0;
    bool in_loop = false;
    for (auto [i, kind] : global_events_[g]) {
      (void)kind;
      uint64_t depth = 0;
      for (auto [k, j] : loops_)
        if (k <= i && i <= j) depth++;
      w += depth ? 8 * depth : 1;
      in_loop |= depth > 0;
    }
    const bool early = global_events_[g][0].first < first_ctl;
    if (in_loop || (early && w >= 2)) cand.emplace_back(w, static_cast<uint32_t>(g));
  }
  std::stable_sort(cand.begin(), cand.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<int> regs(std::begin(kCalleePins), std::end(kCalleePins));
  if (!has_call) regs.insert(regs.end(), std::begin(kCallerPins), std::end(kCallerPins));
  const size_t count = std::min({cand.size(), regs.size(), static_cast<size_t>(limit)});
  for (size_t c = 0; c < count; c++) {
    const uint32_t g = cand[c].second, t = globals_[g];
    tmp_[t].pin = static_cast<int8_t>(regs[c]);
    pinned_mask_ |= 1u << regs[c];
    pinned_.push_back(t);
    bool written = false;
    for (auto [i, kind] : global_events_[g]) written |= (kind & kEvWrite) != 0;
    pin_written_.push_back(written);
  }
}

// Index of the first branch or label (the end of the entry basic block).
uint32_t Compiler::first_control_op() const {
  for (uint32_t i = 0; i < b_.ops.size(); i++) {
    const ir::Op& op = b_.ops[i];
    if ((op.inf().flags & ir::kBranch) || op.opc == ir::Opcode::set_label) return i;
  }
  return static_cast<uint32_t>(b_.ops.size());
}

// Block entry: each pinned register receives its global. A global whose
// first reference is a plain write before any branch or label is not loaded
// (its register holds no value until then, and it is clean: nothing reads
// or stores it before that write).
void Compiler::load_pins() {
  const uint32_t first_ctl = first_control_op();
  for (uint32_t t : pinned_) {
    Temp& s = tmp_[t];
    const auto& ev = global_events_[global_index_[t]];
    const bool write_first = !ev.empty() && ev[0].second == kEvWrite && ev[0].first < first_ctl;
    if (!write_first) mov(R(s.pin), qword[rbp + b_.temps[t].env_offset]);
    link(t, s.pin);
    s.dirty = false;
    s.mem_valid = true;
  }
}

uint32_t Compiler::pin_dirty_mask() const {
  uint32_t m = 0;
  for (size_t p = 0; p < pinned_.size(); p++)
    if (tmp_[pinned_[p]].dirty) m |= 1u << p;
  return m;
}

// Before each op: which pinned globals may be dirty where control joins.
// Branches leave the registers as they are (write_back_globals(false)), so
// a label's set is the union over its incoming edges; a loop header also
// gets every global written in the block (its back edges come later).
void Compiler::track_pins(const ir::Op& op) {
  if (pinned_.empty()) return;
  using ir::Opcode;
  if (label_pin_dirty_.empty()) label_pin_dirty_.assign(b_.n_labels, 0);
  switch (op.opc) {
    case Opcode::br: case Opcode::brcond_i32: case Opcode::brcond_i64: {
      const uint64_t l = op.opc == Opcode::br ? op.cst(0) : op.cst(1);
      if (falls_through_) label_pin_dirty_[l] |= pin_dirty_mask();
      if (op.opc == Opcode::br) falls_through_ = false;
      break;
    }
    case Opcode::goto_tb: case Opcode::goto_ptr: case Opcode::exit_tb:
      falls_through_ = false;
      break;
    case Opcode::set_label: {
      const uint64_t l = op.cst(0);
      uint32_t m = label_pin_dirty_[l] | (falls_through_ ? pin_dirty_mask() : 0);
      if (loop_header_[l])
        for (size_t p = 0; p < pinned_.size(); p++)
          if (pin_written_[p]) m |= 1u << p;
      next_label_dirty_ = m;
      falls_through_ = true;
      break;
    }
    default:
      break;
  }
}

// At a label the pinned registers hold their globals on every incoming
// path; env is stale for those dirty on some incoming path (track_pins).
void Compiler::pins_at_label() {
  for (size_t p = 0; p < pinned_.size(); p++) {
    Temp& s = tmp_[pinned_[p]];
    s.dirty = (next_label_dirty_ >> p) & 1;
    s.mem_valid = !s.dirty;
  }
}

// Before labels, branches and calls: every pinned global back in its own
// register (a displaced value is copied home).
void Compiler::restore_pins() {
  for (uint32_t t : pinned_) {
    Temp& s = tmp_[t];
    if (s.reg == s.pin) continue;
    const bool dirty = s.dirty;
    if (s.reg >= 0) mov(R(s.pin), R(s.reg));
    else mov(R(s.pin), qword[rbp + b_.temps[t].env_offset]);  // not reached: see value_dead
    unlink(t);
    link(t, s.pin);
    s.dirty = dirty;
  }
}

// Before a helper call: pinned caller-saved registers go to env and leave
// their registers (the call clobbers them); returns those registers.
uint32_t Compiler::park_pins() {
  uint32_t parked = 0;
  for (uint32_t t : pinned_) {
    Temp& s = tmp_[t];
    if (!(kCallerSaved & (1u << s.pin)) || s.reg < 0) continue;
    if (s.dirty) mov(qword[rbp + b_.temps[t].env_offset], R(s.pin));
    unlink(t);
    s.mem_valid = true;
    parked |= 1u << s.pin;
  }
  return parked;
}

void Compiler::unpark_pins(uint32_t regs) {
  for (uint32_t t : pinned_) {
    Temp& s = tmp_[t];
    if (!(regs & (1u << s.pin))) continue;
    mov(R(s.pin), qword[rbp + b_.temps[t].env_offset]);
    link(t, s.pin);
    s.dirty = false;
    s.mem_valid = true;
  }
}

}  // namespace mimic::backend::x64
