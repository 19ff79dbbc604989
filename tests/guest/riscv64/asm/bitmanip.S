/* Zba, Zbb and Zbs, all RV64 forms (Bitmanip 1.0.0 ch. 2 and 4). */
#include "check.inc"

  .option arch, +zba, +zbb, +zbs

TEST_START
  li s4, 0xffffffff80000001
  li s5, 0x100

  /* --- Zba --- */
  add.uw a0, s4, s5
  CHECK(a0, 0x80000101)
  sh1add a0, s4, s5
  CHECK(a0, 0xffffffff00000102)
  sh2add a0, s4, s5
  CHECK(a0, 0xfffffffe00000104)
  sh3add a0, s4, s5
  CHECK(a0, 0xfffffffc00000108)
  sh1add.uw a0, s4, s5
  CHECK(a0, 0x100000102)
  sh2add.uw a0, s4, s5
  CHECK(a0, 0x200000104)
  sh3add.uw a0, s4, s5
  CHECK(a0, 0x400000108)
  slli.uw a0, s4, 0
  CHECK(a0, 0x80000001)
  slli.uw a0, s4, 4
  CHECK(a0, 0x800000010)
  slli.uw a0, s4, 63
  CHECK(a0, 0x8000000000000000)
  zext.w a0, s4                       /* add.uw rd, rs, zero */
  CHECK(a0, 0x80000001)

  /* --- Zbb: logic with negation --- */
  li a1, 0xff00ff00ff00ff00
  li a2, 0x0ff00ff00ff00ff0
  andn a0, a1, a2
  CHECK(a0, 0xf000f000f000f000)
  orn a0, a1, a2
  CHECK(a0, 0xff0fff0fff0fff0f)
  xnor a0, a1, a2
  CHECK(a0, 0x0f0f0f0f0f0f0f0f)

  /* counts */
  clz a0, zero
  CHECK(a0, 64)
  clz a0, s5
  CHECK(a0, 55)
  clz a0, s4
  CHECK(a0, 0)
  ctz a0, zero
  CHECK(a0, 64)
  ctz a0, s5
  CHECK(a0, 8)
  cpop a0, s4
  CHECK(a0, 34)
  cpop a0, zero
  CHECK(a0, 0)
  li a1, 0xffffffff00000000
  clzw a0, a1
  CHECK(a0, 32)
  ctzw a0, a1
  CHECK(a0, 32)
  cpopw a0, a1
  CHECK(a0, 0)
  clzw a0, s5
  CHECK(a0, 23)
  clzw a0, s4
  CHECK(a0, 0)
  ctzw a0, s4
  CHECK(a0, 0)
  li a1, 0x8000000000000000 | 0x00100000
  ctzw a0, a1
  CHECK(a0, 20)
  cpopw a0, s4
  CHECK(a0, 2)

  /* min / max */
  li a1, -5
  li a2, 3
  max a0, a1, a2
  CHECK(a0, 3)
  min a0, a1, a2
  CHECK(a0, -5)
  maxu a0, a1, a2
  CHECK(a0, -5)
  minu a0, a1, a2
  CHECK(a0, 3)
  max a0, a2, a2
  CHECK(a0, 3)

  /* extensions */
  li a1, 0x12345680
  sext.b a0, a1
  CHECK(a0, 0xffffffffffffff80)
  li a1, 0x7f
  sext.b a0, a1
  CHECK(a0, 0x7f)
  li a1, 0x1234f678
  sext.h a0, a1
  CHECK(a0, 0xfffffffffffff678)
  zext.h a0, a1
  CHECK(a0, 0xf678)
  li a1, -1
  zext.h a0, a1
  CHECK(a0, 0xffff)

  /* rotates */
  li a1, 0x8000000000000001
  li a2, 1
  rol a0, a1, a2
  CHECK(a0, 3)
  ror a0, a1, a2
  CHECK(a0, 0xc000000000000000)
  li a2, 65                           /* modulo 64 */
  ror a0, a1, a2
  CHECK(a0, 0xc000000000000000)
  rori a0, a1, 4
  CHECK(a0, 0x1800000000000000)
  rori a0, a1, 63
  CHECK(a0, 3)
  li a1, 0x0000000080000001
  li a2, 1
  rolw a0, a1, a2
  CHECK(a0, 3)
  rorw a0, a1, a2
  CHECK(a0, 0xffffffffc0000000)
  li a2, 33                           /* modulo 32 */
  rorw a0, a1, a2
  CHECK(a0, 0xffffffffc0000000)
  roriw a0, a1, 4
  CHECK(a0, 0x18000000)
  roriw a0, a1, 0                     /* sign-extends */
  CHECK(a0, 0xffffffff80000001)
  li a1, 0xffffffff00000001
  rolw a0, a1, zero
  CHECK(a0, 1)

  /* orc.b / rev8 */
  li a1, 0x0001008000ff1000
  orc.b a0, a1
  CHECK(a0, 0x00ff00ff00ffff00)
  orc.b a0, zero
  CHECK(a0, 0)
  li a1, 0x0101010101010101
  orc.b a0, a1
  CHECK(a0, -1)
  li a1, 0x0102030405060708
  rev8 a0, a1
  CHECK(a0, 0x0807060504030201)

  /* --- Zbs --- */
  li a1, -1
  li a2, 63
  bclr a0, a1, a2
  CHECK(a0, 0x7fffffffffffffff)
  li a2, 64 + 3                       /* index modulo 64 */
  bclr a0, a1, a2
  CHECK(a0, 0xfffffffffffffff7)
  bclri a0, a1, 0
  CHECK(a0, 0xfffffffffffffffe)
  li a1, 0x10
  li a2, 4
  bext a0, a1, a2
  CHECK(a0, 1)
  li a2, 5
  bext a0, a1, a2
  CHECK(a0, 0)
  li a1, 0x8000000000000000
  bexti a0, a1, 63
  CHECK(a0, 1)
  binv a0, zero, a2
  CHECK(a0, 0x20)
  binvi a0, a1, 63
  CHECK(a0, 0)
  binvi a0, a1, 0
  CHECK(a0, 0x8000000000000001)
  bset a0, zero, a2
  CHECK(a0, 0x20)
  bseti a0, zero, 63
  CHECK(a0, 0x8000000000000000)
  bseti a0, a1, 63
  CHECK(a0, 0x8000000000000000)

  TEST_PASS
