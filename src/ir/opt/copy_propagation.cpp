// Copy propagation: after `mov d, s`, later reads of d read s instead, as long
// as neither d nor s has been written since. Facts are per straight-line
// region (see copy_map.h): forgotten at every set_label (other paths join
// there) and after br / block exits, and facts involving globals are dropped
// when a helper may write env. Only reads are rewritten; no write moves, so
// globals stay exact at every op that may fault.
#include "ir/opt/copy_map.h"
#include "ir/opt/opt.h"

namespace mimic::ir {

void propagate_copies(Block& b) {
  CopyMap m(b);
  for (Op& op : b.ops) {
    if (!m.enter(op)) continue;
    const OpInfo& in = op.inf();
    for (int i = in.n_out; i < in.n_out + in.n_in; i++)
      op.args[i] = m.get(static_cast<uint32_t>(op.args[i]));
    m.leave(op);
    if ((op.opc == Opcode::mov_i32 || op.opc == Opcode::mov_i64) && op.in(0) != op.out(0))
      m.set(op.out(0), op.in(0));
  }
}

}  // namespace mimic::ir
