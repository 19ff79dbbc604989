/* Software interrupts and WFI (privileged spec §3.3.3, §3.1.9, §3.1.6.5):
 * wfi wakes on an interrupt pending in mip & mie even with MIE = 0 (no trap
 * taken), then the CLINT's msip is taken once MIE is set (mcause 2^63 + 3);
 * the same for a timer; S raises its own SSIP through sip (delegated);
 * wfi is illegal in U, and in S when mstatus.TW. s1 counts MSI, s2 SSI,
 * s5 other M traps (s3 mcause, s4 mtval; skipped). */
#include "harness.h"
  .option norvc
  .text
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  PMP_ALLOW_ALL
  li s1, 0
  li s2, 0
  li s5, 0

  li t0, 1 << 3
  csrw mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  wfi                               /* pending: completes, MIE = 0: no trap */
  csrr a0, mip
  andi a0, a0, 1 << 3
  EXPECT a0, 1 << 3, 1
  EXPECT s1, 0, 2
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  EXPECT s1, 1, 3
  csrr a0, mip
  andi a0, a0, 1 << 3
  EXPECT a0, 0, 4                   /* handler cleared msip */

  /* wfi until the timer fires, interrupts globally off. */
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  addi t1, t1, 1000
  li t0, CLINT_MTIMECMP
  sd t1, 0(t0)
  li t0, 1 << 7
  csrw mie, t0
1:wfi
  csrr a0, mip
  andi a0, a0, 1 << 7
  beqz a0, 1b
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  EXPECT s1, 1, 5
  EXPECT s5, 0, 6

  /* S raises SSIP through sip; taken in S with SIE. */
  li t0, 1 << 1
  csrw mideleg, t0
  csrw mie, t0
  MRET_TO 1, in_s
in_s:
  csrsi sip, 1 << 1
  EXPECT s2, 0, 7
  csrsi sstatus, MSTATUS_SIE
  nop
  csrci sstatus, MSTATUS_SIE
  EXPECT s2, 1, 8
  csrr a0, sip
  EXPECT a0, 0, 9
  csrsi sip, 1 << 1                 /* pending, SIE = 0 */
  wfi                               /* legal in S with TW = 0: returns */
  EXPECT s5, 0, 10
  EXPECT s2, 1, 10
  csrci sip, 1 << 1
  ecall                             /* to M: set TW, back in S */
  EXPECT s5, 1, 11
i_wfi_tw:
  wfi
  EXPECT s5, 2, 12
  EXPECT s3, 2, 13
  la t0, i_wfi_tw
  lwu t1, 0(t0)
  bne s4, t1, fail14
  ecall                             /* M clears TW, continue in U */
  EXPECT s5, 3, 15
  li t0, MSTATUS_SPP
  csrc sstatus, t0
  la t0, in_u
  csrw sepc, t0
  sret
in_u:
  wfi                               /* illegal in U */
  EXPECT s5, 4, 16
  EXPECT s3, 2, 17
  PASS

fail14: FAIL 14

  .align 4
strap:
  addi s2, s2, 1
  csrr a0, scause
  li t0, (1 << 63) | 1
  beq a0, t0, 1f
  FAIL 20
1:csrci sip, 1 << 1
  sret

  .align 4
mtrap:
  csrr t0, mcause
  li t1, (1 << 63) | 3
  bne t0, t1, 1f
  addi s1, s1, 1
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  mret
1:addi s5, s5, 1
  mv s3, t0
  csrr s4, mtval
  li t1, 9
  bne t0, t1, 2f
  li t1, MSTATUS_TW                 /* ecall from S: toggle TW */
  csrr t0, mstatus
  xor t0, t0, t1
  csrw mstatus, t0
2:csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
