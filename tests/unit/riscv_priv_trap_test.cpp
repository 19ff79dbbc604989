// System-mode traps (guest/riscv/trap.cpp, system_ops.cpp): exception entry
// with medeleg delegation, interrupt enables and priorities, mret/sret state
// changes, handle_exit's mapping of exit codes, WFI wake-up and the
// translation flags (RISC-V privileged spec 20211203 §3.1.6-3.1.9, §3.3).
#include <gtest/gtest.h>

#include "guest/riscv/csr.h"
#include "guest/riscv/system.h"

namespace mimic::riscv {
namespace {

struct Hart {
  RiscvCpu cpu;
  Hart() {
    cpu.system_mode = true;
    hart_reset(cpu, 0x80000000);
    cpu.mtvec = 0x80001000;
    cpu.stvec = 0x80002000;
  }
};

TEST(RiscvPrivTrap, ExceptionToM) {
  Hart h;
  h.cpu.mstatus |= kMstatusMie;
  h.cpu.medeleg = ~uint64_t{0};  // delegation never applies to traps from M
  trap_enter(h.cpu, kCauseIllegal, 0x1234, 0x80000010);
  EXPECT_EQ(h.cpu.priv, kPrivM);
  EXPECT_EQ(h.cpu.common.pc, 0x80001000u);
  EXPECT_EQ(h.cpu.mcause, 2u);
  EXPECT_EQ(h.cpu.mepc, 0x80000010u);
  EXPECT_EQ(h.cpu.mtval, 0x1234u);
  EXPECT_EQ((h.cpu.mstatus & kMstatusMpp) >> kMstatusMppShift, kPrivM);
  EXPECT_NE(h.cpu.mstatus & kMstatusMpie, 0u);
  EXPECT_EQ(h.cpu.mstatus & kMstatusMie, 0u);
  EXPECT_EQ(h.cpu.scause, 0u);
}

TEST(RiscvPrivTrap, ExceptionDelegatedFromU) {
  Hart h;
  h.cpu.priv = kPrivU;
  h.cpu.medeleg = 1u << kCauseEcallU;
  h.cpu.mstatus |= kMstatusSie | kMstatusSpp;
  h.cpu.load_res = 0x80000100;
  trap_enter(h.cpu, kCauseEcallU, 0, 0x80000020);
  EXPECT_EQ(h.cpu.priv, kPrivS);
  EXPECT_EQ(h.cpu.common.pc, 0x80002000u);
  EXPECT_EQ(h.cpu.scause, 8u);
  EXPECT_EQ(h.cpu.sepc, 0x80000020u);
  EXPECT_EQ(h.cpu.mstatus & kMstatusSpp, 0u);  // came from U
  EXPECT_NE(h.cpu.mstatus & kMstatusSpie, 0u);
  EXPECT_EQ(h.cpu.mstatus & kMstatusSie, 0u);
  EXPECT_EQ(h.cpu.mcause, 0u);
  EXPECT_EQ(h.cpu.load_res, ~uint64_t{0});
  // Not delegated: from S to M, MPP = S.
  trap_enter(h.cpu, kCauseEcallS, 0, 0x80002004);
  EXPECT_EQ(h.cpu.priv, kPrivM);
  EXPECT_EQ(h.cpu.mcause, 9u);
  EXPECT_EQ((h.cpu.mstatus & kMstatusMpp) >> kMstatusMppShift, kPrivS);
}

TEST(RiscvPrivTrap, VectoredOnlyForInterrupts) {
  Hart h;
  h.cpu.mtvec = 0x80001001;
  trap_enter(h.cpu, kCauseBreakpoint, 0, 0);
  EXPECT_EQ(h.cpu.common.pc, 0x80001000u);
  trap_enter(h.cpu, kCauseInterrupt | kIrqMTimer, 0, 0);
  EXPECT_EQ(h.cpu.common.pc, 0x80001000u + 4 * 7);
  EXPECT_EQ(h.cpu.mcause, kCauseInterrupt | 7);
}

TEST(RiscvPrivTrap, Mret) {
  Hart h;
  h.cpu.mepc = 0x80004000;
  h.cpu.mstatus |= kMstatusMpie | kMstatusMprv | uint64_t{1} << kMstatusMppShift;
  EXPECT_EQ(do_mret(h.cpu), 0x80004000u);
  EXPECT_EQ(h.cpu.priv, kPrivS);
  EXPECT_NE(h.cpu.mstatus & kMstatusMie, 0u);
  EXPECT_NE(h.cpu.mstatus & kMstatusMpie, 0u);
  EXPECT_EQ(h.cpu.mstatus & kMstatusMpp, 0u);
  EXPECT_EQ(h.cpu.mstatus & kMstatusMprv, 0u);  // returned below M
  // mret to M keeps MPRV.
  h.cpu.priv = kPrivM;
  h.cpu.mstatus = (h.cpu.mstatus & ~kMstatusMpie) | kMstatusMprv | kMstatusMpp;
  do_mret(h.cpu);
  EXPECT_EQ(h.cpu.priv, kPrivM);
  EXPECT_EQ(h.cpu.mstatus & kMstatusMie, 0u);
  EXPECT_NE(h.cpu.mstatus & kMstatusMprv, 0u);
}

TEST(RiscvPrivTrap, Sret) {
  Hart h;
  h.cpu.priv = kPrivS;
  h.cpu.sepc = 0x80005000;
  h.cpu.mstatus |= kMstatusSpp | kMstatusSpie;
  EXPECT_EQ(do_sret(h.cpu), 0x80005000u);
  EXPECT_EQ(h.cpu.priv, kPrivS);
  EXPECT_NE(h.cpu.mstatus & kMstatusSie, 0u);
  EXPECT_EQ(h.cpu.mstatus & kMstatusSpp, 0u);
  do_sret(h.cpu);
  EXPECT_EQ(h.cpu.priv, kPrivU);
  EXPECT_NE(h.cpu.mstatus & kMstatusSpie, 0u);
}

TEST(RiscvPrivTrap, InterruptPriorityAndEnables) {
  Hart h;
  h.cpu.mie = kAllInterrupts;
  h.cpu.mip.store(kAllInterrupts);
  EXPECT_EQ(pending_interrupt(h.cpu), -1);  // M with MIE = 0
  h.cpu.mstatus |= kMstatusMie;
  EXPECT_EQ(pending_interrupt(h.cpu), static_cast<int>(kIrqMExt));
  // Priority MEI, MSI, MTI, SEI, SSI, STI.
  const unsigned order[] = {kIrqMExt, kIrqMSoft, kIrqMTimer, kIrqSExt, kIrqSSoft, kIrqSTimer};
  for (unsigned irq : order) {
    EXPECT_EQ(pending_interrupt(h.cpu), static_cast<int>(irq));
    h.cpu.mip.fetch_and(~(uint64_t{1} << irq));
  }
  EXPECT_EQ(pending_interrupt(h.cpu), -1);

  // Delegated interrupts are never taken in M, even with MIE.
  h.cpu.mideleg = kSupervisorInterrupts;
  h.cpu.mip.store(kMipStip);
  EXPECT_EQ(pending_interrupt(h.cpu), -1);
  // In S: only with SIE; in U always.
  h.cpu.priv = kPrivS;
  EXPECT_EQ(pending_interrupt(h.cpu), -1);
  h.cpu.mstatus |= kMstatusSie;
  EXPECT_EQ(pending_interrupt(h.cpu), static_cast<int>(kIrqSTimer));
  h.cpu.mstatus &= ~(kMstatusSie | kMstatusMie);
  h.cpu.priv = kPrivU;
  EXPECT_EQ(pending_interrupt(h.cpu), static_cast<int>(kIrqSTimer));
  // M-level interrupts in S are taken whatever MIE, before S-level ones.
  h.cpu.priv = kPrivS;
  h.cpu.mip.fetch_or(kMipMtip);
  EXPECT_EQ(pending_interrupt(h.cpu), static_cast<int>(kIrqMTimer));
  // Software SEIP counts as pending.
  h.cpu.mip.store(0);
  h.cpu.mip_sw_seip = kMipSeip;
  h.cpu.mstatus |= kMstatusSie;
  EXPECT_EQ(pending_interrupt(h.cpu), static_cast<int>(kIrqSExt));
  // Disabled in mie: not pending.
  h.cpu.mie = 0;
  EXPECT_EQ(pending_interrupt(h.cpu), -1);
}

TEST(RiscvPrivTrap, TakeInterruptDelegated) {
  Hart h;
  h.cpu.priv = kPrivU;
  h.cpu.common.pc = 0x80000040;
  h.cpu.mideleg = kMipStip;
  h.cpu.mie = kMipStip;
  h.cpu.stvec = 0x80002001;  // vectored
  h.cpu.mip.store(kMipStip);
  EXPECT_TRUE(take_interrupt(h.cpu));
  EXPECT_EQ(h.cpu.priv, kPrivS);
  EXPECT_EQ(h.cpu.scause, kCauseInterrupt | 5);
  EXPECT_EQ(h.cpu.sepc, 0x80000040u);
  EXPECT_EQ(h.cpu.common.pc, 0x80002000u + 4 * 5);
  EXPECT_FALSE(take_interrupt(h.cpu));  // SIE now 0
}

TEST(RiscvPrivTrap, HandleExit) {
  Hart h;
  h.cpu.common.pc = 0x80000100;
  EXPECT_EQ(handle_exit(h.cpu, kExitEcall), HartEvent::kContinue);
  EXPECT_EQ(h.cpu.mcause, 11u);
  EXPECT_EQ(h.cpu.mepc, 0x80000100u);
  h.cpu.priv = kPrivU;
  h.cpu.common.pc = 0x80000200;
  handle_exit(h.cpu, kExitEcall);
  EXPECT_EQ(h.cpu.mcause, 8u);
  h.cpu.priv = kPrivS;
  handle_exit(h.cpu, kExitEcall);
  EXPECT_EQ(h.cpu.mcause, 9u);
  h.cpu.common.pc = 0x80000300;
  handle_exit(h.cpu, kExitEbreak);
  EXPECT_EQ(h.cpu.mcause, 3u);
  EXPECT_EQ(h.cpu.mtval, 0x80000300u);
  h.cpu.trap_cause = kCauseLoadPage;
  h.cpu.trap_tval = 0x4000;
  h.cpu.common.pc = 0x80000400;
  handle_exit(h.cpu, kExitTrap);
  EXPECT_EQ(h.cpu.mcause, 13u);
  EXPECT_EQ(h.cpu.mtval, 0x4000u);
  EXPECT_EQ(h.cpu.mepc, 0x80000400u);
  EXPECT_EQ(h.cpu.common.pc, 0x80001000u);

  // WFI: sleeps unless an interrupt is pending in mip & mie, whatever the
  // global enables; then kExitSystem takes it once enabled.
  h.cpu.common.pc = 0x80000504;
  EXPECT_EQ(handle_exit(h.cpu, kExitWfi), HartEvent::kWfi);
  h.cpu.mie = kMipMtip;
  h.cpu.mip.fetch_or(kMipMtip);
  EXPECT_TRUE(wfi_should_wake(h.cpu));
  EXPECT_EQ(handle_exit(h.cpu, kExitWfi), HartEvent::kContinue);
  EXPECT_EQ(h.cpu.common.pc, 0x80000504u);  // MIE = 0 in M: not taken
  h.cpu.mstatus |= kMstatusMie;
  EXPECT_EQ(handle_exit(h.cpu, kExitSystem), HartEvent::kContinue);
  EXPECT_EQ(h.cpu.mcause, kCauseInterrupt | 7);
  EXPECT_EQ(h.cpu.mepc, 0x80000504u);
}

TEST(RiscvPrivTrap, TbFlags) {
  Hart h;
  const exec::GuestOps& ops = system_guest_ops();
  auto flags = [&] { return ops.tb_flags(&h.cpu.common); };
  EXPECT_EQ(flags(), kTbFlagsSystem | 3u << kTbFlagsPrivShift | uint64_t{kMmuIdxM} << kTbFlagsMmuShift);
  EXPECT_EQ(ops.code_mmu_idx(flags()), kMmuIdxM);
  // MPRV with MPP = S: data at S (SUM: SSum), fetch stays M.
  h.cpu.mstatus |= kMstatusMprv | uint64_t{1} << kMstatusMppShift | kMstatusSum;
  EXPECT_EQ((flags() >> kTbFlagsMmuShift) & 3, kMmuIdxSSum);
  EXPECT_EQ(ops.code_mmu_idx(flags()), kMmuIdxM);
  h.cpu.priv = kPrivS;
  h.cpu.mstatus &= ~kMstatusMprv;
  EXPECT_EQ((flags() >> kTbFlagsPrivShift) & 3, kPrivS);
  EXPECT_EQ((flags() >> kTbFlagsMmuShift) & 3, kMmuIdxSSum);
  EXPECT_EQ(ops.code_mmu_idx(flags()), kMmuIdxS);
  h.cpu.mstatus &= ~kMstatusSum;
  EXPECT_EQ((flags() >> kTbFlagsMmuShift) & 3, kMmuIdxS);
  h.cpu.priv = kPrivU;
  EXPECT_EQ((flags() >> kTbFlagsMmuShift) & 3, kMmuIdxU);
  EXPECT_EQ(ops.code_mmu_idx(flags()), kMmuIdxU);
  h.cpu.mstatus |= uint64_t{2} << kMstatusFsShift;
  h.cpu.frm = 3;
  EXPECT_EQ((flags() >> kTbFlagsFsShift) & 3, 2u);
  EXPECT_EQ(flags() & 7, 3u);
}

TEST(RiscvPrivTrap, FormatRegisters) {
  Hart h;
  h.cpu.x[10] = 0x1234abcd;
  const std::string s = format_registers(h.cpu);
  EXPECT_NE(s.find("priv M"), std::string::npos);
  EXPECT_NE(s.find("000000001234abcd"), std::string::npos);
  EXPECT_NE(s.find("mstatus"), std::string::npos);
}

}  // namespace
}  // namespace mimic::riscv
