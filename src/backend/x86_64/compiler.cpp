// Block-level driver of the code generator: liveness, the op loop, block
// entry (exit_request check) and the out-of-line fault stubs.
#include "backend/x86_64/compiler.h"

#include <cstddef>
#include <cstdlib>

#include "exec/cpu.h"
#include "ir/eval.h"
#include "ir/eval_fp.h"
#include "ir/helper.h"
#include "ir/liveness.h"
#include <xbyak/xbyak_util.h>

namespace mimic::backend::x64 {

using namespace Xbyak::util;

namespace {
constexpr int off(size_t o) { return static_cast<int>(o); }
}  // namespace

const HostFeatures& HostFeatures::get() {
  static const HostFeatures f = [] {
    Xbyak::util::Cpu cpu;
    HostFeatures h{};
    h.lzcnt = cpu.has(Xbyak::util::Cpu::tLZCNT);
    h.bmi1 = cpu.has(Xbyak::util::Cpu::tBMI1);
    h.bmi2 = cpu.has(Xbyak::util::Cpu::tBMI2);
    h.popcnt = cpu.has(Xbyak::util::Cpu::tPOPCNT);
    // Tests of the fallback sequences: MIMIC_JIT_BASELINE_X86=1 uses none.
    if (const char* e = std::getenv("MIMIC_JIT_BASELINE_X86"); e && *e && *e != '0') h = HostFeatures{};
    return h;
  }();
  return f;
}

Compiler::Compiler(uint8_t* at, size_t avail, const ir::Block& b, JitBlock* jb)
    : Xbyak::CodeGenerator(avail, at), b_(b), jb_(jb), tmp_(b.temps.size()), labels_(b.n_labels),
      slot_used_(kMaxSlots, 0) {
  static const bool eager = [] {
    const char* e = std::getenv("MIMIC_JIT_EAGER_SYNC");
    return e && *e && *e != '0';
  }();
  lazy_ = !eager;
  for (uint32_t t = 0; t < b.temps.size(); t++) {
    if (is_global(t)) {
      globals_.push_back(t);
      tmp_[t].mem_valid = true;
    }
  }
}

uint64_t Compiler::const_val(uint32_t t) const {
  const ir::TempInfo& ti = b_.temps[t];
  return ti.type == ir::Type::I32 ? static_cast<uint32_t>(ti.value) : ti.value;
}

bool Compiler::imm32_of(uint32_t t, bool i32, int32_t* v) const {
  if (!is_const(t)) return false;
  uint64_t c = const_val(t);
  if (i32) {
    *v = static_cast<int32_t>(static_cast<uint32_t>(c));
    return true;
  }
  if (static_cast<int64_t>(c) != static_cast<int64_t>(static_cast<int32_t>(c))) return false;
  *v = static_cast<int32_t>(c);
  return true;
}

Xbyak::Address Compiler::mem_of(uint32_t t) {
  if (is_global(t)) return qword[rbp + b_.temps[t].env_offset];
  Temp& s = tmp_[t];
  if (s.slot < 0) {
    for (unsigned i = 0; i < kMaxSlots; i++)
      if (!slot_used_[i]) {
        slot_used_[i] = 1;
        s.slot = static_cast<int16_t>(i);
        break;
      }
    if (s.slot < 0) throw FrameFull{};
  }
  return qword[rsp + s.slot * 8];
}

// last_use of locals and constants: the last op index that reads (or, if
// never read, writes) them. Branches inside a block go forward or backward;
// for a backward branch at j to a label at k, every temp whose range meets
// [k, j] stays live past j, the back edge (iterated to a fixed point for
// nested loops), so "dead after last_use" holds on every path.
void Compiler::compute_liveness() {
  const size_t n = b_.ops.size();
  loop_header_.assign(b_.n_labels, 0);
  label_owes_.assign(b_.n_labels, 0);
  label_locked_.assign(b_.n_labels, 1);
  std::vector<uint32_t> first(tmp_.size(), UINT32_MAX);
  std::vector<uint32_t> label_pos(b_.n_labels, 0);
  for (uint32_t i = 0; i < n; i++) {
    const ir::Op& op = b_.ops[i];
    if (op.opc == ir::Opcode::set_label) label_pos[op.cst(0)] = i;
    const ir::OpInfo& in = op.inf();
    for (int k = 0; k < in.n_out + in.n_in; k++) {
      uint32_t t = static_cast<uint32_t>(op.args[k]);
      tmp_[t].last_use = i;
      if (first[t] == UINT32_MAX) first[t] = i;
    }
  }
  // Global reference events and sync points (value_dead).
  global_index_.assign(tmp_.size(), 0);
  for (size_t g = 0; g < globals_.size(); g++) global_index_[globals_[g]] = static_cast<uint32_t>(g);
  global_events_.assign(globals_.size(), {});
  for (uint32_t i = 0; i < n; i++) {
    const ir::Op& op = b_.ops[i];
    const ir::OpInfo& in = op.inf();
    for (int k = 0; k < in.n_out + in.n_in; k++) {
      uint32_t t = static_cast<uint32_t>(op.args[k]);
      if (!is_global(t)) continue;
      auto& ev = global_events_[global_index_[t]];
      uint8_t kind = k < in.n_out ? kEvWrite : kEvRead;
      if (!ev.empty() && ev.back().first == i) ev.back().second |= kind;
      else ev.emplace_back(i, kind);
    }
    const bool sync = (in.flags & (ir::kBranch | ir::kEndsBlock | ir::kMemory)) != 0 ||
                      op.opc == ir::Opcode::set_label || op.opc == ir::Opcode::call ||
                      op.opc == ir::Opcode::ld_env_i32 || op.opc == ir::Opcode::ld_env_i64 ||
                      op.opc == ir::Opcode::st_env_i32 || op.opc == ir::Opcode::st_env_i64;
    if (sync) sync_points_.push_back(i);
  }
  std::vector<std::pair<uint32_t, uint32_t>> loops;
  std::vector<uint32_t> loop_label;
  for (uint32_t i = 0; i < n; i++) {
    const ir::Op& op = b_.ops[i];
    uint64_t l = UINT64_MAX;
    if (op.opc == ir::Opcode::br) l = op.cst(0);
    else if (op.opc == ir::Opcode::brcond_i32 || op.opc == ir::Opcode::brcond_i64) l = op.cst(1);
    if (l != UINT64_MAX && label_pos[l] < i) {
      loops.emplace_back(label_pos[l], i);
      loops_.emplace_back(label_pos[l], i);
      loop_label.push_back(static_cast<uint32_t>(l));
      loop_header_[l] = 1;
    }
  }
  // A local crosses the back edge only if it is live at the loop header
  // (read there before written); the others restart every iteration (hot
  // regions: each guest block's locals).
  if (loops.empty()) return;
  const ir::LabelLiveness live(b_);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t x = 0; x < loops.size(); x++)
      for (uint32_t t = 0, k = loops[x].first, j = loops[x].second; t < tmp_.size(); t++)
        if (first[t] <= j && first[t] != UINT32_MAX && tmp_[t].last_use >= k && tmp_[t].last_use <= j &&
            (b_.temps[t].kind != ir::TempKind::Local || live.live_at(loop_label[x], t))) {
          tmp_[t].last_use = j + 1;  // live through the branch (the back edge)
          changed = true;
        }
  }
}

// Fault stubs and the host-pc map use the pc of the last insn_start in
// program order. That is the interpreter's insn_pc only if every path to a
// point passes the same last insn_start: true when no branch skips one
// (translators branch within an instruction; a label directly followed by
// an insn_start, as the blocks of a hot region, accepts any incoming pc).
// Otherwise the block keeps insn_pc in env at every insn_start, as the
// interpreter does. Fills label_pc_: the pc every path brings to each label
// (a label reached only from before the first insn_start has none, even if
// an insn_start precedes it in program order).
bool Compiler::pcs_are_static() {
  std::vector<uint64_t>& at_label = label_pc_;
  at_label.assign(b_.n_labels, kUnset);
  std::vector<uint8_t> defined(b_.n_labels, 0);
  for (size_t i = 0; i + 1 < b_.ops.size(); i++)
    if (b_.ops[i].opc == ir::Opcode::set_label && b_.ops[i + 1].opc == ir::Opcode::insn_start)
      at_label[b_.ops[i].cst(0)] = kAny;
  uint64_t cur = kEntry;
  bool reachable = true;
  auto merge = [](uint64_t& into, uint64_t v) {
    if (into == kUnset) into = v;
    return into == v || into == kAny;
  };
  for (const ir::Op& op : b_.ops) {
    uint64_t l = UINT64_MAX;
    switch (op.opc) {
      case ir::Opcode::insn_start: cur = op.cst(0); break;
      case ir::Opcode::br: l = op.cst(0); break;
      case ir::Opcode::brcond_i32: case ir::Opcode::brcond_i64: l = op.cst(1); break;
      case ir::Opcode::set_label:
        if (reachable && !merge(at_label[op.cst(0)], cur)) return false;
        defined[op.cst(0)] = 1;
        cur = at_label[op.cst(0)];
        reachable = true;
        break;
      default: break;
    }
    if (!reachable) continue;
    if (l != UINT64_MAX) {
      if (defined[l] ? at_label[l] != cur && at_label[l] != kAny : !merge(at_label[l], cur)) return false;
    }
    if (op.opc == ir::Opcode::br || (op.inf().flags & ir::kEndsBlock)) reachable = false;
  }
  return true;
}

void Compiler::run() {
  compute_liveness();
  dynamic_pc_ = !pcs_are_static();
  choose_pins();
  // Entry: leave promptly when another thread or a signal asks (chained
  // blocks never pass through the execution loop).
  cmp(dword[rbp + off(offsetof(exec::CpuCommon, exit_request))], 0);
  jne(interrupt_, T_NEAR);
  load_pins();
  for (idx_ = 0; idx_ < b_.ops.size(); idx_++) {
    track_barriers(b_.ops[idx_]);
    track_pins(b_.ops[idx_]);
    emit(b_.ops[idx_]);
    free_dead();
  }
  emit_stubs();
}

void Compiler::emit(const ir::Op& op) {
  using ir::Opcode;
  switch (op.opc) {
    case Opcode::mov_i32: case Opcode::mov_i64:
    case Opcode::extu_i32_i64: case Opcode::trunc_i64_i32: case Opcode::ext32u_i64:
      return emit_mov(op);
    case Opcode::add_i32: case Opcode::sub_i32: case Opcode::mul_i32: case Opcode::and_i32:
    case Opcode::or_i32: case Opcode::xor_i32: case Opcode::andc_i32: case Opcode::orc_i32:
    case Opcode::eqv_i32:
    case Opcode::add_i64: case Opcode::sub_i64: case Opcode::mul_i64: case Opcode::and_i64:
    case Opcode::or_i64: case Opcode::xor_i64: case Opcode::andc_i64: case Opcode::orc_i64:
    case Opcode::eqv_i64:
      return emit_binary(op);
    case Opcode::neg_i32: case Opcode::not_i32: case Opcode::bswap_i32:
    case Opcode::ext8s_i32: case Opcode::ext8u_i32: case Opcode::ext16s_i32: case Opcode::ext16u_i32:
    case Opcode::neg_i64: case Opcode::not_i64: case Opcode::bswap_i64:
    case Opcode::ext8s_i64: case Opcode::ext8u_i64: case Opcode::ext16s_i64: case Opcode::ext16u_i64:
    case Opcode::ext32s_i64: case Opcode::exts_i32_i64:
      return emit_unary(op);
    case Opcode::shl_i32: case Opcode::shr_i32: case Opcode::sar_i32: case Opcode::rotl_i32:
    case Opcode::rotr_i32:
    case Opcode::shl_i64: case Opcode::shr_i64: case Opcode::sar_i64: case Opcode::rotl_i64:
    case Opcode::rotr_i64:
      return emit_shift(op);
    case Opcode::clz_i32: case Opcode::ctz_i32: case Opcode::ctpop_i32:
    case Opcode::clz_i64: case Opcode::ctz_i64: case Opcode::ctpop_i64:
      return emit_bitcount(op);
    case Opcode::mulsh_i32: case Opcode::muluh_i32: case Opcode::mulsh_i64: case Opcode::muluh_i64:
      return emit_mulh(op);
    case Opcode::div_i32: case Opcode::divu_i32: case Opcode::rem_i32: case Opcode::remu_i32:
    case Opcode::div_i64: case Opcode::divu_i64: case Opcode::rem_i64: case Opcode::remu_i64:
      return emit_div(op);
    case Opcode::setcond_i32: case Opcode::setcond_i64:
      return emit_setcond(op);
    case Opcode::movcond_i32: case Opcode::movcond_i64:
      return emit_movcond(op);

    case Opcode::set_label:
      // The pc all incoming paths agree on (pcs_are_static).
      if (!dynamic_pc_) {
        const uint64_t p = label_pc_[op.cst(0)];
        if (p == kEntry) {
          has_pc_ = false;
        } else if (p != kUnset && p != kAny) {
          has_pc_ = true;
          pc_ = p;
        }
      }
      // Control may arrive from elsewhere: memory and the pinned registers
      // are the only agreed state.
      restore_pins();
      write_back_globals(false);
      spill_live_locals();
      forget_all();
      pins_at_label();
      L(labels_[op.cst(0)]);
      return;
    case Opcode::br:
      restore_pins();
      write_back_globals(false);
      spill_live_locals();
      jmp(labels_[op.cst(0)], T_NEAR);
      return;
    case Opcode::brcond_i32: case Opcode::brcond_i64:
      restore_pins();
      return emit_brcond(op);

    case Opcode::ld_i32: case Opcode::ld_i64:
      return emit_load(op);
    case Opcode::st_i32: case Opcode::st_i64:
      return emit_store(op);
    case Opcode::atomic_rmw_i64:
      return emit_atomic_rmw(op);
    case Opcode::atomic_cmpxchg_i64:
      return emit_cmpxchg(op);
    case Opcode::mb:
      return;  // track_barriers
    case Opcode::ld_env_i64: case Opcode::ld_env_i32:
    case Opcode::st_env_i64: case Opcode::st_env_i32:
      return emit_env(op);
    case Opcode::call:
      return emit_call(op);

    case Opcode::insn_start:
      if (dynamic_pc_) {
        mov(r11, op.cst(0));
        mov(qword[rbp + off(offsetof(exec::CpuCommon, insn_pc))], r11);
        return;
      }
      has_pc_ = true;
      pc_ = op.cst(0);
      return;
    case Opcode::goto_tb:
      return emit_goto_tb(op);
    case Opcode::goto_ptr:
      return emit_goto_ptr();
    case Opcode::exit_tb:
      return emit_exit(op.cst(0));
#define MIMIC_X(name) case Opcode::name:
    MIMIC_IR_FP_OPS(MIMIC_X)
#undef MIMIC_X
      return emit_fp(op);
    case Opcode::kCount:
      break;
  }
  throw FrameFull{};  // unknown op: let the interpreter run the block
}

void Compiler::settle_barrier() {
  if (fence_pending_) mfence();
  fence_pending_ = false;
}

// x86 is TSO and locked instructions are full barriers (Intel SDM Vol. 3
// §9.2.2), so a full barrier (mb) is only needed between a guest store and
// a later guest access that no locked instruction separates. `mb` leaves a
// barrier owed; it is paid (mfence) before the next guest access, helper
// call or exit, or dropped at a locked atomic. Branches carry the debt to
// their labels; backward branches pay it.
void Compiler::track_barriers(const ir::Op& op) {
  using ir::Opcode;
  switch (op.opc) {
    case Opcode::mb:
      if (!after_locked_) fence_pending_ = true;
      break;
    case Opcode::ld_i32: case Opcode::ld_i64: case Opcode::st_i32: case Opcode::st_i64:
      settle_barrier();
      after_locked_ = false;
      break;
    case Opcode::atomic_rmw_i64: case Opcode::atomic_cmpxchg_i64:
      break;  // the emitter clears the debt after the locked instruction
    case Opcode::call:
      if (!(ir::helper(static_cast<uint32_t>(op.cst(0))).flags & ir::kHelperPure)) {
        settle_barrier();
        after_locked_ = false;
      }
      break;
    case Opcode::goto_tb: case Opcode::goto_ptr: case Opcode::exit_tb:
      settle_barrier();
      after_locked_ = true;  // neutral: nothing falls through
      break;
    case Opcode::br: case Opcode::brcond_i32: case Opcode::brcond_i64: {
      const uint64_t l = op.opc == Opcode::br ? op.cst(0) : op.cst(1);
      if (loop_header_[l]) settle_barrier();
      label_owes_[l] |= fence_pending_;
      label_locked_[l] &= after_locked_;
      if (op.opc == Opcode::br) {
        fence_pending_ = false;
        after_locked_ = true;
      }
      break;
    }
    case Opcode::set_label: {
      const uint64_t l = op.cst(0);
      fence_pending_ = fence_pending_ || label_owes_[l];
      after_locked_ = after_locked_ && label_locked_[l] && !loop_header_[l];
      break;
    }
    default:
      break;
  }
}

// Fault stubs: record the fault like the interpreter (interp_mem.h) and
// leave with the exception code.
void Compiler::emit_stubs() {
  emit_fp_stubs();
  emit_mmu_stubs();
  L(interrupt_);
  mov(r11, b_.guest_pc);
  mov(qword[rbp + off(offsetof(exec::CpuCommon, pc))], r11);
  xor_(eax, eax);
  or_(rdx, -1);
  jmp(CodeBuffer::get().epilogue(), T_NEAR);
  for (FaultStub& s : fault_stubs_) {
    L(s.label);
    if (s.fence) mfence();
    for (uint32_t e : s.sync) mov(qword[rbp + static_cast<int32_t>(e >> 4)], Xbyak::Reg64(e & 15));
    mov(qword[rbp + off(offsetof(exec::CpuCommon, fault_addr))], Xbyak::Reg64(s.addr_reg));
    mov(byte[rbp + off(offsetof(exec::CpuCommon, fault_write))], s.write ? 1 : 0);
    mov(qword[rbp + off(offsetof(exec::CpuCommon, exception))], static_cast<uint32_t>(s.code));
    if (s.has_pc) {
      mov(r11, s.pc);
      mov(qword[rbp + off(offsetof(exec::CpuCommon, insn_pc))], r11);
    } else {
      mov(r11, qword[rbp + off(offsetof(exec::CpuCommon, insn_pc))]);
    }
    mov(qword[rbp + off(offsetof(exec::CpuCommon, pc))], r11);
    mov(eax, static_cast<uint32_t>(s.code));
    or_(rdx, -1);
    jmp(CodeBuffer::get().epilogue(), T_NEAR);
  }
}

}  // namespace mimic::backend::x64
