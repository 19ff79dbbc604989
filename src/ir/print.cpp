#include "ir/print.h"

#include <cinttypes>
#include <cstdio>

#include "ir/helper.h"

namespace mimic::ir {

namespace {
std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string memop_text(uint64_t v) {
  MemOp m = MemOp::decode(v);
  std::string s = m.is_signed ? "s" : "u";
  s += std::to_string(8u << m.size_log2);
  if (m.aligned) s += ",al";
  if (v > 15) s += ",bad=" + hex(v);
  return s;
}

std::string cond_text(uint64_t c) {
  return c < 10 ? cond_name(static_cast<Cond>(c)) : "cond?" + std::to_string(c);
}
}  // namespace

std::string temp_name(const Block& b, uint32_t t) {
  if (t >= b.temps.size()) return "<bad t" + std::to_string(t) + ">";
  const TempInfo& ti = b.temps[t];
  switch (ti.kind) {
    case TempKind::Global:
      return ti.name.empty() ? "env+" + std::to_string(ti.env_offset) : ti.name;
    case TempKind::Const:
      return "$" + hex(ti.value);
    case TempKind::Local:
      break;
  }
  return "t" + std::to_string(t);
}

std::string print_op(const Block& b, const Op& op) {
  if (static_cast<unsigned>(op.opc) >= static_cast<unsigned>(Opcode::kCount))
    return "<bad opcode " + std::to_string(static_cast<unsigned>(op.opc)) + ">";
  const OpInfo& in = op.inf();
  switch (op.opc) {
    case Opcode::insn_start: return " ---- " + hex(op.args[0]);
    case Opcode::set_label: return "set_label L" + std::to_string(op.args[0]) + ":";
    default: break;
  }
  std::string s = in.name;
  unsigned n_temps = in.n_out + in.n_in;
  std::string sep = " ";
  for (unsigned i = 0; i < op.n_args; i++) {
    s += sep;
    sep = ", ";
    if (i < n_temps) {
      s += temp_name(b, static_cast<uint32_t>(op.args[i]));
      continue;
    }
    uint64_t c = op.args[i];
    unsigned k = i - n_temps;  // index among constants
    switch (op.opc) {
      case Opcode::br: s += "L" + std::to_string(c); break;
      case Opcode::brcond_i32:
      case Opcode::brcond_i64: s += k == 0 ? cond_text(c) : "L" + std::to_string(c); break;
      case Opcode::setcond_i32:
      case Opcode::setcond_i64:
      case Opcode::movcond_i32:
      case Opcode::movcond_i64: s += cond_text(c); break;
      case Opcode::ld_i32:
      case Opcode::ld_i64:
      case Opcode::st_i32:
      case Opcode::st_i64:
      case Opcode::atomic_cmpxchg_i64: s += memop_text(c); break;
      case Opcode::atomic_rmw_i64:
        s += k == 0 ? memop_text(c)
                    : (c < 9 ? atomic_op_name(static_cast<AtomicOp>(c)) : "op?" + hex(c));
        break;
      case Opcode::call:
        s += c < helper_count() ? helper(static_cast<uint32_t>(c)).name
                                : "helper?" + std::to_string(c);
        break;
      case Opcode::ld_env_i64:
      case Opcode::ld_env_i32:
      case Opcode::st_env_i64:
      case Opcode::st_env_i32: s += "env+" + std::to_string(static_cast<int64_t>(c)); break;
      case Opcode::goto_tb: s += k == 0 ? std::to_string(c) : hex(c); break;
      default: s += hex(c); break;
    }
  }
  return s;
}

std::string print(const Block& b) {
  std::string s = "IN: pc=" + hex(b.guest_pc) + " insns=" + std::to_string(b.guest_insns) +
                  " size=" + std::to_string(b.guest_size) + "\n";
  for (const Op& op : b.ops) {
    std::string line = print_op(b, op);
    s += (op.opc == Opcode::insn_start || op.opc == Opcode::set_label) ? line : " " + line;
    s += "\n";
  }
  return s;
}

}  // namespace mimic::ir
