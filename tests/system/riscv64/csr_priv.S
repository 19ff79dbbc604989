/* CSR access from M, S and U: privilege (csr bits 9:8), read-only CSRs
 * (bits 11:10), unimplemented CSRs, counter enables; the illegal-instruction
 * trap's mtval holds the instruction bits (privileged spec §2.1, §3.1.11,
 * §3.1.16, §4.1.5). The M handler records mcause/mtval/previous mode in
 * s2/s3/s4, counts traps in s5 and skips the instruction; ecall instead
 * returns to M after it. */
#include "harness.h"
  .option norvc
  .text
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  PMP_ALLOW_ALL
  li s5, 0

  /* --- M --- */
  csrr a0, mhartid
  EXPECT a0, 0, 1
  csrr a0, misa
  srli a1, a0, 62
  EXPECT a1, 2, 2
  li t0, (1 << 18) | (1 << 20) | (1 << 8)   /* S, U, I */
  and a1, a0, t0
  EXPECT a1, (1 << 18) | (1 << 20) | (1 << 8), 3
  csrr a0, mstatus
  srli a0, a0, 32
  andi a0, a0, 0xf
  EXPECT a0, 0xa, 4                         /* UXL = SXL = 2 */
  EXPECT s5, 0, 5
i_unimpl:
  csrr a0, 0x8c0                            /* custom CSR: not implemented */
  EXPECT s5, 1, 6
  EXPECT s2, 2, 7
  la t0, i_unimpl
  lwu t1, 0(t0)
  bne s3, t1, fail8
i_rowrite:
  csrw mhartid, zero                        /* read-only */
  EXPECT s5, 2, 9
  la t0, i_rowrite
  lwu t1, 0(t0)
  bne s3, t1, fail8
  csrr a0, mcycle                            /* readable in M whatever mcounteren */
  csrw mcounteren, zero
  csrw scounteren, zero
  csrr a0, cycle
  EXPECT s5, 2, 10

  /* --- S --- */
  MRET_TO 1, in_s
in_s:
  csrr a0, sstatus
  csrr a0, sscratch
  csrr a0, satp
  EXPECT s5, 2, 11
i_s_mstatus:
  csrr a0, mstatus
  EXPECT s5, 3, 12
  EXPECT s2, 2, 13
  EXPECT s4, 1, 14                          /* trapped from S */
  la t0, i_s_mstatus
  lwu t1, 0(t0)
  bne s3, t1, fail8
  csrr a0, cycle                            /* mcounteren.CY = 0 */
  EXPECT s5, 4, 15
  csrw mscratch, a0
  EXPECT s5, 5, 16
  ecall                                     /* back to M */
  EXPECT s5, 6, 17
  EXPECT s2, 9, 18

  /* --- M: enable cycle for S only --- */
  li t0, 1
  csrw mcounteren, t0
  MRET_TO 0, in_u
in_u:
  csrr a0, cycle                            /* scounteren.CY = 0 */
  EXPECT s5, 7, 19
  EXPECT s4, 0, 20                          /* trapped from U */
  csrr a0, sstatus
  EXPECT s5, 8, 21
  csrr a0, time                             /* TM not enabled */
  EXPECT s5, 9, 22
  ecall
  EXPECT s2, 8, 23
  MRET_TO 1, in_s2
in_s2:
  csrr a0, cycle                            /* now allowed in S */
  li t0, 1
  csrw scounteren, t0
  EXPECT s5, 10, 24
  csrw sepc, zero                           /* trivially legal */
  ecall
  MRET_TO 0, in_u2
in_u2:
  csrr a0, cycle                            /* allowed in U */
  EXPECT s5, 11, 25
  PASS

fail8:
  FAIL 8

  .align 4
mtrap:
  addi s5, s5, 1
  csrr s2, mcause
  csrr s3, mtval
  csrr s4, mstatus
  srli s4, s4, 11
  andi s4, s4, 3
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  li t1, 8
  beq s2, t1, 1f
  li t1, 9
  beq s2, t1, 1f
  mret
1:li t1, MSTATUS_MPP                        /* ecall: continue in M */
  csrs mstatus, t1
  mret
