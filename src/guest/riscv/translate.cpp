// The RISC-V translator's driver: Ctx services, the per-block loop that
// fetches, decodes and translates instructions, and the GuestOps the
// execution loop calls.
#include "guest/riscv/translate.h"

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/log.h"
#include "exec/host_fp.h"
#include "guest/riscv/decode.h"
#include "guest/riscv/disasm.h"
#include "guest/riscv/system.h"

namespace mimic::riscv {
namespace {

constexpr uint64_t kPageSize = 4096;
// Upper bound of instructions per block; keeps blocks and their IR small.
constexpr uint32_t kMaxBlockInsns = 512;

constexpr int32_t kPcOffset =
    static_cast<int32_t>(offsetof(RiscvCpu, common) + offsetof(exec::CpuCommon, pc));

constexpr int32_t kFaultAddrOffset =
    static_cast<int32_t>(offsetof(RiscvCpu, common) + offsetof(exec::CpuCommon, fault_addr));

[[noreturn]] void fetch_fault(exec::CpuCommon* c, uint64_t addr) {
  c->fault_addr = addr;
  c->fault_write = false;
  exec::raise_exit(c, ir::kExitFault);
}

// Reads the instruction at `pc`. An instruction that is not the first of the
// block is not fetched (returns false, the block ends before it) when it
// straddles the page end or lies outside guest memory, so that a fetch fault
// is always raised with the block's state exact: at its first instruction.
// Faults on the first instruction leave through raise_exit (or the host fault
// handler for unmapped pages, with insn_pc already set).
bool fetch(RiscvCpu* cpu, uint64_t pc, bool first, uint64_t page_end, uint32_t* raw,
           unsigned* len) {
  exec::CpuCommon* c = &cpu->common;
  c->insn_pc = pc;
  if (pc >= c->guest_limit || c->guest_limit - pc < 2) {
    if (!first) return false;
    fetch_fault(c, pc);
  }
  uint16_t lo;
  // Safe: [pc, pc+2) is below guest_limit, inside the reserved guest range.
  std::memcpy(&lo, c->guest_base + pc, 2);
  if (insn_length(lo) == 2) {
    *raw = lo;
    *len = 2;
    return true;
  }
  if (pc + 2 >= page_end && !first) return false;
  if (c->guest_limit - pc < 4) fetch_fault(c, pc + 2);
  uint16_t hi;
  std::memcpy(&hi, c->guest_base + pc + 2, 2);
  *raw = static_cast<uint32_t>(hi) << 16 | lo;
  *len = 4;
  return true;
}

constexpr int32_t kMstatusOffset = static_cast<int32_t>(offsetof(RiscvCpu, mstatus));

// System mode, F/D instructions (privileged spec §3.1.6.6): illegal when
// mstatus.FS is Off; with FS Initial or Clean, FS becomes Dirty before the
// instruction (conservatively, whether or not it writes FP state, which the
// spec allows) and the block ends after it, as FS is in the TB flags.
// Returns false when illegal.
bool fp_state_prologue(Ctx& ctx, bool* end_after) {
  const uint64_t fs = (ctx.flags >> kTbFlagsFsShift) & 3;
  if (fs == 0) return false;
  if (fs != 3) {
    ir::Builder& b = ctx.b;
    b.st_env(kMstatusOffset,
             b.or_(b.ld_env(kMstatusOffset), b.const_i64(uint64_t{3} << 13)));
    *end_after = true;
  }
  return true;
}

void translate_one(Ctx& ctx, uint32_t raw, unsigned len) {
  const uint32_t insn = len == 2 ? expand_compressed(static_cast<uint16_t>(raw)) : raw;
  const InsnDesc* d = insn != 0 ? decode32(insn) : nullptr;
  std::vector<ir::Op>& ops = ctx.b.block().ops;
  const size_t mark = ops.size();
  bool end_after = false;
  if (d != nullptr && (!ctx.system() || !insn_is_fp(d) || fp_state_prologue(ctx, &end_after)) &&
      d->trans(ctx, extract_args(insn, d->kind))) {
    if (end_after && !ctx.ended) ctx.exit_to(ctx.next_pc, ir::kExitNormal);
    return;
  }
  // Illegal: drop whatever the trans function emitted before refusing.
  ops.resize(mark);
  ctx.ended = false;
  if (ctx.system()) {
    ctx.raise_trap(kCauseIllegal, raw);  // tval = the instruction bits (§3.1.16)
  } else {
    ctx.raise(kExitIllegal);
  }
}

uint64_t user_tb_flags(const exec::CpuCommon* common) {
  // User mode: XLEN, privilege and FP state are fixed; the dynamic rounding
  // mode selects host-FPU fast paths (translate_fp.cpp, kTbFlagsFrmMask).
  return reinterpret_cast<const RiscvCpu*>(common)->frm & kTbFlagsFrmMask;
}

}  // namespace

void translate_block(exec::CpuCommon* common, uint64_t pc0, uint64_t flags, ir::Block& out) {
  auto* cpu = reinterpret_cast<RiscvCpu*>(common);
  ir::Builder b(out);
  out.guest_pc = pc0;
  const bool system = (flags & kTbFlagsSystem) != 0;
  // System mode: data accesses go through the softMMU at the index chosen
  // by tb_flags (system.h); user mode keeps mmu_idx = -1.
  if (system) out.mmu_idx = static_cast<int32_t>((flags >> kTbFlagsMmuShift) & 3);
  const uint8_t* host = nullptr;
  Ctx ctx{b, cpu, flags, pc0, pc0};
  const uint64_t page_end = (pc0 | (kPageSize - 1)) + 1;
  const bool log_asm = log::enabled(log::kInAsm);
  std::string listing;
  uint64_t pc = pc0;
  uint32_t n = 0;
  for (;;) {
    uint32_t raw;
    unsigned len;
    const bool ok = system ? fetch_system(cpu, pc, pc0, n == 0, flags, &host, out, &raw, &len)
                           : fetch(cpu, pc, n == 0, page_end, &raw, &len);
    if (!ok) {
      ctx.jump_to(0, pc);
      break;
    }
    if (log_asm) {
      char head[48];
      std::snprintf(head, sizeof head, len == 4 ? "0x%016llx:  %08x  " : "0x%016llx:  %04x      ",
                    static_cast<unsigned long long>(pc), raw);
      listing += head;
      listing += disassemble(pc, raw, len);
      listing += '\n';
    }
    ctx.pc = pc;
    ctx.next_pc = pc + len;
    ctx.ended = false;
    b.insn_start(pc);
    translate_one(ctx, raw, len);
    ++n;
    pc += len;
    if (ctx.ended) break;
    if (n >= kMaxBlockInsns || pc >= page_end) {
      ctx.jump_to(0, pc);
      break;
    }
  }
  out.guest_size = static_cast<uint32_t>(pc - pc0);
  out.guest_insns = n;
  if (log_asm) log::printf("----------------\nIN:\n%s\n", listing.c_str());
}

namespace {

void dump_state(const exec::CpuCommon* common) {
  const auto* cpu = reinterpret_cast<const RiscvCpu*>(common);
  std::string s;
  char buf[64];
  std::snprintf(buf, sizeof buf, " pc       %016llx\n",
                static_cast<unsigned long long>(common->pc));
  s += buf;
  for (int i = 0; i < 32; ++i) {
    std::snprintf(buf, sizeof buf, " x%-2d/%-4s %016llx%s", i, gpr_name(i),
                  static_cast<unsigned long long>(cpu->x[i]), i % 4 == 3 ? "\n" : "");
    s += buf;
  }
  for (int i = 0; i < 32; ++i) {
    std::snprintf(buf, sizeof buf, " f%-2d/%-4s %016llx%s", i, fpr_name(i),
                  static_cast<unsigned long long>(cpu->f[i]), i % 4 == 3 ? "\n" : "");
    s += buf;
  }
  // Between blocks the host FP status holds this guest's pending flags.
  std::snprintf(buf, sizeof buf, " fflags %02llx frm %llx\n",
                static_cast<unsigned long long>(read_fflags(*cpu) | exec::peek_host_fp_flags()),
                static_cast<unsigned long long>(cpu->frm));
  s += buf;
  log::printf("%s", s.c_str());
}

}  // namespace

ir::I64 Ctx::gpr(int r) {
  if (r == 0) return b.const_i64(0);
  return b.global(xreg_offset(r), gpr_name(r));
}

void Ctx::set_gpr(int r, ir::I64 v) {
  if (r != 0) b.mov(gpr(r), v);
}

ir::I64 Ctx::fpr(int r) { return b.global(freg_offset(r), fpr_name(r)); }

void Ctx::set_fpr(int r, ir::I64 v) { b.mov(fpr(r), v); }

ir::I64 Ctx::global(int32_t env_offset, const char* name) { return b.global(env_offset, name); }

void Ctx::jump_to(unsigned slot, uint64_t target) {
  b.goto_tb(slot, target);
  ended = true;
}

void Ctx::jump_indirect(ir::I64 target) {
  b.mov(b.global(kPcOffset, "pc"), target);
  b.goto_ptr();
  ended = true;
}

void Ctx::raise(uint64_t code) {
  b.mov(b.global(kPcOffset, "pc"), b.const_i64(pc));
  b.exit_tb(code);
  ended = true;
}

void Ctx::raise_if(ir::Cond cond, ir::I64 x, ir::I64 y, uint64_t code,
                   std::optional<ir::I64> fault_addr) {
  const ir::Label skip = b.new_label();
  b.brcond(ir::invert(cond), x, y, skip);
  if (fault_addr) b.st_env(kFaultAddrOffset, *fault_addr);
  b.mov(b.global(kPcOffset, "pc"), b.const_i64(pc));
  b.exit_tb(code);
  b.set_label(skip);
}

void Ctx::exit_to(uint64_t target, uint64_t code) {
  b.mov(b.global(kPcOffset, "pc"), b.const_i64(target));
  b.exit_tb(code);
  ended = true;
}

namespace {
constexpr int32_t kTrapCauseOffset = static_cast<int32_t>(offsetof(RiscvCpu, trap_cause));
constexpr int32_t kTrapTvalOffset = static_cast<int32_t>(offsetof(RiscvCpu, trap_tval));
}  // namespace

void Ctx::raise_trap(uint64_t cause, uint64_t tval) {
  b.st_env(kTrapCauseOffset, b.const_i64(cause));
  b.st_env(kTrapTvalOffset, b.const_i64(tval));
  raise(kExitTrap);
}

void Ctx::raise_trap_if(ir::Cond cond, ir::I64 x, ir::I64 y, uint64_t cause, ir::I64 tval) {
  const ir::Label skip = b.new_label();
  b.brcond(ir::invert(cond), x, y, skip);
  b.st_env(kTrapCauseOffset, b.const_i64(cause));
  b.st_env(kTrapTvalOffset, tval);
  b.mov(b.global(kPcOffset, "pc"), b.const_i64(pc));
  b.exit_tb(kExitTrap);
  b.set_label(skip);
}

void Ctx::exit_dynamic(ir::I64 target, uint64_t code) {
  b.mov(b.global(kPcOffset, "pc"), target);
  b.exit_tb(code);
  ended = true;
}

const exec::GuestOps& guest_ops() {
  static const exec::GuestOps ops{&user_tb_flags, &translate_block, &dump_state};
  return ops;
}

}  // namespace mimic::riscv
