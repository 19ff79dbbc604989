#pragma once
// Disassembler for -d in_asm, driven by the decoder tables: the mnemonic is
// the table entry's name, the operand layout follows the major opcode.
#include <cstdint>
#include <string>

namespace mimic::riscv {

// ABI register names (x0 = "zero", f10 = "fa0").
const char* gpr_name(int r);
const char* fpr_name(int r);

// Text of one instruction at `pc`: `insn` holds its bytes (the low 16 bits
// only for a compressed one) and `len` is 2 or 4. Illegal encodings show as
// ".insn 0x...". Branch and jump targets are printed as absolute addresses.
std::string disassemble(uint64_t pc, uint32_t insn, unsigned len);

}  // namespace mimic::riscv
