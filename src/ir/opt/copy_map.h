#pragma once
// Facts "temp d currently equals temp s" for one straight-line region, shared
// by copy propagation and constant folding. The owner forgets everything at
// set_label and after br / block exits; kill(t) when t is written;
// kill_globals() when env may change behind the IR's back (helpers that
// write env, st_env).
#include <vector>

#include "ir/helper.h"
#include "ir/ir.h"

namespace mimic::ir {

class CopyMap {
 public:
  explicit CopyMap(const Block& b) : b_(b), src_(b.temps.size()) {
    for (uint32_t i = 0; i < src_.size(); i++) src_[i] = i;
  }
  uint32_t get(uint32_t t) const { return t < src_.size() ? src_[t] : t; }
  void set(uint32_t d, uint32_t s) {
    if (d >= src_.size()) return;
    src_[d] = s;
    active_.push_back(d);
  }
  void kill(uint32_t t) {
    if (t < src_.size()) src_[t] = t;
    for (uint32_t d : active_)
      if (src_[d] == t) src_[d] = d;
    compact();
  }
  void kill_globals() {
    for (uint32_t d : active_)
      if (is_global(d) || is_global(src_[d])) src_[d] = d;
    compact();
  }
  void clear() {
    for (uint32_t d : active_) src_[d] = d;
    active_.clear();
  }

  // Applies the region rules for `op` before its inputs are read: set_label
  // forgets everything. Returns false for set_label (nothing else to do).
  bool enter(const Op& op) {
    if (op.opc == Opcode::set_label) {
      clear();
      return false;
    }
    return true;
  }
  // Applies the effects of `op` after its inputs were rewritten.
  void leave(const Op& op) {
    const OpInfo& in = op.inf();
    if (op.opc == Opcode::call) {
      if (helper(static_cast<uint32_t>(op.cst(0))).flags & kHelperWritesEnv) kill_globals();
    } else if (op.opc == Opcode::st_env_i64 || op.opc == Opcode::st_env_i32) {
      kill_globals();  // may alias a global's slot
    }
    for (int i = 0; i < in.n_out; i++) kill(op.out(i));
    if (op.opc == Opcode::br || (in.flags & kEndsBlock)) clear();
  }

 private:
  bool is_global(uint32_t t) const { return b_.temps[t].kind == TempKind::Global; }
  void compact() {
    size_t k = 0;
    for (uint32_t d : active_)
      if (src_[d] != d) active_[k++] = d;
    active_.resize(k);
  }
  const Block& b_;
  std::vector<uint32_t> src_;
  std::vector<uint32_t> active_;
};

}  // namespace mimic::ir
