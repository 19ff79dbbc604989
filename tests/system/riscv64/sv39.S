/* Sv39 translation (privileged spec §4.3-4.4, §3.1.6.3): a gigapage
 * identity map of RAM for S, a user page, an S read-only page, an execute-
 * only page, an invalid one. Checks page faults (causes 12, 13, 15 with
 * stval = the address, delegated to S), SUM, MXR, MPRV, A/D set by the walk,
 * sfence.vma (one page and all), and U code running in a U page.
 * S handler: s7 scause, s8 stval, s11 count; skips the instruction, except
 * fetch faults (resume at ra) and ecall from U (continue at u_done in S). */
#include "harness.h"
  .option norvc

#define ROOT   0x80200000
#define L1     0x80201000
#define L0     0x80202000
#define UPAGE  0x80203000   /* VA 0x40000000: U, RWX, A/D clear */
#define SPAGE  0x80204000   /* VA 0x40001000: S, R only */
#define XPAGE  0x80205000   /* VA 0x40004000: S, X only */
#define VA_U   0x40000000
#define VA_S   0x40001000
#define VA_BAD 0x40002000
#define VA_UCODE 0x40003000
#define VA_X   0x40004000
#define PTE_V 1
#define PTE_R 2
#define PTE_W 4
#define PTE_X 8
#define PTE_U 16
#define PTE_A 64
#define PTE_D 128
#define PTE(pa, flags) ((((pa) >> 12) << 10) | (flags))

  .text
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  PMP_ALLOW_ALL
  li t0, (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
  csrw medeleg, t0
  li s11, 0

  /* Page tables. */
  li t0, ROOT
  li t1, PTE(0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
  sd t1, 16(t0)                     /* VPN2 = 2: gigapage 0x80000000 */
  li t1, PTE(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  sd t1, 0(t0)                      /* VPN2 = 0: devices (test device) */
  li t1, PTE(L1, PTE_V)
  sd t1, 8(t0)                      /* VPN2 = 1 -> L1 */
  li t0, L1
  li t1, PTE(L0, PTE_V)
  sd t1, 0(t0)
  li t0, L0
  li t1, PTE(UPAGE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U)
  sd t1, 0(t0)
  li t1, PTE(SPAGE, PTE_V | PTE_R | PTE_A)
  sd t1, 8(t0)
  sd zero, 16(t0)                   /* VA_BAD: invalid */
  la t2, user_code
  srli t2, t2, 12
  slli t2, t2, 10
  ori t1, t2, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
  sd t1, 24(t0)
  li t1, PTE(XPAGE, PTE_V | PTE_X | PTE_A)
  sd t1, 32(t0)
  li t0, SPAGE
  li t1, 0x1234
  sd t1, 0(t0)
  li t0, XPAGE
  li t1, 0x5678
  sd t1, 0(t0)
  li t0, UPAGE
  li t1, 0x9abc
  sd t1, 0(t0)

  li t0, (8 << 60) | (ROOT >> 12)
  csrw satp, t0
  sfence.vma

  /* M with MPRV = 1, MPP = S: loads translate as S. */
  li t0, MSTATUS_MPRV | MSTATUS_MPP_S
  csrs mstatus, t0
  li t0, VA_S
  ld a0, 0(t0)
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  EXPECT a0, 0x1234, 1

  MRET_TO 1, in_s
in_s:
  li t0, VA_S
  ld a0, 0(t0)
  EXPECT a0, 0x1234, 2
  EXPECT s11, 0, 3
  sd a0, 0(t0)                      /* read-only: store page fault */
  EXPECT s11, 1, 4
  EXPECT s7, 15, 5
  bne s8, t0, fail6
  li t0, VA_BAD
  ld a0, 0(t0)                      /* invalid: load page fault */
  EXPECT s11, 2, 7
  EXPECT s7, 13, 8
  bne s8, t0, fail6
  jalr ra, 0(t0)                    /* fetch page fault, sepc = stval = VA_BAD */
  EXPECT s11, 3, 9
  EXPECT s7, 12, 10
  bne s8, t0, fail6

  /* Execute-only page: loads fault unless MXR. */
  li t0, VA_X
  ld a0, 0(t0)
  EXPECT s11, 4, 11
  EXPECT s7, 13, 12
  li t1, MSTATUS_MXR
  csrs sstatus, t1
  ld a0, 0(t0)
  csrc sstatus, t1
  EXPECT s11, 4, 13
  EXPECT a0, 0x5678, 14

  /* User page from S: faults unless SUM; the walk sets A, then D. */
  li t0, VA_U
  ld a0, 0(t0)
  EXPECT s11, 5, 15
  EXPECT s7, 13, 16
  li t1, MSTATUS_SUM
  csrs sstatus, t1
  ld a0, 0(t0)
  EXPECT s11, 5, 17
  EXPECT a0, 0x9abc, 18
  li t2, L0
  ld a1, 0(t2)
  andi a1, a1, PTE_A | PTE_D
  EXPECT a1, PTE_A, 19
  li a2, 0x4321
  sd a2, 8(t0)
  ld a1, 0(t2)
  andi a1, a1, PTE_A | PTE_D
  EXPECT a1, PTE_A | PTE_D, 20
  li t1, MSTATUS_SUM
  csrc sstatus, t1

  /* sfence.vma: remap VA_S to UPAGE (S page, R) and see the new data. */
  li t0, VA_S
  ld a0, 0(t0)                      /* cached old translation */
  li t2, L0
  li t1, PTE(UPAGE, PTE_V | PTE_R | PTE_A)
  sd t1, 8(t2)
  sfence.vma t0, zero
  ld a0, 0(t0)
  EXPECT a0, 0x9abc, 21
  li t1, PTE(SPAGE, PTE_V | PTE_R | PTE_A)
  sd t1, 8(t2)
  sfence.vma
  ld a0, 0(t0)
  EXPECT a0, 0x1234, 22

  /* U code in a U page; it faults on the S page, then ecalls. */
  li t0, MSTATUS_SPP
  csrc sstatus, t0
  li t0, VA_UCODE
  csrw sepc, t0
  sret
u_done:
  EXPECT s7, 8, 23
  EXPECT s11, 7, 24
  EXPECT a0, 0x9abc, 25
  PASS

fail6: FAIL 6

  .align 4
strap:
  addi s11, s11, 1
  csrr s7, scause
  csrr s8, stval
  li t6, 12
  beq s7, t6, 1f
  li t6, 8
  beq s7, t6, 2f
  csrr t6, sepc
  addi t6, t6, 4
  csrw sepc, t6
  sret
1:csrw sepc, ra
  sret
2:la t6, u_done
  csrw sepc, t6
  li t6, MSTATUS_SPP
  csrs sstatus, t6
  sret

  /* Unexpected trap to M: fail with 100 + mcause. */
  .align 4
mtrap:
  csrr t0, mcause
  addi t0, t0, 100
  slli t0, t0, 16
  li t1, 0x3333
  or t0, t0, t1
  li t1, TEST_DEVICE
  sw t0, 0(t1)
1:j 1b

  /* Runs at VA_UCODE in U mode. */
  .align 12
user_code:
  li t0, VA_S
  ld a1, 0(t0)                      /* S page from U: load page fault */
  li t0, VA_U
  ld a0, 0(t0)
  ecall
1:j 1b
