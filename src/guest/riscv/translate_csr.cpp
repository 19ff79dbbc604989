// Zicsr for the user-level CSRs and Zifencei (RISC-V unprivileged ISA
// 20191213, ch. 3, 9, 10; privileged spec 20211203 §2.1-2.2 for the CSR
// numbers and their read-only ranges).
//
// csrrw/csrrwi with rd = x0 do not read the CSR; csrrs/csrrc with rs1 = x0
// and the *i forms with zimm = 0 do not write it (§9.1). Writing a read-only
// CSR (bits 11:10 = 11), or accessing any CSR not listed here, is an illegal
// instruction.
#include <cstddef>
#include <ctime>

#include "exec/cpu_loop.h"
#include "exec/host_fp.h"
#include "guest/riscv/csr.h"
#include "guest/riscv/translate.h"
#include "ir/helper.h"

namespace mimic::riscv {

using ir::I64;

namespace {

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// User mode has no cycle or retired-instruction counter of its own: both
// read the host's monotonic clock in nanoseconds, which is monotonic and
// advances while the program runs. time counts at 10 MHz, the timebase of
// the usual riscv64 boards (and of QEMU's virt).
uint64_t helper_rdcycle(void*, uint64_t, uint64_t, uint64_t, uint64_t) { return monotonic_ns(); }
uint64_t helper_rdtime(void*, uint64_t, uint64_t, uint64_t, uint64_t) {
  return monotonic_ns() / 100;
}

// fence.i: drop every translation so that code stored since is re-read.
uint64_t helper_fence_i(void*, uint64_t, uint64_t, uint64_t, uint64_t) {
  exec::invalidate_all();
  return 0;
}

// fflags as the guest sees it: with the flags that the IR's FP ops left
// pending in the host FP status (riscv/cpu.h), which stay there (flags are
// sticky ORs: being in both places is harmless). A write drops them.
uint64_t helper_read_fflags(void* env, uint64_t, uint64_t, uint64_t, uint64_t) {
  return read_fflags(*static_cast<RiscvCpu*>(env)) | exec::peek_host_fp_flags();
}
uint64_t helper_write_fflags(void* env, uint64_t v, uint64_t, uint64_t, uint64_t) {
  auto* cpu = static_cast<RiscvCpu*>(env);
  exec::clear_host_fp_flags();
  write_fflags(*cpu, v);
  return 0;
}

// Registered on first use (before translation needs them), flags 0: not
// pure, so never merged or removed.
uint32_t rdcycle_index() {
  static const uint32_t i = ir::register_helper({"riscv_rdcycle", &helper_rdcycle, 0});
  return i;
}
uint32_t rdtime_index() {
  static const uint32_t i = ir::register_helper({"riscv_rdtime", &helper_rdtime, 0});
  return i;
}
uint32_t fence_i_index() {
  static const uint32_t i = ir::register_helper({"riscv_fence_i", &helper_fence_i, 0});
  return i;
}

uint32_t read_fflags_index() {
  static const uint32_t i =
      ir::register_helper({"riscv_read_fflags", &helper_read_fflags, ir::kHelperReadsEnv});
  return i;
}
uint32_t write_fflags_index() {
  static const uint32_t i = ir::register_helper(
      {"riscv_write_fflags", &helper_write_fflags, ir::kHelperReadsEnv | ir::kHelperWritesEnv});
  return i;
}

bool csr_known(uint16_t csr) {
  switch (csr) {
    case kCsrFflags:
    case kCsrFrm:
    case kCsrFcsr:
    case kCsrCycle:
    case kCsrTime:
    case kCsrInstret:
      return true;
    default:
      return false;
  }
}

bool csr_read_only(uint16_t csr) { return (csr >> 10) == 3; }

I64 frm_reg(Ctx& c) { return c.global(static_cast<int32_t>(offsetof(RiscvCpu, frm)), "frm"); }

// Current value, in a fresh temporary (the CSR may be written next).
I64 read_csr(Ctx& c, uint16_t csr) {
  ir::Builder& b = c.b;
  switch (csr) {
    case kCsrFflags:
      return b.call(read_fflags_index());
    case kCsrFrm:
      return b.or_(frm_reg(c), b.const_i64(0));
    case kCsrFcsr:
      return b.or_(b.shl(frm_reg(c), b.const_i64(5)), b.call(read_fflags_index()));
    case kCsrCycle:
    case kCsrInstret:
      return b.call(rdcycle_index());
    default:  // kCsrTime
      return b.call(rdtime_index());
  }
}

// fcsr = frm[7:5] | fflags[4:0]; bits above are reserved and read as zero.
void write_csr(Ctx& c, uint16_t csr, I64 v) {
  ir::Builder& b = c.b;
  switch (csr) {
    case kCsrFflags:
      b.call(write_fflags_index(), {v});
      break;
    case kCsrFrm:
      b.mov(frm_reg(c), b.and_(v, b.const_i64(7)));
      break;
    case kCsrFcsr:
      b.call(write_fflags_index(), {v});  // masks to 0x1f
      b.mov(frm_reg(c), b.and_(b.shr(v, b.const_i64(5)), b.const_i64(7)));
      break;
    default:
      break;  // read-only: refused before emitting
  }
}

bool csr_access(Ctx& c, const Args& a, CsrOp op, bool uimm) {
  if (c.system()) return translate_csr_system(c, a, uimm);
  ir::Builder& b = c.b;
  const bool writes = op == CsrOp::kWrite || a.rs1 != 0;
  const bool reads = op != CsrOp::kWrite || a.rd != 0;
  if (!csr_known(a.csr) || (writes && csr_read_only(a.csr))) return false;
  const I64 src = uimm ? b.const_i64(a.rs1) : c.gpr(a.rs1);
  I64 old{};
  if (reads) old = read_csr(c, a.csr);
  if (writes) {
    I64 nv = src;
    if (op == CsrOp::kSet) nv = b.or_(old, src);
    if (op == CsrOp::kClear) nv = b.andc(old, src);
    write_csr(c, a.csr, nv);
  }
  if (reads) c.set_gpr(a.rd, old);
  // frm is part of the TB flags (cpu.h): continue in a block translated for
  // the new mode, looked up afresh (unchained).
  if (writes && (a.csr == kCsrFrm || a.csr == kCsrFcsr)) c.exit_to(c.next_pc, ir::kExitNormal);
  return true;
}

}  // namespace

bool trans_csrrw(Ctx& c, const Args& a) { return csr_access(c, a, CsrOp::kWrite, false); }
bool trans_csrrs(Ctx& c, const Args& a) { return csr_access(c, a, CsrOp::kSet, false); }
bool trans_csrrc(Ctx& c, const Args& a) { return csr_access(c, a, CsrOp::kClear, false); }
bool trans_csrrwi(Ctx& c, const Args& a) { return csr_access(c, a, CsrOp::kWrite, true); }
bool trans_csrrsi(Ctx& c, const Args& a) { return csr_access(c, a, CsrOp::kSet, true); }
bool trans_csrrci(Ctx& c, const Args& a) { return csr_access(c, a, CsrOp::kClear, true); }

// The block ends unchained right after fence.i, so the next instruction is
// fetched anew from the (possibly rewritten) memory. System mode needs no
// invalidation: the softMMU tracks stores to pages holding translated code.
bool trans_fence_i(Ctx& c, const Args&) {
  c.b.mb();
  if (!c.system()) c.b.call(fence_i_index());
  c.exit_to(c.next_pc, ir::kExitNormal);
  return true;
}

}  // namespace mimic::riscv
