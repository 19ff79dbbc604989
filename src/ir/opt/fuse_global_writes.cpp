// Write fusion: `op t, ...; mov g, t` where the local t is written once and
// read only by that mov becomes `op g, ...`. The global is written at the
// same point in program order (the op writes its output only after it has
// completed, so a faulting load or raising helper leaves g untouched either
// way), so exceptions stay exact. Saves one op per typical guest instruction.
#include <vector>

#include "ir/opt/opt.h"

namespace mimic::ir {

void fuse_global_writes(Block& b) {
  const size_t n = b.temps.size();
  std::vector<uint32_t> reads(n, 0), writes(n, 0);
  for (const Op& op : b.ops) {
    const OpInfo& in = op.inf();
    for (int i = 0; i < in.n_out; i++) writes[op.args[i]]++;
    for (int i = in.n_out; i < in.n_out + in.n_in; i++) reads[op.args[i]]++;
  }
  size_t k = 0;
  for (size_t i = 0; i < b.ops.size(); i++) {
    Op& op = b.ops[i];
    b.ops[k++] = op;
    if (i + 1 >= b.ops.size()) continue;
    const Op& next = b.ops[i + 1];
    if (next.opc != Opcode::mov_i64 || op.inf().n_out != 1) continue;
    uint32_t t = op.out(0), g = next.out(0);
    if (next.in(0) != t || b.temps[t].kind != TempKind::Local || b.temps[g].kind != TempKind::Global)
      continue;
    if (reads[t] != 1 || writes[t] != 1 || arg_type(op.opc, 0) != Type::I64) continue;
    b.ops[k - 1].args[0] = g;
    i++;  // drop the mov
  }
  b.ops.resize(k);
}

}  // namespace mimic::ir
