#pragma once
// The builder through which guest translators emit IR into a Block.
// Every emitting method returns fresh temporaries (SSA-like locals) except
// the explicit moves into globals; globals are declared once per block.
#include <cassert>
#include <initializer_list>
#include <unordered_map>

#include "ir/ir.h"

namespace mimic::ir {

class Builder {
 public:
  explicit Builder(Block& block) : b_(block) {}
  Block& block() { return b_; }

  // --- temporaries ---
  I64 global(int32_t env_offset, const char* name);  // cached per offset
  I32 new_i32();
  I64 new_i64();
  I32 const_i32(uint32_t v);
  I64 const_i64(uint64_t v);
  Label new_label() { return Label{b_.n_labels++}; }

  // --- moves ---
  void mov(I32 dst, I32 src) { emit(Opcode::mov_i32, {dst.idx, src.idx}); }
  void mov(I64 dst, I64 src) { emit(Opcode::mov_i64, {dst.idx, src.idx}); }

  // --- arithmetic: binary ops on the same type ---
#define MIMIC_BIN(method, name_)                                                \
  I32 method(I32 a, I32 b) { return bin32(Opcode::name_##i32, a, b); }          \
  I64 method(I64 a, I64 b) { return bin64(Opcode::name_##i64, a, b); }
  MIMIC_BIN(add, add_)
  MIMIC_BIN(sub, sub_)
  MIMIC_BIN(mul, mul_)
  MIMIC_BIN(mulsh, mulsh_)
  MIMIC_BIN(muluh, muluh_)
  MIMIC_BIN(div, div_)
  MIMIC_BIN(divu, divu_)
  MIMIC_BIN(rem, rem_)
  MIMIC_BIN(remu, remu_)
  MIMIC_BIN(and_, and_)
  MIMIC_BIN(or_, or_)
  MIMIC_BIN(xor_, xor_)
  MIMIC_BIN(andc, andc_)
  MIMIC_BIN(orc, orc_)
  MIMIC_BIN(eqv, eqv_)
  MIMIC_BIN(shl, shl_)
  MIMIC_BIN(shr, shr_)
  MIMIC_BIN(sar, sar_)
  MIMIC_BIN(rotl, rotl_)
  MIMIC_BIN(rotr, rotr_)
#undef MIMIC_BIN
#define MIMIC_UN(method, name_)                                               \
  I32 method(I32 a) { return un32(Opcode::name_##i32, a); }                 \
  I64 method(I64 a) { return un64(Opcode::name_##i64, a); }
  MIMIC_UN(neg, neg_)
  MIMIC_UN(not_, not_)
  MIMIC_UN(clz, clz_)
  MIMIC_UN(ctz, ctz_)
  MIMIC_UN(ctpop, ctpop_)
  MIMIC_UN(bswap, bswap_)
  MIMIC_UN(ext8s, ext8s_)
  MIMIC_UN(ext8u, ext8u_)
  MIMIC_UN(ext16s, ext16s_)
  MIMIC_UN(ext16u, ext16u_)
#undef MIMIC_UN
  I64 ext32s(I64 a) { return un64(Opcode::ext32s_i64, a); }
  I64 ext32u(I64 a) { return un64(Opcode::ext32u_i64, a); }

  I32 setcond(Cond c, I32 a, I32 b);
  I64 setcond(Cond c, I64 a, I64 b);
  I32 movcond(Cond c, I32 a, I32 b, I32 t, I32 f);
  I64 movcond(Cond c, I64 a, I64 b, I64 t, I64 f);

  // --- width changes ---
  I64 extu(I32 a);
  I64 exts(I32 a);
  I32 trunc(I64 a);

  // --- control flow ---
  void set_label(Label l) { emit(Opcode::set_label, {}, {l.id}); }
  void br(Label l) { emit(Opcode::br, {}, {l.id}); }
  void brcond(Cond c, I32 a, I32 b, Label l) {
    emit(Opcode::brcond_i32, {a.idx, b.idx}, {static_cast<uint64_t>(c), l.id});
  }
  void brcond(Cond c, I64 a, I64 b, Label l) {
    emit(Opcode::brcond_i64, {a.idx, b.idx}, {static_cast<uint64_t>(c), l.id});
  }

  // --- guest memory ---
  I32 ld32(I64 addr, MemOp m);
  I64 ld(I64 addr, MemOp m);
  void st(I32 val, I64 addr, MemOp m) {
    emit(Opcode::st_i32, {val.idx, addr.idx}, {m.encode()});
  }
  void st(I64 val, I64 addr, MemOp m) {
    emit(Opcode::st_i64, {val.idx, addr.idx}, {m.encode()});
  }
  I64 atomic_rmw(AtomicOp op, I64 addr, I64 val, MemOp m);
  I64 atomic_cmpxchg(I64 addr, I64 cmp, I64 newv, MemOp m);
  void mb() { emit(Opcode::mb, {}); }

  // --- CPU state by offset ---
  I64 ld_env(int32_t off);
  void st_env(int32_t off, I64 v) {
    emit(Opcode::st_env_i64, {v.idx}, {static_cast<uint64_t>(off)});
  }
  I32 ld_env32(int32_t off);
  void st_env32(int32_t off, I32 v) {
    emit(Opcode::st_env_i32, {v.idx}, {static_cast<uint64_t>(off)});
  }

  // --- helpers (ir/helper.h); missing arguments are 0 ---
  I64 call(uint32_t helper, std::initializer_list<I64> args = {});

  // --- instruction boundaries and exits ---
  void insn_start(uint64_t pc) { emit(Opcode::insn_start, {}, {pc}); }
  void goto_tb(unsigned slot, uint64_t target) { emit(Opcode::goto_tb, {}, {slot, target}); }
  void goto_ptr() { emit(Opcode::goto_ptr, {}); }
  void exit_tb(uint64_t code) { emit(Opcode::exit_tb, {}, {code}); }

  // Raw emission: temps (outputs then inputs) and constants.
  void emit(Opcode opc, std::initializer_list<uint32_t> temps,
            std::initializer_list<uint64_t> consts = {});

 private:
  I32 bin32(Opcode opc, I32 a, I32 b) {
    I32 d = new_i32();
    emit(opc, {d.idx, a.idx, b.idx});
    return d;
  }
  I64 bin64(Opcode opc, I64 a, I64 b) {
    I64 d = new_i64();
    emit(opc, {d.idx, a.idx, b.idx});
    return d;
  }
  I32 un32(Opcode opc, I32 a) {
    I32 d = new_i32();
    emit(opc, {d.idx, a.idx});
    return d;
  }
  I64 un64(Opcode opc, I64 a) {
    I64 d = new_i64();
    emit(opc, {d.idx, a.idx});
    return d;
  }
  uint32_t new_temp(Type t, TempKind k);

  Block& b_;
  std::unordered_map<int32_t, uint32_t> globals_;
  std::unordered_map<uint64_t, uint32_t> consts64_, consts32_;
  I64 zero64_{UINT32_MAX};
};

}  // namespace mimic::ir
