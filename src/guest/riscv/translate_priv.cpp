// System-mode translation: instruction fetch through the softMMU, Zicsr on
// the privileged CSRs, and the privileged instructions mret, sret, wfi and
// sfence.vma (RISC-V privileged spec 20211203 §3.3, §4.2.1). User-mode
// blocks never reach this file's trans functions' system paths (they refuse).
#include <cstring>

#include "guest/riscv/csr.h"
#include "guest/riscv/system.h"
#include "guest/riscv/translate.h"
#include "ir/helper.h"
#include "memory/softmmu.h"

namespace mimic::riscv {

using ir::I64;

namespace {

constexpr uint64_t kPageSize = memory::kTlbPageSize;
constexpr uint32_t kEnvAll = ir::kHelperReadsEnv | ir::kHelperWritesEnv | ir::kHelperMayRaise;

RiscvCpu& cpu_of(void* env) { return *static_cast<RiscvCpu*>(env); }

// After a change that may make an interrupt takeable (CSR write, xRET): the
// block ends (kExitNormal, the loop recomputes the TB flags) and, if one is
// now pending and enabled, exit_request makes the execution loop return
// kExitInterrupt before the next block, so that the vCPU loop's handle_exit
// takes it with pc = the next instruction. Staying in the loop otherwise
// keeps kernel entry/exit paths (sstatus writes, sret) cheap.
void request_exit_if_interrupt(RiscvCpu& cpu) {
  if (pending_interrupt(cpu) >= 0) cpu.common.exit_request.store(1, std::memory_order_relaxed);
}

// csrr*: a0 = the instruction, a1 = rs1's value or the zimm. Returns the
// CSR's old value; raises illegal instruction (tval = the instruction bits).
uint64_t helper_csr(void* env, uint64_t insn, uint64_t src, uint64_t, uint64_t) {
  RiscvCpu& cpu = cpu_of(env);
  uint64_t old = 0;
  if (!csr_execute(cpu, static_cast<uint32_t>(insn), src, &old))
    raise_exception(cpu, kCauseIllegal, insn);
  if (csr_write_ends_block(static_cast<uint16_t>(insn >> 20))) request_exit_if_interrupt(cpu);
  return old;
}

// mret: legal in M only (checked at translation). Returns the new pc.
uint64_t helper_mret(void* env, uint64_t, uint64_t, uint64_t, uint64_t) {
  const uint64_t pc = do_mret(cpu_of(env));
  request_exit_if_interrupt(cpu_of(env));
  return pc;
}

// sret: illegal in U (translation) and in S when mstatus.TSR (§3.1.6.5).
uint64_t helper_sret(void* env, uint64_t insn, uint64_t, uint64_t, uint64_t) {
  RiscvCpu& cpu = cpu_of(env);
  if (cpu.priv == kPrivS && (cpu.mstatus & kMstatusTsr)) raise_exception(cpu, kCauseIllegal, insn);
  const uint64_t pc = do_sret(cpu);
  request_exit_if_interrupt(cpu);
  return pc;
}

// wfi below M with mstatus.TW: illegal at once (the bounded time of §3.1.6.5
// is zero).
uint64_t helper_wfi_check(void* env, uint64_t insn, uint64_t, uint64_t, uint64_t) {
  RiscvCpu& cpu = cpu_of(env);
  if (cpu.priv < kPrivM && (cpu.mstatus & kMstatusTw)) raise_exception(cpu, kCauseIllegal, insn);
  return 0;
}

// sfence.vma (§4.2.1): illegal in S when mstatus.TVM. rs1 = x0 flushes
// every translation, else those of the page of vaddr (every ASID: the TLB
// is not tagged with them, rs2 is ignored).
uint64_t helper_sfence_vma(void* env, uint64_t insn, uint64_t vaddr, uint64_t, uint64_t) {
  RiscvCpu& cpu = cpu_of(env);
  if (cpu.priv == kPrivS && (cpu.mstatus & kMstatusTvm)) raise_exception(cpu, kCauseIllegal, insn);
  if (cpu.common.softmmu == nullptr) return 0;
  if (((insn >> 15) & 31) != 0) {
    memory::tlb_flush_page(&cpu.common, vaddr);
  } else {
    memory::tlb_flush(&cpu.common);
  }
  return 0;
}

uint32_t helper_index(const char* name, ir::HelperFn fn) {
  return ir::register_helper({name, fn, kEnvAll});
}
uint32_t csr_index() {
  static const uint32_t i = helper_index("riscv_csr", &helper_csr);
  return i;
}
uint32_t mret_index() {
  static const uint32_t i = helper_index("riscv_mret", &helper_mret);
  return i;
}
uint32_t sret_index() {
  static const uint32_t i = helper_index("riscv_sret", &helper_sret);
  return i;
}
uint32_t wfi_index() {
  static const uint32_t i = helper_index("riscv_wfi_check", &helper_wfi_check);
  return i;
}
uint32_t sfence_vma_index() {
  static const uint32_t i = helper_index("riscv_sfence_vma", &helper_sfence_vma);
  return i;
}

uint32_t fetch_mmu_idx(uint64_t flags) {
  const uint64_t priv = (flags >> kTbFlagsPrivShift) & 3;
  return priv == kPrivM ? kMmuIdxM : priv == kPrivS ? kMmuIdxS : kMmuIdxU;
}

uint16_t read16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

}  // namespace

bool fetch_system(RiscvCpu* cpu, uint64_t pc, uint64_t pc0, bool first, uint64_t flags,
                  const uint8_t** host, ir::Block& block, uint32_t* raw, unsigned* len) {
  exec::CpuCommon* c = &cpu->common;
  c->insn_pc = pc;
  const uint32_t idx = fetch_mmu_idx(flags);
  uint64_t paddr;
  // The first instruction may raise the fetch fault; the others are in the
  // same page (the block ends at its end), valid from *host on.
  if (first) *host = memory::softmmu_code_ptr(c, pc, idx, &paddr);
  const uint8_t* p = *host + (pc - pc0);
  const uint16_t lo = read16(p);
  if ((lo & 3) != 3) {
    *raw = lo;
    *len = 2;
    return true;
  }
  uint16_t hi;
  if ((pc & (kPageSize - 1)) <= kPageSize - 4) {
    hi = read16(p + 2);
  } else {
    // Crosses into the next page: only as the block's first instruction
    // (its fetch fault then has exact state: epc = pc, tval = pc + 2).
    if (!first) return false;
    hi = read16(memory::softmmu_code_ptr(c, pc + 2, idx, &paddr));
    block.phys_page2 = paddr & memory::kTlbPageMask;
  }
  *raw = static_cast<uint32_t>(hi) << 16 | lo;
  *len = 4;
  return true;
}

bool translate_csr_system(Ctx& c, const Args& a, bool uimm) {
  ir::Builder& b = c.b;
  const unsigned op = a.rm & 3;  // funct3 bits 1:0: 1 rw, 2 rs, 3 rc
  const bool writes = op == 1 || a.rs1 != 0;
  const I64 src = uimm ? b.const_i64(a.rs1) : c.gpr(a.rs1);
  const I64 old = b.call(csr_index(), {b.const_i64(a.raw), src});
  c.set_gpr(a.rd, old);
  if (writes) {
    if (csr_write_ends_block(a.csr)) {
      // Interrupts may be enabled (see request_exit_if_interrupt),
      // translation or TB flags changed.
      c.exit_to(c.next_pc, ir::kExitNormal);
    } else if (a.csr == kCsrFflags || a.csr == kCsrFrm || a.csr == kCsrFcsr) {
      // frm and FS (now Dirty) are in the TB flags.
      c.exit_to(c.next_pc, ir::kExitNormal);
    }
  }
  return true;
}

bool trans_mret(Ctx& c, const Args&) {
  if (!c.system() || c.priv() != kPrivM) return false;
  c.exit_dynamic(c.b.call(mret_index()), ir::kExitNormal);
  return true;
}

bool trans_sret(Ctx& c, const Args& a) {
  if (!c.system() || c.priv() == kPrivU) return false;
  c.exit_dynamic(c.b.call(sret_index(), {c.b.const_i64(a.raw)}), ir::kExitNormal);
  return true;
}

// The vCPU loop sleeps on kExitWfi until an interrupt is pending (system.h).
bool trans_wfi(Ctx& c, const Args& a) {
  if (!c.system() || c.priv() == kPrivU) return false;
  if (c.priv() != kPrivM) c.b.call(wfi_index(), {c.b.const_i64(a.raw)});
  c.exit_to(c.next_pc, kExitWfi);
  return true;
}

bool trans_sfence_vma(Ctx& c, const Args& a) {
  if (!c.system() || c.priv() == kPrivU) return false;
  c.b.call(sfence_vma_index(), {c.b.const_i64(a.raw), c.gpr(a.rs1)});
  // Continue in a block looked up (and fetched) under the new mappings.
  c.exit_to(c.next_pc, ir::kExitNormal);
  return true;
}

}  // namespace mimic::riscv
