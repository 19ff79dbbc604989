#include "ir/ir.h"

#include <cstdio>
#include <cstdlib>

namespace mimic::ir {

const OpInfo kOpInfo[static_cast<int>(Opcode::kCount)] = {
#define OP(name, type, nout, nin, nconst, flags) \
  {#name, Type::type, nout, nin, nconst, static_cast<uint32_t>(flags)},
#include "ir/opcodes.inc"
#undef OP
};

// The table must describe ops that fit in Op::args.
#define OP(name, type, nout, nin, nconst, flags) \
  static_assert((nout) + (nin) + (nconst) <= kMaxArgs, #name " has too many arguments");
#include "ir/opcodes.inc"
#undef OP

const char* cond_name(Cond c) {
  static const char* const kNames[] = {"eq", "ne", "lt", "ge", "le", "gt", "ltu", "geu", "leu", "gtu"};
  auto i = static_cast<unsigned>(c);
  return i < sizeof(kNames) / sizeof(kNames[0]) ? kNames[i] : "?";
}

Cond invert(Cond c) {
  switch (c) {
    case Cond::EQ: return Cond::NE;
    case Cond::NE: return Cond::EQ;
    case Cond::LT: return Cond::GE;
    case Cond::GE: return Cond::LT;
    case Cond::LE: return Cond::GT;
    case Cond::GT: return Cond::LE;
    case Cond::LTU: return Cond::GEU;
    case Cond::GEU: return Cond::LTU;
    case Cond::LEU: return Cond::GTU;
    case Cond::GTU: return Cond::LEU;
  }
  return c;
}

const char* atomic_op_name(AtomicOp a) {
  static const char* const kNames[] = {"xchg", "add", "and", "or", "xor", "smin", "smax", "umin", "umax"};
  auto i = static_cast<unsigned>(a);
  return i < sizeof(kNames) / sizeof(kNames[0]) ? kNames[i] : "?";
}

}  // namespace mimic::ir

namespace mimic::ir {

Type arg_type(Opcode op, unsigned i) {
  switch (op) {
    case Opcode::extu_i32_i64:
    case Opcode::exts_i32_i64: return i == 0 ? Type::I64 : Type::I32;
    case Opcode::trunc_i64_i32: return i == 0 ? Type::I32 : Type::I64;
    case Opcode::ld_i32: return i == 0 ? Type::I32 : Type::I64;   // out, addr
    case Opcode::st_i32: return i == 0 ? Type::I32 : Type::I64;   // val, addr
    default: {
      Type t = info(op).type;
      return t == Type::X ? Type::I64 : t;
    }
  }
}

Op make_op(Opcode opc, std::initializer_list<uint32_t> temps, std::initializer_list<uint64_t> consts) {
  Op op{};
  op.opc = opc;
  const size_t n = temps.size() + consts.size();
  if (n > static_cast<size_t>(kMaxArgs)) {
    std::fprintf(stderr, "mimic: IR op %s with %zu arguments\n", info(opc).name, n);
    std::abort();
  }
  op.n_args = static_cast<uint8_t>(n);
  unsigned i = 0;
  for (uint32_t t : temps) op.args[i++] = t;
  for (uint64_t c : consts) op.args[i++] = c;
  return op;
}

}  // namespace mimic::ir
