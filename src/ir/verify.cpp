#include "ir/verify.h"

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "ir/fp.h"
#include "ir/helper.h"
#include "ir/print.h"

namespace mimic::ir {

namespace {
Error fail(const Block& b, size_t i, const std::string& what) {
  std::string where = "IR verify: op " + std::to_string(i);
  if (i < b.ops.size()) where += " (" + print_op(b, b.ops[i]) + ")";
  return make_error(where + ": " + what);
}

const char* type_name(Type t) { return t == Type::I32 ? "i32" : t == Type::I64 ? "i64" : "x"; }

// Range checks of the constant arguments; returns an empty string if fine.
std::string check_consts(const Op& op, uint32_t n_labels) {
  auto cond_ok = [](uint64_t c) { return c <= static_cast<uint64_t>(Cond::GTU); };
  auto label_ok = [&](uint64_t l) { return l < n_labels; };
  switch (op.opc) {
    case Opcode::setcond_i32:
    case Opcode::setcond_i64:
    case Opcode::movcond_i32:
    case Opcode::movcond_i64:
      return cond_ok(op.cst(0)) ? "" : "bad condition";
    case Opcode::brcond_i32:
    case Opcode::brcond_i64:
      if (!cond_ok(op.cst(0))) return "bad condition";
      return label_ok(op.cst(1)) ? "" : "label out of range";
    case Opcode::set_label:
    case Opcode::br:
      return label_ok(op.cst(0)) ? "" : "label out of range";
    case Opcode::ld_i32:
    case Opcode::st_i32:
      if (op.cst(0) > 15) return "bad MemOp";
      return MemOp::decode(op.cst(0)).size_log2 <= 2 ? "" : "8-byte access on i32";
    case Opcode::ld_i64:
    case Opcode::st_i64:
    case Opcode::atomic_cmpxchg_i64:
      return op.cst(0) <= 15 ? "" : "bad MemOp";
    case Opcode::atomic_rmw_i64:
      if (op.cst(0) > 15) return "bad MemOp";
      return op.cst(1) <= static_cast<uint64_t>(AtomicOp::Umax) ? "" : "bad AtomicOp";
    case Opcode::ld_env_i64:
    case Opcode::st_env_i64:
    case Opcode::ld_env_i32:
    case Opcode::st_env_i32:
      return op.cst(0) < (1u << 20) ? "" : "env offset out of range";
    case Opcode::call:
      return op.cst(0) < helper_count() ? "" : "unknown helper";
    case Opcode::goto_tb:
      return op.cst(0) < kMaxGotoTbSlots ? "" : "goto_tb slot out of range";
    case Opcode::fcvt_i32_f64:
    case Opcode::fcvt_i64_f64:
    case Opcode::fcvt_i32_f32:
    case Opcode::fcvt_i64_f32:
      return op.cst(0) <= kFpToIntNearest ? "" : "bad FpToInt";
    default:
      // IEEE arithmetic and format conversions: the NaN mode (ir/fp.h).
      if (eval::is_fp(op.opc) && op.inf().n_const > 0 && op.cst(0) != kFpNanCanonical)
        return "bad FpNan";
      return "";
  }
}
}  // namespace

Result<void> verify(const Block& b) {
  const size_t n_temps = b.temps.size();
  for (size_t t = 0; t < n_temps; t++) {
    const TempInfo& ti = b.temps[t];
    if (ti.type == Type::X) return make_error("IR verify: temp " + std::to_string(t) + " has type x");
    if (ti.kind == TempKind::Global && ti.type != Type::I64)
      return make_error("IR verify: global " + temp_name(b, t) + " is not i64");
    if (ti.kind == TempKind::Global && ti.env_offset < 0)
      return make_error("IR verify: global " + temp_name(b, t) + " has a negative env offset");
    if (ti.kind == TempKind::Const && ti.type == Type::I32 && ti.value > UINT32_MAX)
      return make_error("IR verify: i32 constant t" + std::to_string(t) + " does not fit in 32 bits");
  }
  if (b.ops.empty()) return make_error("IR verify: empty block");

  std::vector<uint8_t> label_defined(b.n_labels, 0), label_used(b.n_labels, 0);
  std::vector<uint8_t> written(n_temps, 0);
  for (size_t i = 0; i < b.ops.size(); i++) {
    const Op& op = b.ops[i];
    if (static_cast<unsigned>(op.opc) >= static_cast<unsigned>(Opcode::kCount))
      return fail(b, i, "bad opcode");
    const OpInfo& in = op.inf();
    if (op.n_args != in.n_out + in.n_in + in.n_const)
      return fail(b, i, "has " + std::to_string(op.n_args) + " arguments, expected " +
                            std::to_string(in.n_out + in.n_in + in.n_const));
    // Inputs first: an op may read and write the same temp.
    for (unsigned k = in.n_out; k < unsigned(in.n_out + in.n_in); k++) {
      uint64_t t = op.args[k];
      if (t >= n_temps) return fail(b, i, "temp index out of range");
      const TempInfo& ti = b.temps[t];
      Type want = arg_type(op.opc, k);
      if (ti.type != want)
        return fail(b, i, "argument " + std::to_string(k) + " is " + type_name(ti.type) + ", expected " +
                              type_name(want));
      if (ti.kind == TempKind::Local && !written[t])
        return fail(b, i, "reads " + temp_name(b, t) + " before any write");
    }
    for (unsigned k = 0; k < in.n_out; k++) {
      uint64_t t = op.args[k];
      if (t >= n_temps) return fail(b, i, "temp index out of range");
      const TempInfo& ti = b.temps[t];
      Type want = arg_type(op.opc, k);
      if (ti.type != want)
        return fail(b, i, "output is " + std::string(type_name(ti.type)) + ", expected " + type_name(want));
      if (ti.kind == TempKind::Const) return fail(b, i, "writes a constant");
      written[t] = 1;
    }
    std::string bad = check_consts(op, b.n_labels);
    if (!bad.empty()) return fail(b, i, bad);
    if (op.opc == Opcode::set_label) {
      uint64_t l = op.cst(0);
      if (label_defined[l]) return fail(b, i, "label L" + std::to_string(l) + " defined twice");
      label_defined[l] = 1;
    } else if (op.opc == Opcode::br) {
      label_used[op.cst(0)] = 1;
    } else if (op.opc == Opcode::brcond_i32 || op.opc == Opcode::brcond_i64) {
      label_used[op.cst(1)] = 1;
    }
  }
  for (uint32_t l = 0; l < b.n_labels; l++)
    if (label_used[l] && !label_defined[l])
      return make_error("IR verify: label L" + std::to_string(l) + " used but never defined");
  if (!(b.ops.back().inf().flags & kEndsBlock))
    return fail(b, b.ops.size() - 1, "block does not end with goto_tb, goto_ptr or exit_tb");
  return {};
}

}  // namespace mimic::ir
