#include "ir/opt/opt.h"

namespace mimic::ir {

void optimize(Block& b) {
  propagate_copies(b);
  fold_constants(b);
  propagate_copies(b);
  eliminate_dead_code(b);
  fuse_global_writes(b);
}

}  // namespace mimic::ir
