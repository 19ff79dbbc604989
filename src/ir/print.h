#pragma once
// Readable text of a Block (TCG-like), for -d op / -d op_opt and tests:
//   ---- 0x10078                       insn_start
//   add_i64 x5, x5, $0x10               temps: globals by name, tN locals,
//   brcond_i64 t3, $0x0, lt, L1         $0x.. constants, Ln labels
#include <string>

#include "ir/ir.h"

namespace mimic::ir {

std::string print(const Block& b);
std::string print_op(const Block& b, const Op& op);
std::string temp_name(const Block& b, uint32_t t);

}  // namespace mimic::ir
