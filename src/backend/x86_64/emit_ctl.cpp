// Control flow: conditional branches inside the block and the block exits.
// An exit returns to the entry trampoline (code_buffer.cpp) with rax = exit
// code and rdx = slot word: -1, or (JitBlock* | slot) for goto_tb (and
// JitBlock* | kHotSlotBits for the hot exit of jit.cpp).
#include <cstdlib>

#include "backend/x86_64/compiler.h"
#include "backend/x86_64/jit.h"
#include "core/log.h"
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
  const bool fused = test_out_ == a;  // (a = x & imm) ==/!= 0: see fuse_test
  const bool from_env = env_cmp_out_ == a;  // a = env[off]: see fuse_env_cmp
  test_out_ = env_cmp_out_ = UINT32_MAX;
  int ra = from_env ? -1 : use(fused ? test_in_ : a, &lock);
  const bool use_imm = imm32_of(b, i32, &imm);
  int rb = use_imm ? -1 : use(b, &lock);
  // Both paths see memory and the pinned registers as the agreed state; the
  // registers stay valid (clean) on the fall-through path.
  write_back_globals(false);
  spill_live_locals();
  if (from_env) {
    if (i32) cmp(dword[rbp + env_cmp_off_], imm);
    else cmp(qword[rbp + env_cmp_off_], imm);
  } else {
    const Xbyak::Reg x = i32 ? Xbyak::Reg(Xbyak::Reg32(ra)) : Xbyak::Reg(Xbyak::Reg64(ra));
    if (fused) test(x, test_imm_);
    else if (use_imm) cmp(x, imm);
    else cmp(x, i32 ? Xbyak::Reg(Xbyak::Reg32(rb)) : Xbyak::Reg(Xbyak::Reg64(rb)));
  }
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
  if (fused && !is_global(test_in_) && tmp_[test_in_].last_use <= idx_) {  // free_dead's job for x
    Temp& s = tmp_[test_in_];
    unlink(test_in_);
    s.mem_valid = false;
    if (s.slot >= 0) slot_used_[s.slot] = 0;
    s.slot = -1;
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
//
// The common case is probed inline first (exec::jump_cache_index): the
// vCPU's jump cache entry for env pc holds a valid JIT-compiled block for
// this pc and this block's translation flags (a goto_ptr never follows a
// change of them: such instructions end their block with an exit). The
// successor's prologue checks exit_request as a chained jump would.
void Compiler::emit_goto_ptr() {
  write_back_globals();
  Xbyak::Label miss, slow;
  static const bool probe = [] {  // MIMIC_JIT_NO_JUMP_PROBE=1: measure without
    const char* e = std::getenv("MIMIC_JIT_NO_JUMP_PROBE");
    return !(e && *e && *e != '0');
  }();
  if (probe && !(log::g_mask & (log::kExec | log::kCpu))) {
    using exec::TranslationBlock;
    mov(rax, qword[rbp + kPc]);
    mov(rcx, qword[rbp + static_cast<int>(offsetof(exec::CpuCommon, exec_state))]);
    test(rcx, rcx);
    jz(slow);
    mov(edx, eax);
    shr(edx, 1);
    and_(edx, (1u << exec::kJumpCacheBits) - 1);
    mov(rdx, qword[rcx + rdx * 8 + static_cast<int>(offsetof(exec::ExecState, jump_cache))]);
    test(rdx, rdx);
    jz(slow);
    cmp(rax, qword[rdx + static_cast<int>(offsetof(TranslationBlock, pc))]);
    jne(slow);
    mov(rax, b_.tb_flags);
    cmp(rax, qword[rdx + static_cast<int>(offsetof(TranslationBlock, flags))]);
    jne(slow);
    cmp(byte[rdx + static_cast<int>(offsetof(TranslationBlock, invalid))], 0);
    jne(slow);
    mov(rax, reinterpret_cast<uint64_t>(static_cast<Backend*>(&jit_backend())));
    cmp(rax, qword[rdx + static_cast<int>(offsetof(TranslationBlock, be))]);
    jne(slow);
    mov(rax, qword[rdx + static_cast<int>(offsetof(TranslationBlock, code))]);
    mov(rax, qword[rax + static_cast<int>(offsetof(JitBlock, entry))]);
    test(rax, rax);
    jz(slow);
    jmp(rax);
  }
  L(slow);
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
// the stub right after it (unchain). Slots are < ir::kMaxGotoTbSlots
// (ir::verify), which fits the low bits of the aligned JitBlock*.
void Compiler::emit_goto_tb(const ir::Op& op) {
  static_assert(ir::kMaxGotoTbSlots <= alignof(JitBlock) - 1);
  const int slot = static_cast<int>(op.cst(0) % ir::kMaxGotoTbSlots);
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
