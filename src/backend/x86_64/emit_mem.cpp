// Guest memory (user mode: [guest_base + addr] after the guest_limit check;
// system mode: emit_softmmu.cpp), env accesses and helper calls.
#include "backend/x86_64/compiler.h"
#include "exec/cpu.h"
#include "ir/helper.h"

namespace mimic::backend::x64 {

using namespace Xbyak::util;
using ir::Opcode;

namespace {

constexpr int off(size_t o) { return static_cast<int>(o); }
const int kInsnPc = off(offsetof(exec::CpuCommon, insn_pc));

}  // namespace

bool Compiler::encodable(uint32_t t) const {
  const int32_t o = b_.temps[t].env_offset;
  return lazy_ && o >= 0 && o <= kMaxRecoverOffset;
}

// The dirty globals (recover_entry words, in globals_ order so that equal
// states give equal lists).
void Compiler::dirty_globals(std::vector<uint32_t>* out) const {
  out->clear();
  for (uint32_t t : globals_) {
    const Temp& s = tmp_[t];
    if (s.reg >= 0 && s.dirty) out->push_back(recover_entry(b_.temps[t].env_offset, s.reg));
  }
}

// Before a guest memory op: env must be exact only for what a fault cannot
// recover (everything when lazy recovery is off).
void Compiler::sync_for_memory() {
  for (uint32_t t : globals_) {
    Temp& s = tmp_[t];
    if (s.reg >= 0 && s.dirty && !encodable(t)) {
      mov(qword[rbp + b_.temps[t].env_offset], Xbyak::Reg64(s.reg));
      s.dirty = false;
      s.mem_valid = true;
    }
  }
}

// The next instruction may fault on guest memory: record its guest pc and
// where the dirty globals are. Consecutive fault points with the same dirty
// set share a list.
void Compiler::record_fault_point() {
  if (system_mode()) return;  // softMMU accesses never fault on the host
  std::vector<uint32_t> list;
  dirty_globals(&list);
  uint32_t idx = kNoRegs;
  if (!list.empty()) {
    if (list != last_list_ || last_list_idx_ == kNoRegs) {
      last_list_idx_ = static_cast<uint32_t>(fault_regs.size());
      fault_regs.push_back(static_cast<uint32_t>(list.size()));
      fault_regs.insert(fault_regs.end(), list.begin(), list.end());
      last_list_ = list;
    }
    idx = last_list_idx_;
  }
  fault_points.push_back({reinterpret_cast<uintptr_t>(getCurr()), has_pc_ ? pc_ : kNoGuestPc, idx});
}

// The interpreter's checks (interp_mem.h): addr < limit and addr + size <=
// limit, then alignment if the MemOp asks. Failures go to a stub that records
// the fault; ra still holds the address there.
void Compiler::check_guest_addr(int ra, ir::MemOp m, bool write) {
  FaultStub& range = fault_stubs_.emplace_back();
  dirty_globals(&range.sync);
  range.addr_reg = ra;
  range.code = ir::kExitFault;
  range.write = write;
  range.has_pc = has_pc_;
  range.pc = pc_;
  range.fence = fence_pending_;
  // One compare: the entry code precomputed limit - size + 1 (kLimitOffset).
  cmp(R(ra), qword[rsp + kLimitOffset + 8 * m.size_log2]);
  jae(range.label, T_NEAR);
  if (m.size() > 1) {
    if (m.aligned) {
      FaultStub& al = fault_stubs_.emplace_back();
      al.addr_reg = ra;
      al.code = ir::kExitMisaligned;
      al.write = write;
      al.has_pc = has_pc_;
      al.pc = pc_;
      al.fence = fence_pending_;
      al.sync = range.sync;
      test(Xbyak::Reg32(ra), m.size() - 1);
      jnz(al.label, T_NEAR);
    }
  }
}

// Extends the value loaded at size_log2 into 64-bit register r (in place).
static void extend(Xbyak::CodeGenerator& g, int r, ir::MemOp m) {
  switch (m.size_log2) {
    case 0:
      if (m.is_signed) g.movsx(R(r), Xbyak::Reg8(r, true));
      else g.movzx(Xbyak::Reg32(r), Xbyak::Reg8(r, true));
      break;
    case 1:
      if (m.is_signed) g.movsx(R(r), Xbyak::Reg16(r));
      else g.movzx(Xbyak::Reg32(r), Xbyak::Reg16(r));
      break;
    case 2:
      if (m.is_signed) g.movsxd(R(r), Xbyak::Reg32(r));
      else g.mov(Xbyak::Reg32(r), Xbyak::Reg32(r));
      break;
    default:
      break;
  }
}

void Compiler::emit_load(const ir::Op& op) {
  if (system_mode()) return emit_sys_load(op);
  const ir::MemOp m = ir::MemOp::decode(op.cst(0));
  const bool i32 = op.opc == Opcode::ld_i32;
  uint32_t lock = 0;
  int ra = use(op.in(0), &lock);
  sync_for_memory();
  check_guest_addr(ra, m, false);
  int rd = fresh_out(op.out(0), lock);  // a pinned output: the faulting load leaves it intact
  record_fault_point();
  switch (m.size_log2) {
    case 0:
      if (m.is_signed) movsx(i32 ? Xbyak::Reg(Xbyak::Reg32(rd)) : R(rd), byte[r15 + R(ra)]);
      else movzx(Xbyak::Reg32(rd), byte[r15 + R(ra)]);
      break;
    case 1:
      if (m.is_signed) movsx(i32 ? Xbyak::Reg(Xbyak::Reg32(rd)) : R(rd), word[r15 + R(ra)]);
      else movzx(Xbyak::Reg32(rd), word[r15 + R(ra)]);
      break;
    case 2:
      if (m.is_signed && !i32) movsxd(R(rd), dword[r15 + R(ra)]);
      else mov(Xbyak::Reg32(rd), dword[r15 + R(ra)]);
      break;
    default:
      if (i32) mov(Xbyak::Reg32(rd), dword[r15 + R(ra)]);
      else mov(R(rd), qword[r15 + R(ra)]);
      break;
  }
  bind(op.out(0), rd);
}

void Compiler::emit_store(const ir::Op& op) {
  if (system_mode()) return emit_sys_store(op);
  const ir::MemOp m = ir::MemOp::decode(op.cst(0));
  uint32_t lock = 0;
  int rv = use(op.in(0), &lock);
  int ra = use(op.in(1), &lock);
  sync_for_memory();
  check_guest_addr(ra, m, true);
  if (op.opc == Opcode::st_i32 && m.size_log2 == 3) {  // an i32 stored as 8 bytes: zero-extend
    mov(r11d, Xbyak::Reg32(rv));
    rv = 11;
  }
  record_fault_point();
  mov(ptr[r15 + R(ra)], S(rv, m.size_log2));
}

void Compiler::emit_atomic_rmw(const ir::Op& op) {
  const ir::MemOp m = ir::MemOp::decode(op.cst(0));
  const auto aop = static_cast<ir::AtomicOp>(op.cst(1));
  const unsigned sz = m.size_log2;
  uint32_t lock = 0;
  const bool simple = aop == ir::AtomicOp::Xchg || aop == ir::AtomicOp::Add;
  if (!simple) reserve(kRax, &lock);
  int ra = use(op.in(0), &lock);
  int rv = use(op.in(1), &lock);
  sync_for_memory();
  const int rh = system_mode() ? sys_atomic_host(ra, m, &lock) : -1;
  if (rh < 0) check_guest_addr(ra, m, true);
  const Xbyak::Address mem = rh >= 0 ? ptr[R(rh)] : ptr[r15 + R(ra)];
  if (simple) {
    int rd = alloc(lock);
    mov(R(rd), R(rv));
    record_fault_point();
    if (aop == ir::AtomicOp::Xchg) xchg(mem, S(rd, sz));  // implicitly locked
    else {
      this->lock();
      xadd(mem, S(rd, sz));
    }
    fence_pending_ = false;
    after_locked_ = true;
    extend(*this, rd, m);
    bind(op.out(0), rd);
    return;
  }
  // Compare-and-swap loop: rax = old, r11 = op(old, v).
  Xbyak::Label again;
  record_fault_point();
  mov(S(kRax, sz), mem);
  L(again);
  mov(r11, rax);
  const Xbyak::Reg n = S(11, sz), v = S(rv, sz);
  const Xbyak::Reg n32 = Xbyak::Reg32(11), v32 = Xbyak::Reg32(rv);
  const Xbyak::Reg n64 = r11, v64 = R(rv);
  const Xbyak::Reg& nc = sz == 3 ? n64 : n32;
  const Xbyak::Reg& vc = sz == 3 ? v64 : v32;
  switch (aop) {
    case ir::AtomicOp::And: and_(n, v); break;
    case ir::AtomicOp::Or: or_(n, v); break;
    case ir::AtomicOp::Xor: xor_(n, v); break;
    case ir::AtomicOp::Smin: cmp(v, S(kRax, sz)); cmovl(nc, vc); break;
    case ir::AtomicOp::Smax: cmp(v, S(kRax, sz)); cmovg(nc, vc); break;
    case ir::AtomicOp::Umin: cmp(v, S(kRax, sz)); cmovb(nc, vc); break;
    default: cmp(v, S(kRax, sz)); cmova(nc, vc); break;
  }
  record_fault_point();
  this->lock();
  cmpxchg(mem, n);
  jne(again);
  fence_pending_ = false;
  after_locked_ = true;
  extend(*this, kRax, m);
  bind(op.out(0), kRax);
}

void Compiler::emit_cmpxchg(const ir::Op& op) {
  const ir::MemOp m = ir::MemOp::decode(op.cst(0));
  uint32_t lock = 0;
  reserve(kRax, &lock);
  int ra = use(op.in(0), &lock);
  int rc = use(op.in(1), &lock);
  int rn = use(op.in(2), &lock);
  sync_for_memory();
  const int rh = system_mode() ? sys_atomic_host(ra, m, &lock) : -1;
  if (rh < 0) check_guest_addr(ra, m, true);
  mov(rax, R(rc));
  record_fault_point();
  this->lock();
  cmpxchg(rh >= 0 ? ptr[R(rh)] : ptr[r15 + R(ra)], S(rn, m.size_log2));
  fence_pending_ = false;
  after_locked_ = true;
  extend(*this, kRax, m);
  bind(op.out(0), kRax);
}

void Compiler::emit_env(const ir::Op& op) {
  uint32_t lock = 0;
  switch (op.opc) {
    case Opcode::ld_env_i64:
    case Opcode::ld_env_i32: {
      if (fuse_env_cmp(op)) return;
      const bool i32 = op.opc == Opcode::ld_env_i32;
      const int32_t o = static_cast<int32_t>(op.cst(0));
      sync_overlapping(o, i32 ? 4 : 8, false);
      int rd = alloc(lock);
      if (i32) mov(Xbyak::Reg32(rd), dword[rbp + o]);
      else mov(R(rd), qword[rbp + o]);
      bind(op.out(0), rd);
      return;
    }
    default: {
      const bool i32 = op.opc == Opcode::st_env_i32;
      const int32_t o = static_cast<int32_t>(op.cst(0));
      int rv = use(op.in(0), &lock);
      sync_overlapping(o, i32 ? 4 : 8, true);
      if (i32) mov(dword[rbp + o], Xbyak::Reg32(rv));
      else mov(qword[rbp + o], R(rv));
      return;
    }
  }
}

void Compiler::emit_call(const ir::Op& op) {
  const ir::HelperInfo& h = ir::helper(static_cast<uint32_t>(op.cst(0)));
  uint32_t args[4] = {op.in(0), op.in(1), op.in(2), op.in(3)};
  emit_call_fn(reinterpret_cast<const void*>(h.fn), h.flags, args, 4, op.out(0));
}

// SysV call fn(env, a0..a3). Values in caller-saved registers that are still
// needed (or are arguments) go to memory first; the arguments are then
// loaded from memory, callee-saved registers or constants, so no parallel
// move is needed.
void Compiler::emit_call_fn(const void* fn, uint32_t flags, const uint32_t* args, int n_args,
                            uint32_t out) {
  restore_pins();
  if (!(flags & ir::kHelperPure)) write_back_globals();
  const uint32_t parked = park_pins();
  for (int r = 0; r < 16; r++)
    if (kCallerSaved & (1u << r)) evict(r);
  if ((flags & (ir::kHelperMayRaise | ir::kHelperMemory)) && has_pc_) {
    mov(r11, pc_);
    mov(qword[rbp + kInsnPc], r11);
  }
  for (int i = 0; i < n_args; i++) load_into(kArgRegs[i], args[i]);
  mov(rdi, rbp);
  mov(rax, reinterpret_cast<uint64_t>(fn));
  call(rax);
  if (flags & ir::kHelperWritesEnv) drop_globals();
  unpark_pins(parked);
  bind(out, kRax);
}

}  // namespace mimic::backend::x64
