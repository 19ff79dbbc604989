/* Timer interrupts (privileged spec §3.1.9, §3.2.1, §3.1.7): the CLINT's
 * mtimecmp raises MTIP, taken in M through a vectored mtvec (base + 4*7)
 * while the hart waits in wfi; then M sets STIP delegated through mideleg:
 * never taken in M, taken in S once S runs with SIE (scause = 2^63 + 5).
 * s1 counts M timer interrupts, s2 S timer interrupts. */
#include "harness.h"
  .option norvc
  .text
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  PMP_ALLOW_ALL
  li s1, 0
  li s2, 0

  /* --- M timer, vectored --- */
  la t0, mvec
  ori t0, t0, 1
  csrw mtvec, t0
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  addi t1, t1, 1000                 /* 100 us at 10 MHz */
  li t0, CLINT_MTIMECMP
  sd t1, 0(t0)
  li t0, 1 << 7
  csrw mie, t0
  /* wfi with MIE = 0, then a window with MIE = 1 to take the interrupt: a
   * timer that fires before the wfi cannot be missed (wfi returns at once
   * for a pending interrupt, §3.3.3; with MIE set during the wfi, an
   * interrupt taken just before it would leave the hart asleep for good). */
1:wfi
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  beqz s1, 1b
  EXPECT s1, 1, 1
  csrr a0, mcause
  li t0, (1 << 63) | 7
  bne a0, t0, fail2
  csrr a0, mip
  andi a0, a0, 1 << 7
  EXPECT a0, 0, 3                   /* mtimecmp moved: MTIP low again */

  /* --- STIP set by M, delegated to S --- */
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  li t0, 1 << 5
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0
  csrsi mstatus, MSTATUS_MIE        /* M: delegated interrupts never taken */
  nop
  nop
  csrci mstatus, MSTATUS_MIE
  EXPECT s2, 0, 4
  csrsi mstatus, MSTATUS_SIE
  MRET_TO 1, in_s
in_s:
  nop                               /* taken at once: SIE and STIP */
  EXPECT s2, 1, 5
  csrr a0, sip
  andi a0, a0, 1 << 5
  EXPECT a0, 0, 6                   /* M cleared it on the handler's ecall */
  PASS

fail2: FAIL 2

  .align 4
strap:
  addi s2, s2, 1
  csrr a0, scause
  li t0, (1 << 63) | 5
  beq a0, t0, 1f
  FAIL 7
1:csrr a0, sstatus
  andi a0, a0, MSTATUS_SPP
  bnez a0, 2f
  FAIL 8                            /* interrupted S: SPP = 1 */
2:ecall                             /* M clears STIP */
  sret

  .align 4
mtrap:
  csrr t0, mcause
  li t1, 9
  beq t0, t1, 1f
  addi t0, t0, 100                  /* unexpected: fail 100 + cause */
  andi t0, t0, 0xff
  slli t0, t0, 16
  li t1, 0x3333
  or t0, t0, t1
  li t1, TEST_DEVICE
  sw t0, 0(t1)
2:j 2b
1:li t0, 1 << 5
  csrc mip, t0
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret

  .align 8
mvec:
  j mvec_bad        /* 0 */
  j mvec_bad        /* 1 */
  j mvec_bad        /* 2 */
  j mvec_bad        /* 3 */
  j mvec_bad        /* 4 */
  j mvec_bad        /* 5 */
  j mvec_bad        /* 6 */
  j mvec_timer      /* 7 */
  j mvec_bad
  j mvec_bad
  j mvec_bad
  j mvec_bad
mvec_bad:
  FAIL 9
mvec_timer:
  addi s1, s1, 1
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  mret
