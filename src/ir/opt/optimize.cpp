#include <cstdlib>

#include "ir/opt/opt.h"

namespace mimic::ir {

namespace {
// MIMIC_IR_NO_THREAD=1 skips jump threading (for measurements).
bool threading_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("MIMIC_IR_NO_THREAD");
    return !(e && *e && *e != '0');
  }();
  return on;
}
}  // namespace

void optimize(Block& b) {
  propagate_copies(b);
  fold_constants(b);
  propagate_copies(b);
  if (threading_enabled()) thread_jumps(b);
  eliminate_dead_code(b);
  fuse_global_writes(b);
}

}  // namespace mimic::ir
