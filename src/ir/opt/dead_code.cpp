// Dead-code elimination: drops ops that cannot run (after br or a block exit,
// up to the next label), labels nothing branches to, and value ops whose
// outputs are locals never read afterwards. Never removes writes to globals,
// memory ops, env stores, or calls to helpers that are not kHelperPure.
//
// Liveness is computed backwards over the op list. Locals live across labels,
// so at a branch every local read anywhere in the block is assumed live (its
// target may read it); at a block exit no local is live.
#include <vector>

#include "ir/eval.h"
#include "ir/helper.h"
#include "ir/opt/opt.h"

namespace mimic::ir {

namespace {

bool removable(const Op& op) {
  if (eval::is_pure(op.opc)) return true;
  switch (op.opc) {
    case Opcode::ld_env_i64:
    case Opcode::ld_env_i32:
      return true;
    case Opcode::call:
      return (helper(static_cast<uint32_t>(op.cst(0))).flags & kHelperPure) != 0;
    default:
      return false;
  }
}

bool is_mov(Opcode o) { return o == Opcode::mov_i32 || o == Opcode::mov_i64; }

// One sweep of remove_unreachable.
bool remove_unreachable_once(Block& b) {
  std::vector<uint8_t> referenced(b.n_labels, 0);
  for (const Op& op : b.ops) {
    if (op.opc == Opcode::br) referenced[op.cst(0)] = 1;
    if (op.opc == Opcode::brcond_i32 || op.opc == Opcode::brcond_i64) referenced[op.cst(1)] = 1;
  }
  bool dead = false;
  size_t k = 0;
  for (size_t i = 0; i < b.ops.size(); i++) {
    const Op& op = b.ops[i];
    if (op.opc == Opcode::set_label) {
      if (!referenced[op.cst(0)]) continue;  // nothing jumps here; fallthrough unaffected
      dead = false;
    }
    if (dead) continue;
    // A branch to the label that immediately follows is a no-op.
    if (op.opc == Opcode::br && i + 1 < b.ops.size() && b.ops[i + 1].opc == Opcode::set_label &&
        b.ops[i + 1].cst(0) == op.cst(0))
      continue;
    b.ops[k++] = op;
    if (op.opc == Opcode::br || (op.inf().flags & kEndsBlock)) dead = true;
  }
  bool changed = k != b.ops.size();
  b.ops.resize(k);
  return changed;
}

// Removes unreachable ops and unreferenced labels; returns true if changed.
// Repeats because removing dead code can unreference more labels.
bool remove_unreachable(Block& b) {
  bool changed = false;
  while (remove_unreachable_once(b)) changed = true;
  return changed;
}

bool remove_dead_values(Block& b) {
  const size_t n = b.temps.size();
  std::vector<uint8_t> used_anywhere(n, 0), live(n, 0);
  for (const Op& op : b.ops) {
    const OpInfo& in = op.inf();
    for (int i = in.n_out; i < in.n_out + in.n_in; i++) used_anywhere[op.args[i]] = 1;
  }
  auto is_local = [&](uint64_t t) { return b.temps[t].kind == TempKind::Local; };
  std::vector<uint8_t> keep(b.ops.size(), 1);
  bool changed = false;
  for (size_t i = b.ops.size(); i-- > 0;) {
    const Op& op = b.ops[i];
    const OpInfo& in = op.inf();
    if (in.flags & kEndsBlock) std::fill(live.begin(), live.end(), 0);
    if (in.flags & kBranch) {
      for (size_t t = 0; t < n; t++) live[t] |= used_anywhere[t];
    }
    bool dead = false;
    if (is_mov(op.opc) && op.out(0) == op.in(0)) {
      dead = true;
    } else if (removable(op)) {
      dead = true;
      for (int j = 0; j < in.n_out; j++)
        if (!is_local(op.args[j]) || live[op.args[j]]) dead = false;
    }
    if (dead) {
      keep[i] = 0;
      changed = true;
      continue;
    }
    for (int j = 0; j < in.n_out; j++) live[op.args[j]] = 0;
    for (int j = in.n_out; j < in.n_out + in.n_in; j++)
      if (is_local(op.args[j])) live[op.args[j]] = 1;
  }
  if (changed) {
    size_t k = 0;
    for (size_t i = 0; i < b.ops.size(); i++)
      if (keep[i]) b.ops[k++] = b.ops[i];
    b.ops.resize(k);
  }
  return changed;
}

}  // namespace

void eliminate_dead_code(Block& b) {
  for (int round = 0; round < 4; round++) {
    bool changed = remove_unreachable(b);
    changed |= remove_dead_values(b);
    if (!changed) break;
  }
}

}  // namespace mimic::ir
