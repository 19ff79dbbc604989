// Jump threading: a branch to a label whose code is only `insn_start*; br L2`
// (a trampoline, as hot-region merging produces for every guest-block exit)
// goes straight to L2, and `brcond c, L1; insn_start*; br L2; set_label L1`
// becomes `brcond !c, L2; set_label L1` (the taken path falls through).
// Trampolines left without references become unreachable and
// eliminate_dead_code removes them.
//
// insn_start only records the pc of the next guest instruction, so skipping
// one is invisible when the new target is itself directly followed by an
// insn_start (possibly after other labels): nothing between them can fault
// or read the pc. Hops that would skip an insn_start to any other target are
// not taken. This also keeps the x86-64 JIT's static-pc analysis
// (Compiler::pcs_are_static) true where it was: every label a skipping
// branch reaches accepts any incoming pc.
#include <vector>

#include "ir/opt/opt.h"

namespace mimic::ir {

namespace {

bool is_brcond(Opcode o) { return o == Opcode::brcond_i32 || o == Opcode::brcond_i64; }

uint64_t target_of(const Op& op) { return op.opc == Opcode::br ? op.cst(0) : op.cst(1); }

void set_target(Op& op, uint64_t l) {
  op.args[op.opc == Opcode::br ? 0 : op.inf().n_out + op.inf().n_in + 1] = l;
}

class Threader {
 public:
  explicit Threader(Block& b) : b_(b), pos_(b.n_labels, SIZE_MAX) {
    for (size_t i = 0; i < b.ops.size(); i++)
      if (b.ops[i].opc == Opcode::set_label) pos_[b.ops[i].cst(0)] = i;
  }

  // The op at or after i that is not a set_label (SIZE_MAX: none).
  size_t skip_labels(size_t i) const {
    while (i < b_.ops.size() && b_.ops[i].opc == Opcode::set_label) i++;
    return i < b_.ops.size() ? i : SIZE_MAX;
  }

  // Control arriving at label l meets an insn_start before anything else.
  bool pc_fresh(uint64_t l) const {
    if (pos_[l] == SIZE_MAX) return false;
    const size_t i = skip_labels(pos_[l] + 1);
    return i != SIZE_MAX && b_.ops[i].opc == Opcode::insn_start;
  }

  // If ops from i on are `insn_start*; br L` (labels in between allowed
  // only when `labels_ok`), stores L and returns true; *skipped tells
  // whether an insn_start was passed and *br_at where the br is.
  bool trampoline_at(size_t i, bool labels_ok, uint64_t* l, bool* skipped, size_t* br_at) const {
    *skipped = false;
    for (; i < b_.ops.size(); i++) {
      const Op& op = b_.ops[i];
      if (op.opc == Opcode::insn_start)
        *skipped = true;
      else if (op.opc == Opcode::set_label && labels_ok)
        continue;
      else if (op.opc == Opcode::br) {
        *l = op.cst(0);
        *br_at = i;
        return true;
      } else {
        return false;
      }
    }
    return false;
  }

  // The final target of a branch to l through trampolines.
  uint64_t resolve(uint64_t l) const {
    for (int hops = 0; hops < 8 && pos_[l] != SIZE_MAX; hops++) {
      uint64_t next;
      bool skipped;
      size_t br_at;
      if (!trampoline_at(pos_[l] + 1, true, &next, &skipped, &br_at)) break;
      if (next == l || (skipped && !pc_fresh(next))) break;
      l = next;
    }
    return l;
  }

  bool run() {
    bool changed = false;
    for (Op& op : b_.ops) {
      if (op.opc != Opcode::br && !is_brcond(op.opc)) continue;
      const uint64_t l = resolve(target_of(op));
      if (l != target_of(op)) {
        set_target(op, l);
        changed = true;
      }
    }
    // brcond over an unconditional branch to the label right after.
    std::vector<uint8_t> keep(b_.ops.size(), 1);
    for (size_t i = 0; i < b_.ops.size(); i++) {
      Op& op = b_.ops[i];
      if (!is_brcond(op.opc)) continue;
      uint64_t l2;
      bool skipped;
      size_t br_at;
      if (!trampoline_at(i + 1, false, &l2, &skipped, &br_at)) continue;
      bool next_is_target = false;
      for (size_t k = br_at + 1; k < b_.ops.size() && b_.ops[k].opc == Opcode::set_label; k++)
        next_is_target |= b_.ops[k].cst(0) == op.cst(1);
      if (!next_is_target || (skipped && !pc_fresh(l2))) continue;
      const size_t c = op.inf().n_out + op.inf().n_in;
      op.args[c] = static_cast<uint64_t>(invert(static_cast<Cond>(op.cst(0))));
      op.args[c + 1] = l2;
      for (size_t k = i + 1; k <= br_at; k++) keep[k] = 0;
      i = br_at;
      changed = true;
    }
    if (changed) {
      size_t k = 0;
      for (size_t i = 0; i < b_.ops.size(); i++)
        if (keep[i]) b_.ops[k++] = b_.ops[i];
      b_.ops.resize(k);
    }
    return changed;
  }

 private:
  Block& b_;
  std::vector<size_t> pos_;
};

}  // namespace

void thread_jumps(Block& b) {
  for (int round = 0; round < 4; round++)
    if (!Threader(b).run()) break;
}

}  // namespace mimic::ir
