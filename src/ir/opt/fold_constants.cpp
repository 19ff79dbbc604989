// Constant folding and propagation, in one forward pass: temps known to hold
// a constant (within a straight-line region, same rules as copy propagation)
// are replaced by that constant; pure ops whose inputs are all constants
// become moves of the value computed by ir::eval (the interpreter's own
// semantics); conditional branches on constants become `br` or disappear. A
// few identities (x+0, x*1, x&-1, x&0 ...) turn into moves as well.
#include <optional>

#include "ir/opt/copy_map.h"

#include "ir/eval.h"
#include "ir/opt/opt.h"

namespace mimic::ir {

namespace {

Opcode mov_for(Type t) { return t == Type::I32 ? Opcode::mov_i32 : Opcode::mov_i64; }

void make_mov(Op& op, Type t, uint32_t dst, uint32_t src) {
  op.opc = mov_for(t);
  op.n_args = 2;
  op.args[0] = dst;
  op.args[1] = src;
  for (int i = 2; i < kMaxArgs; i++) op.args[i] = 0;
}

// Identities with one constant operand: returns the temp the result equals
// (an input, or a new constant), if any.
std::optional<uint32_t> simplify(Block& b, ConstPool& pool, const Op& op, Type t) {
  auto is_const = [&](uint32_t x) { return b.temps[x].kind == TempKind::Const; };
  const uint64_t ones = t == Type::I32 ? 0xffffffffull : ~0ull;
  uint32_t x = op.in(0), y = op.in(1);
  switch (op.opc) {
    case Opcode::add_i32: case Opcode::add_i64:
    case Opcode::or_i32: case Opcode::or_i64:
    case Opcode::xor_i32: case Opcode::xor_i64:
      if (is_const(y) && b.temps[y].value == 0) return x;
      if (is_const(x) && b.temps[x].value == 0) return y;
      break;
    case Opcode::sub_i32: case Opcode::sub_i64:
    case Opcode::shl_i32: case Opcode::shl_i64:
    case Opcode::shr_i32: case Opcode::shr_i64:
    case Opcode::sar_i32: case Opcode::sar_i64:
    case Opcode::rotl_i32: case Opcode::rotl_i64:
    case Opcode::rotr_i32: case Opcode::rotr_i64:
      if (is_const(y) && b.temps[y].value == 0) return x;
      break;
    case Opcode::mul_i32: case Opcode::mul_i64:
      if (is_const(y) && b.temps[y].value == 1) return x;
      if (is_const(x) && b.temps[x].value == 1) return y;
      if ((is_const(y) && b.temps[y].value == 0) || (is_const(x) && b.temps[x].value == 0))
        return pool.get(t, 0);
      break;
    case Opcode::and_i32: case Opcode::and_i64:
      if (is_const(y) && b.temps[y].value == ones) return x;
      if (is_const(x) && b.temps[x].value == ones) return y;
      if ((is_const(y) && b.temps[y].value == 0) || (is_const(x) && b.temps[x].value == 0))
        return pool.get(t, 0);
      break;
    case Opcode::movcond_i32: case Opcode::movcond_i64:
      if (op.in(2) == op.in(3)) return op.in(2);
      break;
    default:
      break;
  }
  return std::nullopt;
}

void fold_op(Block& b, ConstPool& pool, Op& op, bool& removed);

}  // namespace

void fold_constants(Block& b) {
  bool removed = false;
  CopyMap known(b);  // temp -> constant temp holding its value
  ConstPool pool(b);
  for (Op& op : b.ops) {
    if (!known.enter(op)) continue;
    const OpInfo& in = op.inf();
    auto is_const = [&](uint32_t x) { return b.temps[x].kind == TempKind::Const; };
    for (int i = in.n_out; i < in.n_out + in.n_in; i++)
      op.args[i] = known.get(static_cast<uint32_t>(op.args[i]));
    fold_op(b, pool, op, removed);
    if (op.opc == Opcode::kCount) continue;  // branch never taken, dropped
    known.leave(op);
    if ((op.opc == Opcode::mov_i32 || op.opc == Opcode::mov_i64) && is_const(op.in(0)))
      known.set(op.out(0), op.in(0));
  }
  if (removed) std::erase_if(b.ops, [](const Op& op) { return op.opc == Opcode::kCount; });
}

namespace {
// Folds one op whose inputs have been rewritten to known constants.
void fold_op(Block& b, ConstPool& pool, Op& op, bool& removed) {
  {
    const OpInfo& in = op.inf();
    auto is_const = [&](uint32_t x) { return b.temps[x].kind == TempKind::Const; };
    if (eval::is_pure(op.opc)) {
      bool all_const = true;
      uint64_t v[4] = {0, 0, 0, 0};
      for (int i = 0; i < in.n_in; i++) {
        uint32_t t = op.in(i);
        if (!is_const(t)) {
          all_const = false;
          break;
        }
        v[i] = b.temps[t].value;
      }
      Type out_t = arg_type(op.opc, 0);
      uint32_t dst = op.out(0);
      if (all_const) {
        uint64_t k = in.n_const ? op.cst(0) : 0;
        uint64_t r = eval::eval_pure(op.opc, v[0], v[1], v[2], v[3], k);
        make_mov(op, out_t, dst, pool.get(out_t, r));
      } else if (auto same = simplify(b, pool, op, out_t)) {
        make_mov(op, out_t, dst, *same);
      }
      return;
    }
    if ((op.opc == Opcode::brcond_i32 || op.opc == Opcode::brcond_i64) && is_const(op.in(0)) &&
        is_const(op.in(1))) {
      uint64_t a = b.temps[op.in(0)].value, c = b.temps[op.in(1)].value;
      bool taken = op.opc == Opcode::brcond_i32
                       ? eval::compare<uint32_t>(op.cst(0), static_cast<uint32_t>(a), static_cast<uint32_t>(c))
                       : eval::compare<uint64_t>(op.cst(0), a, c);
      if (taken) {
        uint64_t label = op.cst(1);
        op = Op{};
        op.opc = Opcode::br;
        op.n_args = 1;
        op.args[0] = label;
      } else {
        op.opc = Opcode::kCount;  // removed by the caller
        op.n_args = 0;
        removed = true;
      }
    }
  }
}

}  // namespace
}  // namespace mimic::ir
