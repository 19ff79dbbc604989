// System-mode guest memory (ir::Block::mmu_idx >= 0): every load, store and
// atomic checks the vCPU's softMMU TLB inline (contract: memory/softmmu.h)
// and goes to an out-of-line slow path on a miss.
//
// Fast path (r15 = the SoftMmu, whose TLB is its first member; frame.h):
//   mov rt, ra ; shr rt, 7 ; and rt32, 0x1fe0    rt = tlb_index(ra) * 32
//   mov r11, ra ; and r11, tlb_compare_mask(size)
//   cmp r11, [r15 + rt + mmu_idx * 8192 + tag]    addr_read / addr_write
//   jne slow
//   mov rt, [r15 + rt + mmu_idx * 8192 + addend]
//   access [rt + ra]                              (atomics: rt += ra first)
// back:
//
// Slow path: stores the dirty globals (pinned ones included) and insn_pc so
// that a guest exception sees env exact, keeps the live caller-saved host
// registers in the frame's save area, calls softmmu_load / softmmu_store /
// softmmu_atomic_host(env, addr, ..., memop, mmu_idx), puts the result where
// the fast path would and jumps back. The register allocator's state is the
// same on both paths: the slow path changes no register but the output. A
// guest exception leaves through exec::raise_exit (nothing after the call
// runs). No host fault can happen on this path, so it records no fault
// points (code_buffer.h).
#include <cstddef>

#include "backend/x86_64/compiler.h"
#include "exec/cpu.h"
#include "memory/softmmu.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;
using ir::Opcode;
using memory::TlbEntry;

namespace {

constexpr int off(size_t o) { return static_cast<int>(o); }
const int kInsnPc = off(offsetof(exec::CpuCommon, insn_pc));

constexpr unsigned kEntryShift = 5;
static_assert(sizeof(TlbEntry) == 1u << kEntryShift);
static_assert(offsetof(memory::SoftMmu, tlb) == 0);
static_assert(memory::kTlbPageBits > kEntryShift);
// Every TLB entry is addressable with a 32-bit displacement.
static_assert(sizeof(memory::SoftMmu::tlb) < (1u << 31));

}  // namespace

// Emits the TLB check of an access at ra of 2^m.size_log2 bytes; on a hit rt
// = addend (host - guest) after it. `keep`: registers the code after `back`
// still reads (atomics); `out`: the register the slow path writes (-1: none).
Compiler::MmuStub& Compiler::tlb_check(MmuStub::Kind kind, int ra, ir::MemOp m, int rt, uint32_t keep,
                                       int out) {
  if (static_cast<uint32_t>(b_.mmu_idx) >= memory::kMaxMmuIdx) throw FrameFull{};  // interpret it
  MmuStub& s = mmu_stubs_.emplace_back();
  s.kind = kind;
  s.m = m;
  s.i32 = false;
  s.addr_reg = ra;
  s.val_reg = -1;
  s.out_reg = out;
  s.has_pc = has_pc_;
  s.pc = pc_;
  s.fence = fence_pending_;
  dirty_globals(&s.sync);
  uint32_t save = keep;
  for (int r = 0; r < 16; r++)
    for (uint32_t t : regs_[r])
      if (is_global(t) || tmp_[t].last_use > idx_) save |= 1u << r;
  if (out >= 0) save &= ~(1u << out);
  s.save = save & kCallerSaved & ~(1u << kR11);

  const int base = b_.mmu_idx * static_cast<int>(memory::kTlbEntries * sizeof(TlbEntry));
  const int tag = off(kind == MmuStub::kLoad ? offsetof(TlbEntry, addr_read) : offsetof(TlbEntry, addr_write));
  mov(R(rt), R(ra));
  shr(R(rt), memory::kTlbPageBits - kEntryShift);
  and_(Xbyak::Reg32(rt), (memory::kTlbEntries - 1) << kEntryShift);
  mov(r11, R(ra));
  and_(r11, static_cast<uint32_t>(memory::tlb_compare_mask(m.size_log2)));  // sign-extended imm32
  cmp(r11, qword[r15 + R(rt) + base + tag]);
  jne(s.label, T_NEAR);
  mov(R(rt), qword[r15 + R(rt) + base + off(offsetof(TlbEntry, addend))]);
  return s;
}

void Compiler::emit_sys_load(const ir::Op& op) {
  const ir::MemOp m = ir::MemOp::decode(op.cst(0));
  const bool i32 = op.opc == Opcode::ld_i32;
  uint32_t lock = 0;
  int ra = use(op.in(0), &lock);
  sync_for_memory();
  // A pinned output keeps its old value until the load completes (the slow
  // path stores it if dirty); otherwise the output register is the scratch.
  int rd = fresh_out(op.out(0), lock);
  int rt = pinned_reg(rd) ? alloc(lock | (1u << rd)) : rd;
  MmuStub& s = tlb_check(MmuStub::kLoad, ra, m, rt, 0, rd);
  s.i32 = i32;
  const Xbyak::RegExp at = R(rt) + R(ra);
  switch (m.size_log2) {
    case 0:
      if (m.is_signed) movsx(i32 ? Xbyak::Reg(Xbyak::Reg32(rd)) : R(rd), byte[at]);
      else movzx(Xbyak::Reg32(rd), byte[at]);
      break;
    case 1:
      if (m.is_signed) movsx(i32 ? Xbyak::Reg(Xbyak::Reg32(rd)) : R(rd), word[at]);
      else movzx(Xbyak::Reg32(rd), word[at]);
      break;
    case 2:
      if (m.is_signed && !i32) movsxd(R(rd), dword[at]);
      else mov(Xbyak::Reg32(rd), dword[at]);
      break;
    default:
      if (i32) mov(Xbyak::Reg32(rd), dword[at]);
      else mov(R(rd), qword[at]);
      break;
  }
  L(s.back);
  bind(op.out(0), rd);
}

void Compiler::emit_sys_store(const ir::Op& op) {
  const ir::MemOp m = ir::MemOp::decode(op.cst(0));
  uint32_t lock = 0;
  int rv = use(op.in(0), &lock);
  int ra = use(op.in(1), &lock);
  sync_for_memory();
  const int rt = alloc(lock);
  MmuStub& s = tlb_check(MmuStub::kStore, ra, m, rt, 0, -1);
  s.i32 = op.opc == Opcode::st_i32;
  s.val_reg = rv;
  if (op.opc == Opcode::st_i32 && m.size_log2 == 3) {  // an i32 stored as 8 bytes: zero-extend
    mov(r11d, Xbyak::Reg32(rv));
    rv = 11;
  }
  mov(ptr[R(rt) + R(ra)], S(rv, m.size_log2));
  L(s.back);
}

// Atomics: the host address of the access (store permission, alignment
// checked by the compare) in a new register, locked in *lock.
int Compiler::sys_atomic_host(int ra, ir::MemOp m, uint32_t* lock) {
  const int rt = alloc(*lock);
  MmuStub& s = tlb_check(MmuStub::kAtomic, ra, m, rt, *lock, rt);
  add(R(rt), R(ra));
  L(s.back);
  *lock |= 1u << rt;
  return rt;
}

void Compiler::emit_mmu_stubs() {
  for (MmuStub& s : mmu_stubs_) {
    L(s.label);
    if (s.fence) mfence();
    for (uint32_t e : s.sync) mov(qword[rbp + static_cast<int32_t>(e >> 4)], R(e & 15));
    if (s.has_pc) {
      mov(r11, s.pc);
      mov(qword[rbp + kInsnPc], r11);
    }
    for (int r = 0; r < 16; r++)
      if (s.save & (1u << r)) mov(qword[rsp + kSaveOffset + 8 * r], R(r));
    const auto memop = static_cast<uint32_t>(s.m.encode());
    const auto idx = static_cast<uint32_t>(b_.mmu_idx);
    const void* fn = nullptr;
    switch (s.kind) {
      case MmuStub::kLoad:
      case MmuStub::kAtomic:
        if (s.addr_reg != kRsi) mov(rsi, R(s.addr_reg));
        mov(edx, memop);
        mov(ecx, idx);
        fn = s.kind == MmuStub::kLoad ? reinterpret_cast<const void*>(&memory::softmmu_load)
                                      : reinterpret_cast<const void*>(&memory::softmmu_atomic_host);
        break;
      case MmuStub::kStore:
        if (s.i32) mov(r11d, Xbyak::Reg32(s.val_reg));
        else mov(r11, R(s.val_reg));
        if (s.addr_reg != kRsi) mov(rsi, R(s.addr_reg));
        mov(rdx, r11);
        mov(ecx, memop);
        mov(r8d, idx);
        fn = reinterpret_cast<const void*>(&memory::softmmu_store);
        break;
    }
    mov(rdi, rbp);
    mov(rax, reinterpret_cast<uint64_t>(fn));
    call(rax);
    // Loads: the value comes extended to 64 bits per the MemOp; an i32
    // output keeps the low half (as the fast path's 32-bit forms). Through
    // r11 only if rax is restored.
    const bool via = (s.save >> kRax) & 1;
    const int res = via ? kR11 : kRax;
    if (s.kind != MmuStub::kStore && via) mov(r11, rax);
    for (int r = 0; r < 16; r++)
      if (s.save & (1u << r)) mov(R(r), qword[rsp + kSaveOffset + 8 * r]);
    if (s.kind == MmuStub::kLoad && s.i32) mov(Xbyak::Reg32(s.out_reg), Xbyak::Reg32(res));
    else if (s.kind != MmuStub::kStore && s.out_reg != res) mov(R(s.out_reg), R(res));
    jmp(s.back, T_NEAR);
  }
}

}  // namespace mimic::backend::x64
