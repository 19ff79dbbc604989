#pragma once
// Compiles one optimized ir::Block to x86-64 host code with Xbyak, emitting
// straight into the code buffer.
//
// Register allocation is done on the fly, op by op (like TCG): every temp is
// in a host register, in memory (globals: their env slot; locals: a spill
// slot in the frame), or a constant. Several temps may share a register
// (a mov is free; a register is overwritten in place only when every other
// value in it is dead). A pre-pass computes the last op that reads each local
// (so registers and slots are freed as soon as a value dies) and, for
// globals, when the current value is dead because it is overwritten before
// anything could observe env. At basic-block boundaries (branches, labels)
// dirty globals are written back and live locals spilled (pinned globals
// excepted, below); a label forgets every other register. Dirty globals are
// also written back before non-pure helper calls and exits, so that env is
// exactly the interpreter's state there.
//
// Guest memory ops write nothing back (lazy state recovery): each host
// instruction that may fault is recorded with its guest pc and the list of
// dirty globals with the host register holding each (code_buffer.h), from
// which exec::handle_host_fault rebuilds env; the out-of-line stub of a
// failed address check stores the dirty globals itself. Globals whose env
// offset a list cannot encode are written back eagerly.
// MIMIC_JIT_EAGER_SYNC=1 restores the write-backs (for measurements).
// System-mode blocks (Block::mmu_idx >= 0) check the softMMU TLB inline
// instead and store the dirty globals in the out-of-line slow path
// (emit_softmmu.cpp); they record no fault points.
//
// Pinned globals (regalloc_pin.cpp): per block, up to 6 of the most
// referenced globals (ops inside loops weigh more; a global used only after
// the first branch must be used in a loop) own a host register for the
// whole block; nothing else is allocated there. It is loaded at entry
// (unless first written before any branch or label). A new value may stay
// in the register where it was computed ("displaced", shared like any
// value) until a label, branch or call needs it home (restore_pins), so at
// every label the pinned registers hold their globals on all incoming paths
// and labels forget only the other registers: values stay in registers
// around loops. Pinned globals are written back at exits and before helpers
// that need env exact, reloaded after helpers that write env, and listed at
// fault points like any dirty global. Callee-saved registers first;
// caller-saved ones only in blocks without helper calls (emit_call_fn would
// store and reload them around each). MIMIC_JIT_NO_PIN=1 disables pinning; MIMIC_JIT_PINS=N sets
// the maximum number. The JIT adds no exit_request check on back edges: the
// IR producer emits one (see the region builder).
#include <cstdint>
#include <deque>
#include <vector>
#include <xbyak/xbyak.h>

#include "backend/x86_64/code_buffer.h"
#include "backend/x86_64/frame.h"
#include "ir/ir.h"

namespace mimic::backend::x64 {

// Host register number r as a 64-bit register, or at an access size of
// 2^size_log2 bytes (byte registers without the legacy high-byte forms).
inline Xbyak::Reg64 R(int r) { return Xbyak::Reg64(r); }
inline Xbyak::Reg S(int r, unsigned size_log2) {
  switch (size_log2) {
    case 0: return Xbyak::Reg8(r, true);
    case 1: return Xbyak::Reg16(r);
    case 2: return Xbyak::Reg32(r);
    default: return Xbyak::Reg64(r);
  }
}

// The compiled form of one block (the Backend's opaque code handle).
// Aligned so that an exit can report (JitBlock* | slot) in one register,
// slot < 16 (jit.cpp: goto_tb slots and the hot exit).
struct alignas(16) JitBlock {
  const uint8_t* entry = nullptr;  // nullptr: runs `interp` (fallback)
  void* interp = nullptr;
  void* owner = nullptr;           // exec's TranslationBlock
  uint8_t* jmp_disp[ir::kMaxGotoTbSlots] = {};    // rel32 field of goto_tb slot's jump
  const uint8_t* stub[ir::kMaxGotoTbSlots] = {};  // where that jump goes when not chained
  size_t size = 0;
  unsigned region = 0;
  // Entry countdown of blocks compiled with a hot threshold (the code
  // decrements it in place; see jit.cpp).
  int32_t hot_counter = 0;
};

// Host CPU features used by the code generator (cpuid).
struct HostFeatures {
  bool lzcnt, bmi1, bmi2, popcnt;
  static const HostFeatures& get();
};

// Thrown when a block needs more spill slots than the frame has; the caller
// falls back to the interpreter.
struct FrameFull {};

class Compiler : public Xbyak::CodeGenerator {
 public:
  Compiler(uint8_t* at, size_t avail, const ir::Block& b, JitBlock* jb);
  void run();  // throws Xbyak::Error (buffer too small) or FrameFull
  std::vector<FaultPoint> fault_points;
  std::vector<uint32_t> fault_regs;  // recovery lists of fault_points (code_buffer.h)

 private:
  struct Temp {
    int8_t reg = -1;         // host register holding the value, or -1
    bool dirty = false;      // register is newer than memory
    bool mem_valid = false;  // memory (env slot / spill slot) holds the value
    int16_t slot = -1;       // spill slot (locals)
    uint32_t last_use = 0;   // index of the last op reading it (locals, consts)
    int8_t pin = -1;         // pinned global: its host register
  };
  struct FaultStub {  // out-of-line exit of a failed guest address check
    Xbyak::Label label;
    int addr_reg;
    uint64_t code;
    bool write;
    bool has_pc;
    uint64_t pc;
    bool fence;  // a barrier is owed on this path (see track_barriers)
    std::vector<uint32_t> sync;  // dirty globals to store (recover_entry words)
  };

  // --- liveness and temps (compiler.cpp) ---
  void compute_liveness();
  bool pcs_are_static();
  // pcs_are_static's values per label: a guest pc or one of these.
  static constexpr uint64_t kEntry = ~uint64_t{0};  // env insn_pc as on entry
  static constexpr uint64_t kUnset = ~uint64_t{1};  // not reached
  static constexpr uint64_t kAny = ~uint64_t{2};    // an insn_start follows the label
  std::vector<uint64_t> label_pc_;
  bool is_global(uint32_t t) const { return b_.temps[t].kind == ir::TempKind::Global; }
  bool is_const(uint32_t t) const { return b_.temps[t].kind == ir::TempKind::Const; }
  bool is_i32(uint32_t t) const { return b_.temps[t].type == ir::Type::I32; }
  bool live_after(uint32_t t) const { return is_global(t) || tmp_[t].last_use > idx_; }
  uint64_t const_val(uint32_t t) const;
  bool imm32_of(uint32_t t, bool i32, int32_t* v) const;
  Xbyak::Address mem_of(uint32_t t);

  // --- register allocation (regalloc.cpp) ---
  int alloc(uint32_t lock);
  void evict(int r);
  void reserve(int r, uint32_t* lock);  // evicts r and locks it
  void to_memory(uint32_t t);           // makes memory hold t's value
  int use(uint32_t t, uint32_t* lock);
  void load_into(int r, uint32_t t);    // copies t's value into r (r not bound)
  void bind(uint32_t t, int r);         // t's new value is in r
  int dest_for(uint32_t out, uint32_t a, int ra, uint32_t* lock);
  bool can_clobber(int ra, uint32_t out, uint32_t a) const;
  bool value_dead(uint32_t t) const;
  void take(int ra, uint32_t out);
  void link(uint32_t t, int r);
  void unlink(uint32_t t);
  void free_dead();
  void drop(int r);
  void write_back_globals(bool pinned_too = true);
  void drop_globals();
  void spill_live_locals();
  void forget_all();
  void sync_overlapping(int32_t off, int size, bool drop_them);
  int fresh_out(uint32_t out, uint32_t lock);  // a register to compute out into

  // --- pinned globals (regalloc_pin.cpp) ---
  void choose_pins();
  void load_pins();
  void track_pins(const ir::Op& op);
  void restore_pins();
  uint32_t first_control_op() const;
  void pins_at_label();
  uint32_t pin_dirty_mask() const;
  uint32_t park_pins();            // before a call: caller-saved pins to env
  void unpark_pins(uint32_t regs);  // after it: reloaded
  bool pinned_reg(int r) const { return (pinned_mask_ >> r) & 1; }

  // --- emission (emit_alu.cpp, emit_mem.cpp, emit_ctl.cpp) ---
  void emit(const ir::Op& op);
  void emit_mov(const ir::Op& op);
  void emit_binary(const ir::Op& op);
  void emit_unary(const ir::Op& op);
  void emit_shift(const ir::Op& op);
  void emit_bitcount(const ir::Op& op);
  void emit_mulh(const ir::Op& op);
  void emit_div(const ir::Op& op);
  void emit_setcond(const ir::Op& op);
  void emit_movcond(const ir::Op& op);
  void emit_cmp(uint32_t a, uint32_t b, bool i32, uint32_t* lock);
  void emit_load(const ir::Op& op);
  void emit_store(const ir::Op& op);
  void emit_atomic_rmw(const ir::Op& op);
  void emit_cmpxchg(const ir::Op& op);
  void emit_env(const ir::Op& op);
  void emit_call(const ir::Op& op);
  void emit_call_fn(const void* fn, uint32_t flags, const uint32_t* args, int n_args, uint32_t out);
  void emit_brcond(const ir::Op& op);
  void emit_goto_tb(const ir::Op& op);
  void emit_exit(uint64_t code);
  void emit_goto_ptr();
  void check_guest_addr(int ra, ir::MemOp m, bool write);
  // --- system mode: guest memory through the softMMU TLB (emit_softmmu.cpp) ---
  struct MmuStub {  // out-of-line slow path of one access
    Xbyak::Label label, back;
    enum Kind : uint8_t { kLoad, kStore, kAtomic } kind;
    ir::MemOp m;
    bool i32;         // load: i32 output; store: i32 value
    int addr_reg;
    int val_reg;      // store: the value
    int out_reg;      // load: the result; atomic: the host address
    uint32_t save;    // caller-saved registers to keep across the call
    bool has_pc;
    uint64_t pc;
    bool fence;       // a barrier is owed on this path (see track_barriers)
    std::vector<uint32_t> sync;  // dirty globals to store (recover_entry words)
  };
  bool system_mode() const { return b_.mmu_idx >= 0; }
  MmuStub& tlb_check(MmuStub::Kind kind, int ra, ir::MemOp m, int rt, uint32_t keep, int out);
  void emit_sys_load(const ir::Op& op);
  void emit_sys_store(const ir::Op& op);
  int sys_atomic_host(int ra, ir::MemOp m, uint32_t* lock);
  void emit_mmu_stubs();
  std::deque<MmuStub> mmu_stubs_;  // deque: Labels must not move
  void record_fault_point();
  void sync_for_memory();
  bool encodable(uint32_t t) const;
  void dirty_globals(std::vector<uint32_t>* out) const;
  void emit_stubs();
  // --- IEEE floating point (emit_fp.cpp) ---
  struct FpStub {  // out-of-line fix-up of one FP op (NaN result, int saturation)
    Xbyak::Label label, back;
    ir::Opcode opc;
    int rd = -1;  // float -> int: the destination register
  };
  void emit_fp(const ir::Op& op);
  void fp_load(const Xbyak::Xmm& x, uint32_t t, bool f32);
  void emit_fp_stubs();
  std::deque<FpStub> fp_stubs_;  // deque: Labels must not move
  void track_barriers(const ir::Op& op);
  void settle_barrier();

  const ir::Block& b_;
  JitBlock* jb_;
  std::vector<Temp> tmp_;
  std::vector<uint32_t> regs_[16];  // temps whose value is in each host register
  std::vector<Xbyak::Label> labels_;
  std::vector<uint8_t> slot_used_;
  std::deque<FaultStub> fault_stubs_;  // deque: Labels must not move
  std::vector<uint32_t> globals_;  // temp indices of the globals
  // Per global (index in globals_): (op index, kEvRead/kEvWrite/both) of
  // every op that references it, in order; ops after which env must be exact.
  static constexpr uint8_t kEvRead = 1, kEvWrite = 2;
  std::vector<uint32_t> global_index_;
  std::vector<std::vector<std::pair<uint32_t, uint8_t>>> global_events_;
  std::vector<uint32_t> sync_points_;
  Xbyak::Label interrupt_;
  // Memory barriers (track_barriers): an `mb` becomes an mfence only when a
  // guest access, helper or exit follows before a locked instruction.
  bool fence_pending_ = false;
  bool after_locked_ = false;  // no guest access since a locked instruction
  std::vector<uint8_t> label_owes_, label_locked_, loop_header_;
  uint32_t idx_ = 0;               // index of the op being compiled
  // `and t, x, imm` left to the next op, `brcond t ==/!= 0`, as `test x, imm`
  // (fuse_test); t is then never computed.
  uint32_t test_out_ = UINT32_MAX, test_in_ = 0;
  int32_t test_imm_ = 0;
  bool fuse_test(const ir::Op& op);
  // `ld_env t, off` left to the next op, `brcond t, imm`, as a compare with
  // env memory (fuse_env_cmp; the exit_request check of region back edges).
  uint32_t env_cmp_out_ = UINT32_MAX;
  int32_t env_cmp_off_ = 0;
  bool fuse_env_cmp(const ir::Op& op);
  bool dynamic_pc_ = false;        // insn_pc kept in env (pcs_are_static)
  bool has_pc_ = false;            // an insn_start was seen
  uint64_t pc_ = 0;                // its guest pc
  bool lazy_ = true;               // lazy state recovery (see above)
  uint32_t pinned_mask_ = 0;       // host registers owned by pinned globals
  std::vector<uint32_t> pinned_;   // the pinned globals
  std::vector<uint8_t> pin_written_;  // per pinned_: written somewhere in the block
  // Pinned globals possibly dirty (bit i: pinned_[i]) on the branches to
  // each label so far, at the next label, and whether control falls through.
  std::vector<uint32_t> label_pin_dirty_;
  uint32_t next_label_dirty_ = 0;
  bool falls_through_ = true;
  std::vector<std::pair<uint32_t, uint32_t>> loops_;  // (label op, back-edge op)
  std::vector<uint32_t> last_list_;  // the last recovery list in fault_regs
  uint32_t last_list_idx_ = kNoRegs;
};

}  // namespace mimic::backend::x64
