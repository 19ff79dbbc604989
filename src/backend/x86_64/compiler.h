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
// dirty globals are written back and live locals spilled; a label forgets
// every register. Dirty globals are also written back before every op that
// can leave the block in the middle (guest memory ops, helper calls, exits),
// so that env is exactly the interpreter's state there; the guest pc of each
// host instruction that may fault is recorded instead of storing insn_pc.
#include <cstdint>
#include <deque>
#include <vector>
#include <xbyak/xbyak.h>

#include "backend/x86_64/code_buffer.h"
#include "backend/x86_64/frame.h"
#include "ir/ir.h"

namespace mimic::backend::x64 {

// The compiled form of one block (the Backend's opaque code handle).
struct JitBlock {
  const uint8_t* entry = nullptr;  // nullptr: runs `interp` (fallback)
  void* interp = nullptr;
  void* owner = nullptr;           // exec's TranslationBlock
  uint8_t* jmp_disp[2] = {};       // rel32 field of goto_tb slot's jump
  const uint8_t* stub[2] = {};     // where that jump goes when not chained
  size_t size = 0;
  unsigned region = 0;
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

 private:
  struct Temp {
    int8_t reg = -1;         // host register holding the value, or -1
    bool dirty = false;      // register is newer than memory
    bool mem_valid = false;  // memory (env slot / spill slot) holds the value
    int16_t slot = -1;       // spill slot (locals)
    uint32_t last_use = 0;   // index of the last op reading it (locals, consts)
  };
  struct FaultStub {  // out-of-line exit of a failed guest address check
    Xbyak::Label label;
    int addr_reg;
    uint64_t code;
    bool write;
    bool has_pc;
    uint64_t pc;
    bool fence;  // a barrier is owed on this path (see track_barriers)
  };

  // --- liveness and temps (compiler.cpp) ---
  void compute_liveness();
  bool pcs_are_static() const;
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
  void write_back_globals();
  void drop_globals();
  void spill_live_locals();
  void forget_all();
  void sync_overlapping(int32_t off, int size, bool drop_them);

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
  void record_fault_point();
  void emit_stubs();
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
  bool dynamic_pc_ = false;        // insn_pc kept in env (pcs_are_static)
  bool has_pc_ = false;            // an insn_start was seen
  uint64_t pc_ = 0;                // its guest pc
};

}  // namespace mimic::backend::x64
