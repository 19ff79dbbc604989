// Control flow: conditional branches inside the block and the block exits.
// An exit returns to the entry trampoline (code_buffer.cpp) with rax = exit
// code and rdx = slot word: -1, or (JitBlock* | slot) for goto_tb.
#include "backend/x86_64/compiler.h"
#include "exec/cpu.h"
#include "exec/tb.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;

namespace {
constexpr int kPc = static_cast<int>(offsetof(exec::CpuCommon, pc));
}  // namespace

void Compiler::emit_brcond(const ir::Op& op) {
  const bool i32 = op.opc == ir::Opcode::brcond_i32;
  uint32_t lock = 0;
  int32_t imm = 0;
  const uint32_t a = op.in(0), b = op.in(1);
  int ra = use(a, &lock);
  const bool use_imm = imm32_of(b, i32, &imm);
  int rb = use_imm ? -1 : use(b, &lock);
  // Both paths see memory as the agreed state; the registers stay valid
  // (clean) on the fall-through path.
  write_back_globals();
  spill_live_locals();
  const Xbyak::Reg x = i32 ? Xbyak::Reg(Xbyak::Reg32(ra)) : Xbyak::Reg(Xbyak::Reg64(ra));
  if (use_imm) cmp(x, imm);
  else cmp(x, i32 ? Xbyak::Reg(Xbyak::Reg32(rb)) : Xbyak::Reg(Xbyak::Reg64(rb)));
  Xbyak::Label& l = labels_[op.cst(1)];
  switch (static_cast<ir::Cond>(op.cst(0))) {
    case ir::Cond::EQ: je(l, T_NEAR); break;
    case ir::Cond::NE: jne(l, T_NEAR); break;
    case ir::Cond::LT: jl(l, T_NEAR); break;
    case ir::Cond::GE: jge(l, T_NEAR); break;
    case ir::Cond::LE: jle(l, T_NEAR); break;
    case ir::Cond::GT: jg(l, T_NEAR); break;
    case ir::Cond::LTU: jb(l, T_NEAR); break;
    case ir::Cond::GEU: jae(l, T_NEAR); break;
    case ir::Cond::LEU: jbe(l, T_NEAR); break;
    case ir::Cond::GTU: ja(l, T_NEAR); break;
  }
}

void Compiler::emit_exit(uint64_t code) {
  write_back_globals();
  mov(rax, code);
  or_(rdx, -1);
  jmp(CodeBuffer::get().epilogue(), T_NEAR);
}

namespace {
// The host entry of the translated block at env pc, or nullptr (leave).
const uint8_t* jump_target(exec::CpuCommon* cpu) {
  auto* jb = static_cast<const JitBlock*>(exec::lookup_code_for_jump(cpu));
  return jb ? jb->entry : nullptr;
}
}  // namespace

// goto_ptr: env pc holds the target (written back with the globals). Look
// the block up without leaving generated code; return to the loop on a miss.
void Compiler::emit_goto_ptr() {
  write_back_globals();
  Xbyak::Label miss;
  mov(rdi, rbp);
  mov(rax, reinterpret_cast<uint64_t>(&jump_target));
  call(rax);
  test(rax, rax);
  jz(miss);
  jmp(rax);
  L(miss);
  xor_(eax, eax);
  or_(rdx, -1);
  jmp(CodeBuffer::get().epilogue(), T_NEAR);
}

// goto_tb: a jump whose rel32 is 4-byte aligned so
// exec can patch it atomically (chain) to the successor's entry, or back to
// the stub right after it (unchain).
void Compiler::emit_goto_tb(const ir::Op& op) {
  const int slot = static_cast<int>(op.cst(0)) & 1;
  const uint64_t target = op.cst(1);
  write_back_globals();
  while ((reinterpret_cast<uintptr_t>(getCurr()) + 1) % 4 != 0) db(0x90);
  db(0xE9);
  jb_->jmp_disp[slot] = const_cast<uint8_t*>(getCurr());
  dd(0);
  jb_->stub[slot] = getCurr();
  // Unchained: env pc = target for the loop. A chained successor does not
  // need it: every exit and fault path of a block writes env pc itself.
  if (static_cast<int64_t>(target) == static_cast<int64_t>(static_cast<int32_t>(target))) {
    mov(qword[rbp + kPc], static_cast<int32_t>(target));
  } else {
    mov(r11, target);
    mov(qword[rbp + kPc], r11);
  }
  mov(rdx, reinterpret_cast<uint64_t>(jb_) | static_cast<uint64_t>(slot));
  xor_(eax, eax);
  jmp(CodeBuffer::get().epilogue(), T_NEAR);
}

}  // namespace mimic::backend::x64
