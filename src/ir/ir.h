#pragma once
// The intermediate representation: a translation block is a list of ops over
// typed temporaries. See opcodes.inc for the ops and their exact semantics.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mimic::ir {

enum class Type : uint8_t { I32, I64, X };

enum OpFlags : uint32_t {
  kSideEffect = 1u << 0,
  kBranch = 1u << 1,
  kEndsBlock = 1u << 2,
  kMemory = 1u << 3,
};

enum class Opcode : uint16_t {
#define OP(name, type, nout, nin, nconst, flags) name,
#include "ir/opcodes.inc"
#undef OP
  kCount
};

struct OpInfo {
  const char* name;
  Type type;
  uint8_t n_out, n_in, n_const;
  uint32_t flags;
};
extern const OpInfo kOpInfo[static_cast<int>(Opcode::kCount)];
inline const OpInfo& info(Opcode op) { return kOpInfo[static_cast<int>(op)]; }
// Type of value argument i (outputs first, then inputs) of `op`; resolves the
// X (mixed) ops: ld/st_i32 take an i64 address, extu/exts/trunc convert.
Type arg_type(Opcode op, unsigned i);

// Conditions for setcond/movcond/brcond. Signed and unsigned orderings.
enum class Cond : uint8_t { EQ, NE, LT, GE, LE, GT, LTU, GEU, LEU, GTU };
const char* cond_name(Cond c);
Cond invert(Cond c);  // !(a c b) == (a invert(c) b)

// Guest memory access descriptor (little-endian guests and host).
struct MemOp {
  uint8_t size_log2 : 2;  // 0 = byte .. 3 = 8 bytes
  uint8_t is_signed : 1;  // loads: sign-extend to the output width
  uint8_t aligned : 1;    // misaligned access raises the guest's alignment fault
  uint8_t pad : 4;
  uint64_t encode() const { return size_log2 | (is_signed << 2) | (aligned << 3); }
  static MemOp decode(uint64_t v) {
    MemOp m{};
    m.size_log2 = v & 3;
    m.is_signed = (v >> 2) & 1;
    m.aligned = (v >> 3) & 1;
    return m;
  }
  unsigned size() const { return 1u << size_log2; }
};
inline MemOp memop(unsigned size_log2, bool is_signed = false, bool aligned = false) {
  MemOp m{};
  m.size_log2 = size_log2;
  m.is_signed = is_signed;
  m.aligned = aligned;
  return m;
}

// Operation of atomic_rmw_i64 (old value is returned; memory gets op(old, val)).
enum class AtomicOp : uint8_t { Xchg, Add, And, Or, Xor, Smin, Smax, Umin, Umax };
const char* atomic_op_name(AtomicOp a);

// Why a block returned to the execution loop (exit_tb's constant). Codes at
// and above kExitGuest are guest-defined (exceptions, system calls) and carry
// the pc of the instruction that raised them in env pc.
enum ExitCode : uint64_t {
  kExitNormal = 0,     // continue at env pc
  kExitInterrupt = 1,  // exit_request was set (signal, other thread); env pc is exact
  kExitFault = 2,      // guest memory fault: CpuCommon::fault_addr / fault_write
  kExitMisaligned = 3, // MemOp.aligned access at a misaligned address: fault_addr
  kExitGuest = 16,     // first guest-defined code (exceptions, system calls)
};

// A temporary. Globals live in the CPU state at a fixed byte offset from the
// env pointer and are always i64; locals live for one block (across labels);
// constants hold their value.
enum class TempKind : uint8_t { Global, Local, Const };
struct TempInfo {
  Type type;
  TempKind kind;
  int32_t env_offset;  // Global only
  uint64_t value;      // Const only (i32 constants are zero-extended)
  std::string name;    // Global only, for the printer
};

// Typed handles make ill-typed IR a compile error in the translators.
struct I32 {
  uint32_t idx;
};
struct I64 {
  uint32_t idx;
};
struct Label {
  uint32_t id;
};

// goto_tb slots per block: 0 .. kMaxGotoTbSlots-1 (translators use 0/1;
// exec's hot regions number their exits up to this bound).
constexpr unsigned kMaxGotoTbSlots = 8;

constexpr int kMaxArgs = 6;
struct Op {
  Opcode opc;
  uint8_t n_args;
  // outputs (temp indices), inputs (temp indices), constants, in that order
  uint64_t args[kMaxArgs];

  const OpInfo& inf() const { return info(opc); }
  uint32_t out(int i) const { return static_cast<uint32_t>(args[i]); }
  uint32_t in(int i) const { return static_cast<uint32_t>(args[inf().n_out + i]); }
  uint64_t cst(int i) const { return args[inf().n_out + inf().n_in + i]; }
};

struct Block {
  uint64_t guest_pc = 0;      // pc of the first instruction
  uint64_t tb_flags = 0;      // translation flags it was made for (exec)
  uint32_t guest_size = 0;    // bytes of guest code covered
  uint32_t guest_insns = 0;   // instructions translated
  // Guest memory model of the block's ld/st/atomic ops: -1 = user mode
  // (host = guest_base + addr after the guest_limit check); 0..3 = system
  // mode, every access goes through the softMMU TLB (memory/softmmu.h) at
  // this MMU index. Set by the translator from the translation flags.
  int32_t mmu_idx = -1;
  // System mode: physical page (4 KiB aligned) of the second page a block's
  // last instruction extends into, or ~0 when it stays in its first page.
  uint64_t phys_page2 = ~uint64_t{0};
  std::vector<TempInfo> temps;
  std::vector<Op> ops;
  uint32_t n_labels = 0;
};

// An op with `temps` then `consts` as its arguments (the builder and the
// block merger both emit through this). Aborts on more than kMaxArgs.
Op make_op(Opcode opc, std::initializer_list<uint32_t> temps, std::initializer_list<uint64_t> consts);

}  // namespace mimic::ir
