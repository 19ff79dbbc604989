// On-the-fly register allocation (see compiler.h for the model).
#include <algorithm>

#include "backend/x86_64/compiler.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;

// Memory gets t's value: write back a dirty global, store a local that is
// still needed to its spill slot.
void Compiler::to_memory(uint32_t t) {
  Temp& s = tmp_[t];
  if (is_const(t) || s.mem_valid || s.reg < 0) return;
  if (!is_global(t) && !live_after(t) && idx_ < b_.ops.size()) {
    // Dead locals need no memory copy, unless read by the current op (the
    // caller asked for it, e.g. a helper argument).
    const ir::Op& op = b_.ops[idx_];
    bool read_now = false;
    for (int k = op.inf().n_out; k < op.inf().n_out + op.inf().n_in; k++)
      if (op.args[k] == t) read_now = true;
    if (!read_now) return;
  }
  mov(mem_of(t), R(s.reg));
  s.mem_valid = true;
  s.dirty = false;
}

void Compiler::link(uint32_t t, int r) {
  tmp_[t].reg = static_cast<int8_t>(r);
  regs_[r].push_back(t);
}

void Compiler::unlink(uint32_t t) {
  Temp& s = tmp_[t];
  if (s.reg < 0) return;
  auto& v = regs_[s.reg];
  for (size_t i = 0; i < v.size(); i++)
    if (v[i] == t) {
      v[i] = v.back();
      v.pop_back();
      break;
    }
  s.reg = -1;
  s.dirty = false;
}

void Compiler::drop(int r) {
  while (!regs_[r].empty()) unlink(regs_[r].back());
}

// A displaced pinned global (see bind) goes back to its own register.
void Compiler::evict(int r) {
  uint32_t home[16];
  bool dirty[16];
  int n_home = 0;
  for (uint32_t t : regs_[r]) {
    if (tmp_[t].pin < 0) {
      to_memory(t);
    } else if (n_home < 16) {
      mov(R(tmp_[t].pin), R(r));
      dirty[n_home] = tmp_[t].dirty;
      home[n_home++] = t;
    }
  }
  drop(r);
  for (int i = 0; i < n_home; i++) {
    link(home[i], tmp_[home[i]].pin);
    tmp_[home[i]].dirty = dirty[i];
  }
}

void Compiler::reserve(int r, uint32_t* lock) {
  evict(r);
  *lock |= 1u << r;
}

// A free register not in `lock`, evicting the cheapest content if needed:
// constants, then clean values, then dirty ones.
int Compiler::alloc(uint32_t lock) {
  int best = -1, best_cost = 1 << 30;
  for (int r : kAllocOrder) {
    if ((lock | pinned_mask_) & (1u << r)) continue;
    if (regs_[r].empty()) return r;
    int cost = 0;
    for (uint32_t t : regs_[r]) {
      int c = is_const(t) ? 0 : !tmp_[t].dirty ? 1 : is_global(t) ? 2 : 3;
      cost = c > cost ? c : cost;
    }
    cost = cost * 4 + static_cast<int>(regs_[r].size());
    if (cost < best_cost) {
      best = r;
      best_cost = cost;
    }
  }
  evict(best);
  return best;
}

void Compiler::load_into(int r, uint32_t t) {
  const Temp& s = tmp_[t];
  if (is_const(t)) {
    uint64_t v = const_val(t);
    if (v == 0) xor_(Xbyak::Reg32(r), Xbyak::Reg32(r));
    else mov(R(r), v);
  } else if (s.reg >= 0) {
    if (s.reg != r) mov(R(r), R(s.reg));
  } else {
    mov(R(r), mem_of(t));
  }
}

int Compiler::use(uint32_t t, uint32_t* lock) {
  Temp& s = tmp_[t];
  if (s.reg < 0) {
    int r = alloc(*lock);
    load_into(r, t);
    link(t, r);
    s.dirty = false;
  }
  *lock |= 1u << s.reg;
  return s.reg;
}

// t's new value is in r. Other temps may share r (copies); the caller made
// sure that r was not modified under them (can_clobber / fresh register).
//
// Pinned globals: a new value computed elsewhere stays there, shared like
// any value ("displaced": the pinned register is stale but stays reserved)
// until a label, branch or call needs it home (restore_pins) or the register
// is evicted. A value that shares a pinned register (a copy of the pinned
// global) moves to a register of its own.
void Compiler::bind(uint32_t t, int r) {
  Temp& s = tmp_[t];
  if (pinned_reg(r) && s.pin != r) {
    const int rd = alloc(1u << r);
    mov(R(rd), R(r));
    r = rd;
  }
  if (s.reg != r) {
    unlink(t);
    link(t, r);
  }
  s.dirty = true;
  s.mem_valid = false;
}

// Is t's value (after op idx_) never observed again? Locals: no later read.
// Globals: the next reference is a plain overwrite with no op in between that
// needs env exact (memory, calls, env access, branches, labels, exits).
bool Compiler::value_dead(uint32_t t) const {
  if (!is_global(t)) return tmp_[t].last_use <= idx_;
  const auto& ev = global_events_[global_index_[t]];
  auto it = std::upper_bound(ev.begin(), ev.end(), std::make_pair(idx_, uint8_t{255}));
  if (it == ev.end() || it->second != kEvWrite) return false;
  auto sync = std::upper_bound(sync_points_.begin(), sync_points_.end(), idx_);
  return sync == sync_points_.end() || *sync > it->first;
}

// May the op defining `out` overwrite ra, which holds its input a? Yes when
// every value there other than out's old one is dead (a included).
bool Compiler::can_clobber(int ra, uint32_t out, uint32_t a) const {
  if (pinned_reg(ra)) return tmp_[out].pin == ra;  // only its own global
  if (a != out && !value_dead(a)) return false;
  for (uint32_t t : regs_[ra])
    if (t != a && t != out && !value_dead(t)) return false;
  return true;
}

// After can_clobber(ra, ...): the dead values leave ra.
void Compiler::take(int ra, uint32_t out) {
  for (size_t i = regs_[ra].size(); i-- > 0;)
    if (regs_[ra][i] != out) unlink(regs_[ra][i]);
}

// The register that will receive `out = f(a, ...)` computed in place from a
// copy of a (already in ra): ra itself when can_clobber, else a fresh
// register holding a copy.
int Compiler::dest_for(uint32_t out, uint32_t a, int ra, uint32_t* lock) {
  if (can_clobber(ra, out, a)) {
    take(ra, out);
    return ra;
  }
  int rd = fresh_out(out, *lock);
  mov(R(rd), R(ra));
  *lock |= 1u << rd;
  return rd;
}

// A register that may receive out's new value once every input is in a
// locked register: out's pinned register unless an input is there.
int Compiler::fresh_out(uint32_t out, uint32_t lock) {
  const Temp& s = tmp_[out];
  if (s.pin >= 0 && !(lock & (1u << s.pin))) return s.pin;
  return alloc(lock);
}

// After op idx_: release registers and slots of locals and constants that
// are not read again.
void Compiler::free_dead() {
  const ir::Op& op = b_.ops[idx_];
  const ir::OpInfo& in = op.inf();
  for (int k = 0; k < in.n_out + in.n_in; k++) {
    uint32_t t = static_cast<uint32_t>(op.args[k]);
    if (is_global(t) || tmp_[t].last_use > idx_) continue;
    Temp& s = tmp_[t];
    unlink(t);
    s.mem_valid = false;
    if (s.slot >= 0) slot_used_[s.slot] = 0;
    s.slot = -1;
  }
}

void Compiler::write_back_globals(bool pinned_too) {
  for (uint32_t t : globals_) {
    Temp& s = tmp_[t];
    if (s.reg >= 0 && s.dirty && (pinned_too || s.pin < 0)) {
      mov(qword[rbp + b_.temps[t].env_offset], R(s.reg));
      s.dirty = false;
      s.mem_valid = true;
    }
  }
}

// After a helper that writes env: env holds every global; pinned registers
// are reloaded (parked ones reload in unpark_pins).
void Compiler::drop_globals() {
  for (uint32_t t : globals_) {
    Temp& s = tmp_[t];
    s.mem_valid = true;
    if (s.pin >= 0) {
      if (s.reg >= 0) mov(R(s.pin), qword[rbp + b_.temps[t].env_offset]);
      s.dirty = false;
      continue;
    }
    unlink(t);
  }
}

void Compiler::spill_live_locals() {
  for (int r = 0; r < 16; r++)
    for (uint32_t t : regs_[r]) {
      Temp& s = tmp_[t];
      if (!is_global(t) && !is_const(t) && !s.mem_valid && s.last_use > idx_) {
        mov(mem_of(t), R(r));
        s.mem_valid = true;
        s.dirty = false;
      }
    }
}

void Compiler::forget_all() {
  for (int r = 0; r < 16; r++)
    if (!pinned_reg(r)) drop(r);
}

// Globals overlapping env bytes [off, off + size) before an ld_env/st_env:
// written back (so env is current); dropped from registers if the env op
// writes them.
void Compiler::sync_overlapping(int32_t off, int size, bool drop_them) {
  for (uint32_t t : globals_) {
    int32_t g = b_.temps[t].env_offset;
    if (!(g < off + size && off < g + 8)) continue;
    Temp& s = tmp_[t];
    if (s.reg < 0) continue;
    if (s.dirty) {
      mov(qword[rbp + g], R(s.reg));
      s.dirty = false;
      s.mem_valid = true;
    }
    if (drop_them && s.pin < 0) unlink(t);  // choose_pins: no pinned global overlaps
  }
}

}  // namespace mimic::backend::x64
