#include "ir/builder.h"

#include <cstdio>
#include <cstdlib>

namespace mimic::ir {

uint32_t Builder::new_temp(Type t, TempKind k) {
  TempInfo ti{};
  ti.type = t;
  ti.kind = k;
  b_.temps.push_back(std::move(ti));
  return static_cast<uint32_t>(b_.temps.size() - 1);
}

I64 Builder::global(int32_t env_offset, const char* name) {
  auto it = globals_.find(env_offset);
  if (it != globals_.end()) return I64{it->second};
  uint32_t idx = new_temp(Type::I64, TempKind::Global);
  b_.temps[idx].env_offset = env_offset;
  b_.temps[idx].name = name ? name : "";
  globals_.emplace(env_offset, idx);
  return I64{idx};
}

I32 Builder::new_i32() { return I32{new_temp(Type::I32, TempKind::Local)}; }
I64 Builder::new_i64() { return I64{new_temp(Type::I64, TempKind::Local)}; }

I32 Builder::const_i32(uint32_t v) {
  auto it = consts32_.find(v);
  if (it != consts32_.end()) return I32{it->second};
  uint32_t idx = new_temp(Type::I32, TempKind::Const);
  b_.temps[idx].value = v;
  consts32_.emplace(v, idx);
  return I32{idx};
}

I64 Builder::const_i64(uint64_t v) {
  auto it = consts64_.find(v);
  if (it != consts64_.end()) return I64{it->second};
  uint32_t idx = new_temp(Type::I64, TempKind::Const);
  b_.temps[idx].value = v;
  consts64_.emplace(v, idx);
  return I64{idx};
}

I32 Builder::setcond(Cond c, I32 a, I32 b) {
  I32 d = new_i32();
  emit(Opcode::setcond_i32, {d.idx, a.idx, b.idx}, {static_cast<uint64_t>(c)});
  return d;
}
I64 Builder::setcond(Cond c, I64 a, I64 b) {
  I64 d = new_i64();
  emit(Opcode::setcond_i64, {d.idx, a.idx, b.idx}, {static_cast<uint64_t>(c)});
  return d;
}
I32 Builder::movcond(Cond c, I32 a, I32 b, I32 t, I32 f) {
  I32 d = new_i32();
  emit(Opcode::movcond_i32, {d.idx, a.idx, b.idx, t.idx, f.idx}, {static_cast<uint64_t>(c)});
  return d;
}
I64 Builder::movcond(Cond c, I64 a, I64 b, I64 t, I64 f) {
  I64 d = new_i64();
  emit(Opcode::movcond_i64, {d.idx, a.idx, b.idx, t.idx, f.idx}, {static_cast<uint64_t>(c)});
  return d;
}

I64 Builder::extu(I32 a) {
  I64 d = new_i64();
  emit(Opcode::extu_i32_i64, {d.idx, a.idx});
  return d;
}
I64 Builder::exts(I32 a) {
  I64 d = new_i64();
  emit(Opcode::exts_i32_i64, {d.idx, a.idx});
  return d;
}
I32 Builder::trunc(I64 a) {
  I32 d = new_i32();
  emit(Opcode::trunc_i64_i32, {d.idx, a.idx});
  return d;
}

I32 Builder::ld32(I64 addr, MemOp m) {
  I32 d = new_i32();
  emit(Opcode::ld_i32, {d.idx, addr.idx}, {m.encode()});
  return d;
}
I64 Builder::ld(I64 addr, MemOp m) {
  I64 d = new_i64();
  emit(Opcode::ld_i64, {d.idx, addr.idx}, {m.encode()});
  return d;
}

I64 Builder::atomic_rmw(AtomicOp op, I64 addr, I64 val, MemOp m) {
  I64 d = new_i64();
  emit(Opcode::atomic_rmw_i64, {d.idx, addr.idx, val.idx},
       {m.encode(), static_cast<uint64_t>(op)});
  return d;
}
I64 Builder::atomic_cmpxchg(I64 addr, I64 cmp, I64 newv, MemOp m) {
  I64 d = new_i64();
  emit(Opcode::atomic_cmpxchg_i64, {d.idx, addr.idx, cmp.idx, newv.idx}, {m.encode()});
  return d;
}

I64 Builder::ld_env(int32_t off) {
  I64 d = new_i64();
  emit(Opcode::ld_env_i64, {d.idx}, {static_cast<uint64_t>(off)});
  return d;
}
I32 Builder::ld_env32(int32_t off) {
  I32 d = new_i32();
  emit(Opcode::ld_env_i32, {d.idx}, {static_cast<uint64_t>(off)});
  return d;
}

I64 Builder::call(uint32_t helper, std::initializer_list<I64> args) {
  if (args.size() > 4) {
    std::fprintf(stderr, "mimic: IR call with %zu arguments (max 4)\n", args.size());
    std::abort();
  }
  if (zero64_.idx == UINT32_MAX) zero64_ = const_i64(0);
  uint32_t a[4] = {zero64_.idx, zero64_.idx, zero64_.idx, zero64_.idx};
  unsigned i = 0;
  for (I64 v : args) a[i++] = v.idx;
  I64 d = new_i64();
  emit(Opcode::call, {d.idx, a[0], a[1], a[2], a[3]}, {helper});
  return d;
}

void Builder::emit(Opcode opc, std::initializer_list<uint32_t> temps,
                   std::initializer_list<uint64_t> consts) {
  b_.ops.push_back(make_op(opc, temps, consts));
}

}  // namespace mimic::ir
