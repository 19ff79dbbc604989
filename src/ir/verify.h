#pragma once
// Structural checks of a Block, run after translation and optimization in
// debug builds, under MIMIC_VERIFY_IR=1, and in the tests. A failure is a bug
// in a translator or a pass, never a guest error.
#include "core/error.h"
#include "ir/ir.h"

namespace mimic::ir {

// Checks: argument counts; temp indices and types against the op type;
// outputs are not constants; globals are i64; locals are written before they
// are read (in program order); labels are defined exactly once and every used
// label is defined; the block ends with a kEndsBlock op; constant arguments
// are in range (Cond, MemOp, AtomicOp, helper index, goto_tb slot); i32
// constants fit in 32 bits.
Result<void> verify(const Block& b);

}  // namespace mimic::ir
