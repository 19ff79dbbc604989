#include "ir/merge.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace mimic::ir {

BlockMerger::BlockMerger(Block& dst) : dst_(dst) {
  for (uint32_t t = 0; t < dst.temps.size(); t++) {
    const TempInfo& ti = dst.temps[t];
    if (ti.kind == TempKind::Global) globals_.emplace(ti.env_offset, t);
    else if (ti.kind == TempKind::Const) (ti.type == Type::I32 ? c32_ : c64_).emplace(ti.value, t);
  }
}

uint32_t BlockMerger::global(int32_t env_offset, const std::string& name) {
  auto it = globals_.find(env_offset);
  if (it != globals_.end()) return it->second;
  TempInfo ti{};
  ti.type = Type::I64;
  ti.kind = TempKind::Global;
  ti.env_offset = env_offset;
  ti.name = name;
  dst_.temps.push_back(std::move(ti));
  const auto idx = static_cast<uint32_t>(dst_.temps.size() - 1);
  globals_.emplace(env_offset, idx);
  return idx;
}

uint32_t BlockMerger::constant(Type t, uint64_t v) {
  if (t == Type::I32) v = static_cast<uint32_t>(v);
  auto& pool = t == Type::I32 ? c32_ : c64_;
  auto it = pool.find(v);
  if (it != pool.end()) return it->second;
  TempInfo ti{};
  ti.type = t;
  ti.kind = TempKind::Const;
  ti.value = v;
  dst_.temps.push_back(std::move(ti));
  const auto idx = static_cast<uint32_t>(dst_.temps.size() - 1);
  pool.emplace(v, idx);
  return idx;
}

uint32_t BlockMerger::local(Type t) {
  TempInfo ti{};
  ti.type = t;
  ti.kind = TempKind::Local;
  dst_.temps.push_back(std::move(ti));
  return static_cast<uint32_t>(dst_.temps.size() - 1);
}

void BlockMerger::emit(Opcode opc, std::initializer_list<uint32_t> temps,
                       std::initializer_list<uint64_t> consts) {
  dst_.ops.push_back(make_op(opc, temps, consts));
}

size_t BlockMerger::append(const Block& src, const Rewrite& rewrite) {
  // Memory model (same for all blocks merged: same translation flags) and
  // the second page any of them extends into (system mode, exec/region.h).
  dst_.mmu_idx = src.mmu_idx;
  if (src.phys_page2 != ~uint64_t{0}) dst_.phys_page2 = src.phys_page2;
  std::vector<uint32_t> map(src.temps.size());
  for (uint32_t t = 0; t < src.temps.size(); t++) {
    const TempInfo& ti = src.temps[t];
    switch (ti.kind) {
      case TempKind::Global: map[t] = global(ti.env_offset, ti.name); break;
      case TempKind::Const: map[t] = constant(ti.type, ti.value); break;
      case TempKind::Local: map[t] = local(ti.type); break;
    }
  }
  const uint32_t label_base = dst_.n_labels;
  dst_.n_labels += src.n_labels;
  const size_t first = dst_.ops.size();
  dst_.ops.reserve(first + src.ops.size());
  for (Op op : src.ops) {
    const OpInfo& in = op.inf();
    for (int k = 0; k < in.n_out + in.n_in; k++) op.args[k] = map[op.args[k]];
    switch (op.opc) {
      case Opcode::set_label:
      case Opcode::br:
        op.args[in.n_out + in.n_in] += label_base;
        break;
      case Opcode::brcond_i32:
      case Opcode::brcond_i64:
        op.args[in.n_out + in.n_in + 1] += label_base;
        break;
      default:
        break;
    }
    if (rewrite && rewrite(op, *this)) continue;
    dst_.ops.push_back(op);
  }
  return first;
}

}  // namespace mimic::ir
