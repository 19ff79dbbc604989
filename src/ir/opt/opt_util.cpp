#include "ir/opt/opt.h"

namespace mimic::ir {

ConstPool::ConstPool(Block& b) : b_(b) {
  for (size_t i = 0; i < b.temps.size(); i++) {
    const TempInfo& ti = b.temps[i];
    if (ti.kind != TempKind::Const) continue;
    (ti.type == Type::I32 ? c32_ : c64_).emplace(ti.value, static_cast<uint32_t>(i));
  }
}

uint32_t ConstPool::get(Type t, uint64_t v) {
  if (t == Type::I32) v = static_cast<uint32_t>(v);
  auto& m = t == Type::I32 ? c32_ : c64_;
  auto it = m.find(v);
  if (it != m.end()) return it->second;
  TempInfo ti{};
  ti.type = t;
  ti.kind = TempKind::Const;
  ti.value = v;
  b_.temps.push_back(std::move(ti));
  auto idx = static_cast<uint32_t>(b_.temps.size() - 1);
  m.emplace(v, idx);
  return idx;
}

}  // namespace mimic::ir
