/* A extension (unpriv. ch. 8): LR/SC success and failure, every AMO in .w
 * and .d form. .w forms operate on the 32-bit word only (the upper half of
 * rs2 is ignored, the neighbouring word is untouched) and return the old
 * word sign-extended. */
#include "check.inc"

  .data
  .balign 16
word:  .word 0, 0x5a5a5a5a     /* second word: a guard */
dword: .dword 0

/* AMO_W(insn, initial, operand, expected_old, expected_new) */
.macro amo_w insn, init, operand, old, new
  li t0, \init
  sw t0, 0(s4)
  li t1, \operand
  \insn a0, t1, (s4)
  CHECK(a0, \old)
  lw a1, 0(s4)
  CHECK(a1, \new)
  lw a1, 4(s4)
  CHECK(a1, 0x5a5a5a5a)
.endm
.macro amo_d insn, init, operand, old, new
  li t0, \init
  sd t0, 0(s5)
  li t1, \operand
  \insn a0, t1, (s5)
  CHECK(a0, \old)
  ld a1, 0(s5)
  CHECK(a1, \new)
.endm

TEST_START
  lla s4, word
  lla s5, dword

  /* .w: sign extension of the old value, upper bits of rs2 ignored */
  amo_w amoswap.w, 0x80000000, 0x1234567811111111, 0xffffffff80000000, 0x11111111
  amo_w amoadd.w, 0x7fffffff, 0xffffffff00000001, 0x7fffffff, 0xffffffff80000000
  amo_w amoadd.w, 0xffffffff, 1, -1, 0
  amo_w amoxor.w, 0xf0f0f0f0, 0xff00ff00, 0xfffffffff0f0f0f0, 0x0ff00ff0
  amo_w amoand.w, 0xf0f0f0f0, 0xff00ff00, 0xfffffffff0f0f0f0, 0xfffffffff000f000
  amo_w amoor.w, 0x0000f0f0, 0xff00ff00, 0xf0f0, 0xffffffffff00fff0
  /* signed vs unsigned comparisons of words: 0x80000000 is negative */
  amo_w amomin.w, 5, 0x80000000, 5, 0xffffffff80000000
  amo_w amomin.w, 0x80000000, 5, 0xffffffff80000000, 0xffffffff80000000
  amo_w amomax.w, 5, 0x80000000, 5, 5
  amo_w amomax.w, -3, 0x1fffffffe, -3, -2     /* operand word -2 */
  amo_w amominu.w, 5, 0x80000000, 5, 5
  amo_w amominu.w, 5, 0xffffffff00000003, 5, 3
  amo_w amomaxu.w, 5, 0x80000000, 5, 0xffffffff80000000
  amo_w amomaxu.w, 0xffffffff, 1, -1, -1

  /* .d */
  amo_d amoswap.d, 0x8000000000000000, 7, 0x8000000000000000, 7
  amo_d amoadd.d, -1, 2, -1, 1
  amo_d amoxor.d, 0xff, 0x0f, 0xff, 0xf0
  amo_d amoand.d, 0xff, 0x0f, 0xff, 0x0f
  amo_d amoor.d, 0xf0, 0x0f, 0xf0, 0xff
  amo_d amomin.d, 1, -1, 1, -1
  amo_d amomax.d, 1, -1, 1, 1
  amo_d amominu.d, 1, -1, 1, 1
  amo_d amomaxu.d, 1, -1, 1, -1
  amo_d amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
  amo_d amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000

  /* amo with rd = x0, and rd = rs2 */
  li t0, 10
  sd t0, 0(s5)
  li t1, 5
  amoadd.d zero, t1, (s5)
  ld a1, 0(s5)
  CHECK(a1, 15)
  amoadd.d t1, t1, (s5)
  CHECK(t1, 15)
  ld a1, 0(s5)
  CHECK(a1, 20)
  /* aq/rl variants decode and behave the same */
  amoadd.d.aqrl a0, t1, (s5)
  CHECK(a0, 20)
  amoswap.w.aq a0, zero, (s4)
  amoor.w.rl a0, zero, (s4)
  CHECK(a0, 0)

  /* LR/SC success: .d */
  li t0, 100
  sd t0, 0(s5)
  lr.d a0, (s5)
  CHECK(a0, 100)
  addi a0, a0, 1
  sc.d a1, a0, (s5)
  CHECK(a1, 0)
  ld a2, 0(s5)
  CHECK(a2, 101)
  /* the reservation is gone after an sc */
  li a0, 7
  sc.d a1, a0, (s5)
  CHECK(a1, 1)
  ld a2, 0(s5)
  CHECK(a2, 101)
  /* LR/SC .w: sign-extended load, word store */
  li t0, 0xfffffff0
  sw t0, 0(s4)
  lr.w a0, (s4)
  CHECK(a0, -16)
  li a3, 0x123456789
  sc.w a1, a3, (s4)
  CHECK(a1, 0)
  ld a2, 0(s4)
  CHECK(a2, 0x5a5a5a5a23456789)
  sc.w a1, a3, (s4)
  CHECK(a1, 1)
  /* sc to another address than the reserved one fails */
  lr.d a0, (s5)
  sc.w a1, zero, (s4)
  CHECK(a1, 1)
  lw a2, 0(s4)
  CHECK(a2, 0x23456789)
  /* a retry loop (the usual pattern) */
  li t0, 0
  sd t0, 0(s5)
  li t2, 50
1:
  lr.d.aq a0, (s5)
  addi a0, a0, 2
  sc.d.rl a1, a0, (s5)
  bnez a1, 1b
  addi t2, t2, -1
  bnez t2, 1b
  ld a2, 0(s5)
  CHECK(a2, 100)

  TEST_PASS
