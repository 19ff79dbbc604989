#include "ir/liveness.h"

#include <algorithm>

namespace mimic::ir {

namespace {
bool ends_bb(const Op& op) { return (op.inf().flags & (kBranch | kEndsBlock)) != 0; }
}  // namespace

LabelLiveness::LabelLiveness(const Block& b) {
  const size_t n_ops = b.ops.size();
  words_ = (b.temps.size() + 63) / 64;
  label_bb_.assign(b.n_labels, UINT32_MAX);
  // Basic blocks: [start[i], start[i + 1]).
  std::vector<uint32_t> start;
  for (uint32_t i = 0; i < n_ops; i++) {
    const Op& op = b.ops[i];
    if (i == 0 || op.opc == Opcode::set_label || ends_bb(b.ops[i - 1]))
      start.push_back(i);
    if (op.opc == Opcode::set_label && op.cst(0) < b.n_labels)
      label_bb_[op.cst(0)] = static_cast<uint32_t>(start.size() - 1);
  }
  const size_t n_bb = start.size();
  start.push_back(static_cast<uint32_t>(n_ops));
  std::vector<uint64_t> use(n_bb * words_, 0), def(n_bb * words_, 0);
  live_in_.assign(n_bb * words_, 0);
  std::vector<uint32_t> succ(n_bb * 2, UINT32_MAX);
  auto is_local = [&](uint64_t t) { return t < b.temps.size() && b.temps[t].kind == TempKind::Local; };
  for (uint32_t k = 0; k < n_bb; k++) {
    uint64_t* u = &use[k * words_];
    uint64_t* d = &def[k * words_];
    for (uint32_t i = start[k]; i < start[k + 1]; i++) {
      const Op& op = b.ops[i];
      const OpInfo& in = op.inf();
      for (int a = in.n_out; a < in.n_out + in.n_in; a++) {
        const uint64_t t = op.args[a];
        if (is_local(t) && !(d[t / 64] >> (t % 64) & 1)) u[t / 64] |= uint64_t{1} << (t % 64);
      }
      for (int a = 0; a < in.n_out; a++) {
        const uint64_t t = op.args[a];
        if (is_local(t)) d[t / 64] |= uint64_t{1} << (t % 64);
      }
    }
    const Op& last = b.ops[start[k + 1] - 1];
    const bool next = k + 1 < n_bb;
    auto label_of = [&](uint64_t l) { return l < b.n_labels ? label_bb_[l] : UINT32_MAX; };
    if (last.opc == Opcode::br) {
      succ[2 * k] = label_of(last.cst(0));
    } else if (last.opc == Opcode::brcond_i32 || last.opc == Opcode::brcond_i64) {
      succ[2 * k] = label_of(last.cst(1));
      if (next) succ[2 * k + 1] = k + 1;
    } else if (!(last.inf().flags & kEndsBlock) && next) {
      succ[2 * k] = k + 1;
    }
  }
  std::vector<uint64_t> out(words_);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t k = n_bb; k-- > 0;) {
      std::fill(out.begin(), out.end(), 0);
      for (int s = 0; s < 2; s++) {
        const uint32_t t = succ[2 * k + s];
        if (t == UINT32_MAX) continue;
        for (size_t w = 0; w < words_; w++) out[w] |= live_in_[t * words_ + w];
      }
      for (size_t w = 0; w < words_; w++) {
        const uint64_t v = use[k * words_ + w] | (out[w] & ~def[k * words_ + w]);
        if (v != live_in_[k * words_ + w]) {
          live_in_[k * words_ + w] = v;
          changed = true;
        }
      }
    }
  }
}

bool LabelLiveness::live_at(uint32_t label, uint32_t t) const {
  if (label >= label_bb_.size() || label_bb_[label] == UINT32_MAX || t / 64 >= words_) return false;
  return (live_in_[label_bb_[label] * words_ + t / 64] >> (t % 64) & 1) != 0;
}

}  // namespace mimic::ir
