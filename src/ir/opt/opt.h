#pragma once
// The IR optimizer: one pass per file, each a free function over a Block.
// Passes keep the block valid (ir::verify) and its behaviour identical,
// including at every op that may leave the block early (memory ops, helpers
// that may raise): globals are always written in program order.
#include <unordered_map>

#include "ir/ir.h"

namespace mimic::ir {

void fold_constants(Block& b);    // fold_constants.cpp
void propagate_copies(Block& b);  // copy_propagation.cpp
void eliminate_dead_code(Block& b);  // dead_code.cpp
void thread_jumps(Block& b);      // thread_jumps.cpp (then eliminate_dead_code)
void fuse_global_writes(Block& b);  // fuse_global_writes.cpp (last: creates global outputs)
void optimize(Block& b);          // optimize.cpp: the pipeline

// Shared by the passes (opt_util.cpp): the constant temps of a block by
// (type, value), adding new ones as needed.
class ConstPool {
 public:
  explicit ConstPool(Block& b);
  uint32_t get(Type t, uint64_t v);  // i32 values are truncated

 private:
  Block& b_;
  std::unordered_map<uint64_t, uint32_t> c32_, c64_;
};

}  // namespace mimic::ir
