#pragma once
// Table-driven decoder for 32-bit RISC-V encodings (insn32.inc and
// insn32_fp.inc) and the expander of 16-bit (C extension) encodings.
#include <cstdint>

#include "guest/riscv/translate.h"

namespace mimic::riscv {

using TransFn = bool (*)(Ctx&, const Args&);

struct InsnDesc {
  const char* name;  // assembler mnemonic ("sh1add.uw")
  uint32_t mask;     // fixed bits of the pattern
  uint32_t match;    // their values
  ImmKind kind;
  TransFn trans;
};

// Fields of `raw` as translate.h describes them, imm formed per `kind`.
Args extract_args(uint32_t raw, ImmKind kind);

// The table entry matching a 32-bit encoding, or nullptr if none does
// (illegal instruction). Thread-safe; the lookup tables are built on first use.
const InsnDesc* decode32(uint32_t raw);

// All entries, in table order (insn32.inc then insn32_fp.inc).
const InsnDesc* insn_table(unsigned* count);

// True for the entries of insn32_fp.inc (F and D: illegal when mstatus.FS
// is Off, privileged spec §3.1.6.6).
bool insn_is_fp(const InsnDesc* d);

// Expands a 16-bit encoding (bits 1:0 != 0b11) to the 32-bit encoding it
// stands for (RISC-V unprivileged ISA 20191213, ch. 16, RV64C). Returns 0 for
// reserved encodings, which are illegal instructions; 0 is not a valid 32-bit
// encoding either.
uint32_t expand_compressed(uint16_t insn);

// Length in bytes of the instruction whose low 16 bits are `lo` (2 or 4;
// longer encodings are not supported and report 4, then decode as illegal).
inline unsigned insn_length(uint16_t lo) { return (lo & 3) == 3 ? 4 : 2; }

}  // namespace mimic::riscv
