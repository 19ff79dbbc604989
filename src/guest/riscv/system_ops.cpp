// The system-mode hart's setup and its exec::GuestOps: translation flags
// (system.h), code MMU index, reset (privileged spec 20211203 §3.4) and the
// register dump.
#include <cstdio>
#include <string>

#include "core/log.h"
#include "exec/host_fp.h"
#include "guest/riscv/csr.h"
#include "guest/riscv/disasm.h"
#include "guest/riscv/mmu.h"
#include "guest/riscv/system.h"
#include "guest/riscv/translate.h"

namespace mimic::riscv {
namespace {

uint32_t priv_mmu_idx(uint64_t priv) {
  return priv == kPrivM ? kMmuIdxM : priv == kPrivS ? kMmuIdxS : kMmuIdxU;
}

uint64_t system_tb_flags(const exec::CpuCommon* common) {
  const auto* cpu = reinterpret_cast<const RiscvCpu*>(common);
  const uint64_t ms = cpu->mstatus;
  // Data accesses: MPRV makes M-mode loads and stores use MPP's privilege
  // (§3.1.6.3); SUM lets S access user pages.
  uint64_t eff = cpu->priv;
  if (eff == kPrivM && (ms & kMstatusMprv)) eff = (ms & kMstatusMpp) >> kMstatusMppShift;
  uint64_t idx = priv_mmu_idx(eff);
  if (idx == kMmuIdxS && (ms & kMstatusSum)) idx = kMmuIdxSSum;
  const uint64_t fs = (ms & kMstatusFs) >> kMstatusFsShift;
  return (cpu->frm & kTbFlagsFrmMask) | cpu->priv << kTbFlagsPrivShift |
         idx << kTbFlagsMmuShift | fs << kTbFlagsFsShift | kTbFlagsSystem;
}

// Fetches never use SUM (S-mode cannot execute user pages, §4.3.1) nor MPRV.
uint32_t code_mmu_idx(uint64_t flags) { return priv_mmu_idx((flags >> kTbFlagsPrivShift) & 3); }

void dump_state(const exec::CpuCommon* common) {
  log::printf("%s", format_registers(*reinterpret_cast<const RiscvCpu*>(common)).c_str());
}

void append(std::string& s, const char* name, uint64_t v, bool newline) {
  char buf[48];
  std::snprintf(buf, sizeof buf, " %-9s %016llx%s", name, static_cast<unsigned long long>(v),
                newline ? "\n" : "");
  s += buf;
}

}  // namespace

const exec::GuestOps& system_guest_ops() {
  static const exec::GuestOps ops{&system_tb_flags, &translate_block, &dump_state, &code_mmu_idx};
  return ops;
}

void hart_init(RiscvCpu& cpu, memory::SoftMmu& mmu, const HartConfig& config) {
  cpu.system_mode = true;
  cpu.mhartid = config.hartid;
  cpu.read_mtime = config.read_mtime;
  cpu.mtime_ctx = config.mtime_ctx;
  memory::softmmu_attach(&cpu.common, &mmu, config.as, &riscv_mmu_hooks());
  hart_reset(cpu, config.reset_pc);
}

void hart_reset(RiscvCpu& cpu, uint64_t reset_pc) {
  for (uint64_t& r : cpu.x) r = 0;
  for (uint64_t& r : cpu.f) r = 0;
  cpu.fflags = 0;
  cpu.frm = 0;
  cpu.common.host_fp_flags = 0;
  cpu.load_res = ~uint64_t{0};
  cpu.load_val = 0;
  cpu.priv = kPrivM;
  cpu.common.pc = reset_pc;
  cpu.mstatus = kMstatusXlen64;  // MIE = MPRV = 0, FS Off
  cpu.misa = kMisaRv64gcsu;
  cpu.medeleg = cpu.mideleg = 0;
  cpu.mie = 0;
  cpu.mip.fetch_and(~(kMipSsip | kMipStip));  // device lines stay as driven
  cpu.mip_sw_seip = 0;
  cpu.mtvec = cpu.mscratch = cpu.mepc = cpu.mcause = cpu.mtval = 0;
  cpu.stvec = cpu.sscratch = cpu.sepc = cpu.scause = cpu.stval = 0;
  cpu.satp = 0;
  cpu.mcounteren = cpu.scounteren = cpu.mcountinhibit = 0;
  cpu.menvcfg = cpu.senvcfg = 0;
  cpu.mcycle_offset = cpu.minstret_offset = 0;
  cpu.pmpcfg[0] = cpu.pmpcfg[1] = 0;  // every entry Off and unlocked
  for (uint64_t& a : cpu.pmpaddr) a = 0;
  cpu.stimecmp = ~uint64_t{0};
  cpu.trap_cause = cpu.trap_tval = 0;
  if (cpu.common.softmmu != nullptr) memory::tlb_flush(&cpu.common);
}

std::string format_registers(const RiscvCpu& cpu) {
  std::string s;
  char buf[96];
  static const char* const kPrivNames[4] = {"U", "S", "?", "M"};
  std::snprintf(buf, sizeof buf, " pc        %016llx priv %s\n",
                static_cast<unsigned long long>(cpu.common.pc), kPrivNames[cpu.priv & 3]);
  s += buf;
  for (int i = 0; i < 32; ++i) {
    std::snprintf(buf, sizeof buf, " x%-2d/%-4s  %016llx%s", i, gpr_name(i),
                  static_cast<unsigned long long>(cpu.x[i]), i % 4 == 3 ? "\n" : "");
    s += buf;
  }
  for (int i = 0; i < 32; ++i) {
    std::snprintf(buf, sizeof buf, " f%-2d/%-4s  %016llx%s", i, fpr_name(i),
                  static_cast<unsigned long long>(cpu.f[i]), i % 4 == 3 ? "\n" : "");
    s += buf;
  }
  append(s, "mstatus", read_mstatus(cpu), false);
  append(s, "mip", effective_mip(cpu), false);
  append(s, "mie", cpu.mie, false);
  append(s, "fcsr", cpu.frm << 5 | read_fflags(cpu), true);
  append(s, "medeleg", cpu.medeleg, false);
  append(s, "mideleg", cpu.mideleg, false);
  append(s, "mtvec", cpu.mtvec, false);
  append(s, "stvec", cpu.stvec, true);
  append(s, "mepc", cpu.mepc, false);
  append(s, "mcause", cpu.mcause, false);
  append(s, "mtval", cpu.mtval, false);
  append(s, "mscratch", cpu.mscratch, true);
  append(s, "sepc", cpu.sepc, false);
  append(s, "scause", cpu.scause, false);
  append(s, "stval", cpu.stval, false);
  append(s, "sscratch", cpu.sscratch, true);
  append(s, "satp", cpu.satp, false);
  append(s, "mcounteren", cpu.mcounteren, false);
  append(s, "scounteren", cpu.scounteren, true);
  return s;
}

}  // namespace mimic::riscv
