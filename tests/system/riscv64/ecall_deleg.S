/* ecall from U, S and M (causes 8, 9, 11), ebreak (3, tval = pc), traps
 * delegated to S through medeleg (only from S/U; from M they stay in M),
 * mret to M/S/U and sret to S/U with their mstatus updates (privileged spec
 * §3.1.6.1, §3.1.8, §3.3.1, §3.3.2).
 * M handler: s2 mcause, s3 mtval, s4 MPP, s6 mepc; skips the instruction.
 * S handler: s7 scause, s8 stval, s9 SPP, s10 sepc; skips the instruction.
 * s5 counts M traps, s11 S traps. */
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
  li s5, 0
  li s11, 0

  /* M: ecall and ebreak trap to M even when delegated. */
  li t0, (1 << 3) | (1 << 8) | (1 << 9)
  csrw medeleg, t0
i_mecall:
  ecall
  EXPECT s5, 1, 1
  EXPECT s2, 11, 2
  EXPECT s4, 3, 3
  la t0, i_mecall
  bne s6, t0, fail4
i_mebreak:
  ebreak
  EXPECT s2, 3, 5
  la t0, i_mebreak
  beqz s3, 1f                       /* tval = 0 (QEMU) or the pc (mimic): */
  bne s3, t0, fail6                 /* both allowed (§3.1.16) */
1:
  EXPECT s11, 0, 7

  /* mret to M: MIE = MPIE, MPIE = 1, MPP = U. */
  li t0, MSTATUS_MPIE
  csrs mstatus, t0
  MRET_TO 3, in_m
in_m:
  csrr a0, mstatus
  andi a1, a0, MSTATUS_MIE | MSTATUS_MPIE
  EXPECT a1, MSTATUS_MIE | MSTATUS_MPIE, 8
  li t0, MSTATUS_MPP
  and a1, a0, t0
  EXPECT a1, 0, 9
  li t0, MSTATUS_MIE
  csrc mstatus, t0

  /* S: ecall from S delegated (bit 9) -> S handler with SPP = 1. */
  MRET_TO 1, in_s
in_s:
  csrr a0, mstatus                  /* illegal in S: to M (not delegated) */
  EXPECT s5, 3, 10
  EXPECT s2, 2, 11
  EXPECT s4, 1, 12
i_secall:
  ecall
  EXPECT s11, 1, 13
  EXPECT s7, 9, 14
  EXPECT s9, 1, 15
  la t0, i_secall
  bne s10, t0, fail16

  /* sret to U: SIE = SPIE, SPIE = 1, SPP = U. */
  li t0, MSTATUS_SPIE
  csrs sstatus, t0
  li t0, MSTATUS_SPP
  csrc sstatus, t0
  la t0, in_u
  csrw sepc, t0
  sret
in_u:
  ecall                             /* delegated: S, SPP = 0 */
  EXPECT s11, 2, 17
  EXPECT s7, 8, 18
  EXPECT s9, 0, 19
i_uebreak:
  ebreak                            /* delegated */
  EXPECT s11, 3, 20
  EXPECT s7, 3, 21
  la t0, i_uebreak
  beqz s8, 1f
  bne s8, t0, fail22
1:
  unimp                             /* illegal: not delegated, to M from U */
  EXPECT s5, 4, 23
  EXPECT s2, 2, 24
  EXPECT s4, 0, 25
  EXPECT s11, 3, 26
  /* The S handler's sret left SIE = SPIE (was 1 after the sret to U). */
  PASS

fail4:  FAIL 4
fail6:  FAIL 6
fail16: FAIL 16
fail22: FAIL 22

  .align 4
mtrap:
  addi s5, s5, 1
  csrr s2, mcause
  csrr s3, mtval
  csrr s4, mstatus
  srli s4, s4, 11
  andi s4, s4, 3
  csrr s6, mepc
  addi t0, s6, 4
  csrw mepc, t0
  mret

  .align 4
strap:
  addi s11, s11, 1
  csrr s7, scause
  csrr s8, stval
  csrr s9, sstatus
  srli s9, s9, 8
  andi s9, s9, 1
  csrr s10, sepc
  /* In the handler: SIE = 0, SPIE = SIE before the trap. */
  csrr t1, sstatus
  andi t1, t1, MSTATUS_SIE
  beqz t1, 1f
  FAIL 30
1:addi t0, s10, 4
  csrw sepc, t0
  sret
