// On-the-fly register allocation (see compiler.h for the model).
#include "backend/x86_64/compiler.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;

namespace {
Xbyak::Reg64 R(int r) { return Xbyak::Reg64(r); }
}  // namespace

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

void Compiler::drop(int r) {
  int32_t t = reg_temp_[r];
  if (t < 0) return;
  tmp_[t].reg = -1;
  tmp_[t].dirty = false;
  reg_temp_[r] = -1;
}

void Compiler::evict(int r) {
  int32_t t = reg_temp_[r];
  if (t < 0) return;
  to_memory(static_cast<uint32_t>(t));
  drop(r);
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
    if (lock & (1u << r)) continue;
    int32_t t = reg_temp_[r];
    if (t < 0) return r;
    int cost = is_const(t) ? 0 : !tmp_[t].dirty ? 1 : is_global(t) ? 2 : 3;
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
    s.reg = static_cast<int8_t>(r);
    s.dirty = false;
    reg_temp_[r] = static_cast<int32_t>(t);
  }
  *lock |= 1u << s.reg;
  return s.reg;
}

void Compiler::bind(uint32_t t, int r) {
  Temp& s = tmp_[t];
  if (s.reg >= 0 && s.reg != r) reg_temp_[s.reg] = -1;
  if (reg_temp_[r] >= 0 && reg_temp_[r] != static_cast<int32_t>(t)) {
    Temp& old = tmp_[reg_temp_[r]];
    old.reg = -1;
    old.dirty = false;
  }
  reg_temp_[r] = static_cast<int32_t>(t);
  s.reg = static_cast<int8_t>(r);
  s.dirty = true;
  s.mem_valid = false;
}

// The register that will receive `out = f(a, ...)` computed in place from a
// copy of a (already in ra): a's own register when out is a, or when a is a
// local or constant that dies here; otherwise a fresh register holding a copy.
int Compiler::dest_for(uint32_t out, uint32_t a, int ra, uint32_t* lock) {
  if (out == a) return ra;
  if (!is_global(a) && tmp_[a].last_use <= idx_) {
    // a is dead after this op: take its register (bind() unlinks it). Its
    // spill slot, if any, is released by free_dead().
    return ra;
  }
  int rd = alloc(*lock);
  mov(R(rd), R(ra));
  *lock |= 1u << rd;
  return rd;
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
    if (s.reg >= 0 && reg_temp_[s.reg] == static_cast<int32_t>(t)) reg_temp_[s.reg] = -1;
    s.reg = -1;
    s.dirty = false;
    s.mem_valid = false;
    if (s.slot >= 0) slot_used_[s.slot] = 0;
    s.slot = -1;
  }
}

void Compiler::write_back_globals() {
  for (int r = 0; r < 16; r++) {
    int32_t t = reg_temp_[r];
    if (t >= 0 && is_global(t) && tmp_[t].dirty) {
      mov(qword[rbp + b_.temps[t].env_offset], R(r));
      tmp_[t].dirty = false;
      tmp_[t].mem_valid = true;
    }
  }
}

void Compiler::drop_globals() {
  for (int r = 0; r < 16; r++)
    if (reg_temp_[r] >= 0 && is_global(reg_temp_[r])) {
      tmp_[reg_temp_[r]].mem_valid = true;
      drop(r);
    }
}

void Compiler::spill_live_locals() {
  for (int r = 0; r < 16; r++) {
    int32_t t = reg_temp_[r];
    if (t >= 0 && !is_global(t) && !is_const(t) && !tmp_[t].mem_valid && tmp_[t].last_use > idx_) {
      mov(mem_of(t), R(r));
      tmp_[t].mem_valid = true;
      tmp_[t].dirty = false;
    }
  }
}

void Compiler::forget_all() {
  for (int r = 0; r < 16; r++) drop(r);
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
    if (drop_them) drop(s.reg);
  }
}

}  // namespace mimic::backend::x64
