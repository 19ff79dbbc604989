#pragma once
// The RISC-V translator's shared contract: decoded instruction arguments,
// the per-block translation context, and the trans_<name> convention.
//
// Decoding is a table (insn32.inc for the integer ISA, insn32_fp.inc for F/D):
//   INSN(name, "bit pattern, 32 chars of 0/1/., spaces ignored", ImmKind)
// Every field below is extracted for every instruction; ImmKind only selects
// how `imm` is formed. The decoder then calls
//   bool trans_<name>(Ctx& ctx, const Args& a);
// which emits IR for the instruction and returns false for an illegal
// encoding of that instruction (reserved rm, etc.), which becomes SIGILL.
// 16-bit (C extension) encodings are expanded to their 32-bit equivalents
// before decoding, so each instruction's semantics are written once.
#include <cstdint>
#include <optional>

#include "guest/riscv/cpu.h"
#include "ir/builder.h"

namespace mimic::riscv {

enum class ImmKind : uint8_t { None, I, S, B, U, J };

struct Args {
  uint32_t raw;    // the (expanded) 32-bit encoding
  uint8_t rd;      // bits 11:7
  uint8_t rs1;     // bits 19:15 (also the zimm of csrrwi & co.)
  uint8_t rs2;     // bits 24:20
  uint8_t rs3;     // bits 31:27
  uint8_t rm;      // bits 14:12 (FP rounding mode)
  uint8_t aq, rl;  // bits 26, 25
  uint8_t shamt;   // bits 25:20
  uint16_t csr;    // bits 31:20
  int64_t imm;     // per ImmKind, sign-extended, already scaled (B/J: byte offset, U: << 12)
};

struct Ctx {
  ir::Builder& b;
  RiscvCpu* cpu;       // for reading code; translation must not depend on other state
  uint64_t flags;      // translation flags (exec::GuestOps::tb_flags)
  uint64_t pc;         // pc of the instruction being translated
  uint64_t next_pc;    // pc + instruction length (2 or 4)
  bool ended = false;  // set when the instruction ended the block (branch, exit)

  // x0 reads as the constant 0; writes to x0 are dropped.
  ir::I64 gpr(int r);
  void set_gpr(int r, ir::I64 v);
  ir::I64 fpr(int r);              // raw 64 bits
  void set_fpr(int r, ir::I64 v);  // raw 64 bits (caller NaN-boxes singles)
  ir::I64 global(int32_t env_offset, const char* name);

  // Ends the block jumping to a constant pc (chained) ...
  void jump_to(unsigned slot, uint64_t target);
  // ... or to the pc in `target` (indirect).
  void jump_indirect(ir::I64 target);
  // Ends the block raising exit `code` (RiscvExit) at this instruction's pc.
  void raise(uint64_t code);
  // Raises exit `code` at this instruction's pc if (a cond b); otherwise the
  // instruction continues (does not end the block). With `fault_addr`, its
  // value is stored in CpuCommon::fault_addr first (si_addr of SIGBUS).
  void raise_if(ir::Cond cond, ir::I64 a, ir::I64 b, uint64_t code,
                std::optional<ir::I64> fault_addr = std::nullopt);
  // Ends the block with exit_tb(code) and env pc = `target`, unchained: for
  // state changes the execution loop must see (fence.i).
  void exit_to(uint64_t target, uint64_t code);

  // --- system mode (guest/riscv/system.h) ---
  // Translating for a system-mode hart (TB flags bit 9), at privilege priv()
  // (TB flags bits 4:3: 0 U, 1 S, 3 M).
  bool system() const { return ((flags >> 9) & 1) != 0; }
  uint64_t priv() const { return (flags >> 3) & 3; }
  // Ends the block raising synchronous exception `cause` with trap value
  // `tval` at this instruction (RiscvCpu::trap_cause/trap_tval, kExitTrap).
  void raise_trap(uint64_t cause, uint64_t tval);
  // The same if (a cond b), with a run-time trap value; otherwise the
  // instruction continues.
  void raise_trap_if(ir::Cond cond, ir::I64 a, ir::I64 b, uint64_t cause, ir::I64 tval);
  // Ends the block with env pc = `target` (a run-time value) and
  // exit_tb(code), unchained.
  void exit_dynamic(ir::I64 target, uint64_t code);
};

// The block translator of both modes (exec::GuestOps::translate); system
// mode is TB flags bit 9.
void translate_block(exec::CpuCommon* cpu, uint64_t pc, uint64_t flags, ir::Block& out);

// System-mode parts of the translator (translate_priv.cpp).
// Fetches the instruction at pc through the softMMU (see translate.cpp's
// fetch for the contract): `*host` is the host address of the block's first
// instruction (set when `first`), `pc0` its pc. A 4-byte instruction that
// crosses into the next page is fetched only as the first of its block,
// recording that page in block.phys_page2.
bool fetch_system(RiscvCpu* cpu, uint64_t pc, uint64_t pc0, bool first, uint64_t flags,
                  const uint8_t** host, ir::Block& block, uint32_t* raw, unsigned* len);
// Zicsr in system mode: every access goes through the CSR helper (csr.h).
bool translate_csr_system(Ctx& c, const Args& a, bool uimm);

}  // namespace mimic::riscv
