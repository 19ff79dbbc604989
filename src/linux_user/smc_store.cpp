// Completing a RISC-V store that hit a write-protected code page (code_wp.h).
//
// Re-running the store would re-translate its block from memory that still
// holds the old code (the store has not happened yet), protect the page again
// and fault forever; and a block that rewrote its own later instructions
// would then run them stale. Instead the faulting store is performed here,
// on the now unprotected page, and execution continues at the next
// instruction, in a block translated after the store: exactly the
// instruction-by-instruction behaviour of hardware with coherent fetch.
//
// Covers the scalar stores of RV64GC (unpriv. ISA ch. 2.6 SB/SH/SW, ch. 4.3
// SD, ch. 11/12 FSW/FSD, Zfh FSH, ch. 16 C.SW/C.SD/C.FSD and the SP forms).
// AMOs, SC and vector stores are not emulated: they are retried instead
// (correct unless they modify their own block).
#include <cstring>

#include "guest/riscv/cpu.h"
#include "linux_user/address_space.h"
#include "linux_user/code_wp.h"

namespace mimic::linux_user::code_wp {

namespace {

struct Store {
  uint64_t addr = 0;
  uint64_t value = 0;
  unsigned size = 0;
  unsigned len = 0;  // instruction bytes
};

inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
inline int64_t sext(uint64_t v, unsigned width) {
  return static_cast<int64_t>(v << (64 - width)) >> (64 - width);
}

bool decode(const riscv::RiscvCpu& cpu, uint32_t insn, Store* s) {
  if ((insn & 3) != 3) {  // compressed (RVC quadrants 0 and 2)
    uint32_t op = insn & 3, f3 = bits(insn, 15, 13);
    s->len = 2;
    if (op == 0) {  // C.FSD / C.SW / C.SD: rs1' rs2' with scaled offsets
      uint64_t rs1 = cpu.x[8 + bits(insn, 9, 7)];
      unsigned rs2 = 8 + bits(insn, 4, 2);
      if (f3 == 6) {  // C.SW: uimm[5:3|2|6]
        uint32_t off = bits(insn, 12, 10) << 3 | bits(insn, 6, 6) << 2 | bits(insn, 5, 5) << 6;
        *s = {rs1 + off, cpu.x[rs2], 4, 2};
        return true;
      }
      uint32_t off = bits(insn, 12, 10) << 3 | bits(insn, 6, 5) << 6;
      if (f3 == 7) {  // C.SD
        *s = {rs1 + off, cpu.x[rs2], 8, 2};
        return true;
      }
      if (f3 == 5) {  // C.FSD
        *s = {rs1 + off, cpu.f[rs2], 8, 2};
        return true;
      }
      return false;
    }
    if (op == 2) {  // C.FSDSP / C.SWSP / C.SDSP
      unsigned rs2 = bits(insn, 6, 2);
      uint64_t sp = cpu.x[2];
      if (f3 == 6) {  // uimm[5:2|7:6]
        uint32_t off = bits(insn, 12, 9) << 2 | bits(insn, 8, 7) << 6;
        *s = {sp + off, rs2 ? cpu.x[rs2] : 0, 4, 2};
        return true;
      }
      uint32_t off = bits(insn, 12, 10) << 3 | bits(insn, 9, 7) << 6;  // uimm[5:3|8:6]
      if (f3 == 7) {
        *s = {sp + off, rs2 ? cpu.x[rs2] : 0, 8, 2};
        return true;
      }
      if (f3 == 5) {
        *s = {sp + off, cpu.f[rs2], 8, 2};
        return true;
      }
    }
    return false;
  }
  uint32_t opcode = insn & 0x7f, f3 = bits(insn, 14, 12);
  unsigned rs1 = bits(insn, 19, 15), rs2 = bits(insn, 24, 20);
  int64_t imm = sext(bits(insn, 31, 25) << 5 | bits(insn, 11, 7), 12);
  uint64_t addr = (rs1 ? cpu.x[rs1] : 0) + static_cast<uint64_t>(imm);
  if (opcode == 0x23 && f3 <= 3) {  // SB SH SW SD
    *s = {addr, rs2 ? cpu.x[rs2] : 0, 1u << f3, 4};
    return true;
  }
  if (opcode == 0x27 && f3 >= 1 && f3 <= 3) {  // FSH FSW FSD
    *s = {addr, cpu.f[rs2], 1u << f3, 4};
    return true;
  }
  return false;
}

}  // namespace

bool complete_store(riscv::RiscvCpu& cpu) {
  AddressSpace& as = address_space();
  uint64_t pc = cpu.common.pc;
  uint16_t lo;
  if (!as.access_ok(pc, 2, kProtRead)) return false;
  std::memcpy(&lo, as.g2h(pc), 2);
  uint32_t insn = lo;
  if ((lo & 3) == 3) {
    uint16_t hi;
    if (!as.access_ok(pc + 2, 2, kProtRead)) return false;
    std::memcpy(&hi, as.g2h(pc + 2), 2);
    insn |= uint32_t{hi} << 16;
  }
  Store s;
  if (!decode(cpu, insn, &s)) return false;
  if (!as.access_ok(s.addr, s.size, kProtWrite)) return false;
  before_write(s.addr, s.size);  // both pages, if the store crosses one
  // Little-endian host and guest: the low `size` bytes of the value.
  std::memcpy(as.g2h(s.addr), &s.value, s.size);
  cpu.common.pc = pc + s.len;
  return true;
}

}  // namespace mimic::linux_user::code_wp
