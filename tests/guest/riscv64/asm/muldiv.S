/* M extension (unpriv. ch. 7): products and high halves for every sign
 * combination, division by zero and signed overflow (table 7.1), and the
 * *W forms with their sign extension. */
#include "check.inc"

TEST_START
  li s4, -1
  li s5, 0x8000000000000000
  li s6, 0x7fffffffffffffff
  li s7, 3

  /* mul / mulh / mulhu / mulhsu */
  li a0, 0x123456789
  li a1, 0x987654321
  mul a2, a0, a1
  CHECK(a2, 0xd77d742cce1833a9)     /* low 64 bits */
  mulhu a2, a0, a1
  CHECK(a2, 0xa)
  mul a2, s4, s4
  CHECK(a2, 1)
  mulh a2, s4, s4
  CHECK(a2, 0)
  mulhu a2, s4, s4
  CHECK(a2, 0xfffffffffffffffe)
  mulhsu a2, s4, s4                /* -1 * (2^64-1) = -(2^64-1) */
  CHECK(a2, -1)
  mulhsu a2, s7, s4                /* 3 * (2^64-1) */
  CHECK(a2, 2)
  mulh a2, s5, s5                  /* 2^126 */
  CHECK(a2, 0x4000000000000000)
  mulh a2, s5, s7
  CHECK(a2, -2)
  mulhsu a2, s5, s5                /* -2^63 * 2^63 = -2^126 */
  CHECK(a2, 0xc000000000000000)
  mulhu a2, s5, s7
  CHECK(a2, 1)

  /* div / divu / rem / remu */
  li a0, -7
  li a1, 2
  div a2, a0, a1
  CHECK(a2, -3)                    /* rounds toward zero */
  rem a2, a0, a1
  CHECK(a2, -1)                    /* sign of the dividend */
  divu a2, a0, a1
  CHECK(a2, 0x7ffffffffffffffc)
  remu a2, a0, a1
  CHECK(a2, 1)
  li a1, -2
  div a2, a0, a1
  CHECK(a2, 3)
  rem a2, a0, a1
  CHECK(a2, -1)
  /* division by zero */
  div a2, a0, zero
  CHECK(a2, -1)
  divu a2, a0, zero
  CHECK(a2, -1)
  rem a2, a0, zero
  CHECK(a2, -7)
  remu a2, a0, zero
  CHECK(a2, -7)
  /* overflow */
  div a2, s5, s4
  CHECK(a2, 0x8000000000000000)
  rem a2, s5, s4
  CHECK(a2, 0)
  divu a2, s5, s4
  CHECK(a2, 0)
  remu a2, s5, s4
  CHECK(a2, 0x8000000000000000)

  /* *W */
  li a0, 0x7fffffff
  li a1, 2
  mulw a2, a0, a1
  CHECK(a2, -2)
  li a0, 0x1234567800010000
  li a1, 0x10000
  mulw a2, a0, a1
  CHECK(a2, 0)
  li a0, 0x100000007        /* low word 7 */
  li a1, -2
  divw a2, a0, a1
  CHECK(a2, -3)
  remw a2, a0, a1
  CHECK(a2, 1)
  li a0, 0xfffffff9         /* -7 as a word, zero upper bits */
  li a1, 2
  divw a2, a0, a1
  CHECK(a2, -3)
  divuw a2, a0, a1
  CHECK(a2, 0x7ffffffc)
  remuw a2, a0, a1
  CHECK(a2, 1)
  li a1, 0x10
  divuw a2, a0, a1
  CHECK(a2, 0x0fffffff)
  li a0, 0x80000000
  li a1, 0xffffffff
  divuw a2, a0, a1          /* 0x80000000 / 0xffffffff = 0 */
  CHECK(a2, 0)
  remuw a2, a0, a1          /* 0x80000000, sign-extended */
  CHECK(a2, 0xffffffff80000000)
  divw a2, a0, a1           /* INT32_MIN / -1 */
  CHECK(a2, 0xffffffff80000000)
  remw a2, a0, a1
  CHECK(a2, 0)
  divw a2, a0, zero
  CHECK(a2, -1)
  divuw a2, a0, zero
  CHECK(a2, -1)
  remw a2, a0, zero
  CHECK(a2, 0xffffffff80000000)
  remuw a2, a0, zero
  CHECK(a2, 0xffffffff80000000)
  li a0, 0x100000000        /* low word 0: divide by zero word */
  li a1, 5
  divw a2, a1, a0
  CHECK(a2, -1)

  TEST_PASS
