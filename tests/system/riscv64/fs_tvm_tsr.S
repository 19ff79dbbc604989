/* mstatus.FS (privileged spec §3.1.6.6): F/D instructions and fcsr are
 * illegal with FS = Off and an FP register write makes FS Dirty (SD = 1);
 * TVM (satp and sfence.vma illegal in S), TSR (sret illegal in S), mret
 * illegal in S, sfence.vma illegal in U (§3.1.6.5, §4.2.1). M handler:
 * s2 mcause, s3 mtval, s5 count; skips the instruction; ecall returns to M. */
#include "harness.h"
  .option norvc
  .text
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  PMP_ALLOW_ALL
  li s5, 0

  li t0, MSTATUS_FS
  csrc mstatus, t0
i_fadd:
  fadd.d fa0, fa0, fa1
  EXPECT s5, 1, 1
  EXPECT s2, 2, 2
  la t0, i_fadd
  lwu t1, 0(t0)
  bne s3, t1, fail3
  csrr a0, fflags
  EXPECT s5, 2, 4
  li t0, 1 << 13                    /* FS = Initial */
  csrs mstatus, t0
  fadd.d fa0, fa0, fa1
  EXPECT s5, 2, 5
  csrr a0, mstatus
  srli a1, a0, 13
  andi a1, a1, 3
  EXPECT a1, 3, 6                   /* Dirty */
  srli a1, a0, 63
  EXPECT a1, 1, 7                   /* SD */
  li t0, MSTATUS_FS                 /* FS = Clean */
  csrc mstatus, t0
  li t0, 2 << 13
  csrs mstatus, t0
  li a2, 0x4000000000000000
  fmv.d.x fa2, a2
  csrr a0, mstatus
  srli a1, a0, 13
  andi a1, a1, 3
  EXPECT a1, 3, 8
  fmv.x.d a3, fa2
  bne a2, a3, fail9

  /* TVM and TSR in S. */
  li t0, MSTATUS_TVM | MSTATUS_TSR
  csrs mstatus, t0
  MRET_TO 1, in_s
in_s:
  csrr a0, satp
  EXPECT s5, 3, 10
  EXPECT s2, 2, 11
  sfence.vma
  EXPECT s5, 4, 12
  la t0, 1f
  csrw sepc, t0
  sret
1:EXPECT s5, 5, 13
  mret
  EXPECT s5, 6, 14
  csrr a0, sstatus                  /* still legal */
  EXPECT s5, 6, 15
  ecall                             /* to M */
  EXPECT s5, 7, 16
  li t0, MSTATUS_TVM | MSTATUS_TSR
  csrc mstatus, t0
  MRET_TO 1, in_s2
in_s2:
  csrr a0, satp
  sfence.vma
  EXPECT s5, 7, 17
  li t0, MSTATUS_SPP
  csrc sstatus, t0
  la t0, in_u
  csrw sepc, t0
  sret
in_u:
  EXPECT s5, 7, 18
  sfence.vma
  EXPECT s5, 8, 19
  EXPECT s2, 2, 20
  PASS

fail3: FAIL 3
fail9: FAIL 9

  .align 4
mtrap:
  addi s5, s5, 1
  csrr s2, mcause
  csrr s3, mtval
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  li t1, 9
  bne s2, t1, 1f
  li t1, MSTATUS_MPP
  csrs mstatus, t1
1:mret
