/* RV64I register-register, register-immediate and shift instructions,
 * including the *W forms and their sign extension (unpriv. §2.4, §5.2). */
#include "check.inc"

TEST_START
  /* lui / auipc / addi */
  lui a0, 0x12345
  CHECK(a0, 0x12345000)
  lui a0, 0x80000                 /* sign-extended on RV64 */
  CHECK(a0, 0xffffffff80000000)
  li a0, 0x7ff
  addi a0, a0, 0x7ff
  CHECK(a0, 0xffe)
  li a0, 5
  addi a0, a0, -6
  CHECK(a0, -1)
1:
  auipc a1, 0
  lla a2, 1b
  sub a1, a1, a2
  CHECK(a1, 0)
  auipc a1, 1                     /* pc + 0x1000 */
2:
  lla a2, 2b
  sub a1, a1, a2
  CHECK(a1, 0x1000 - 4)

  /* add / sub wrap around */
  li a0, 0x7fffffffffffffff
  li a1, 1
  add a2, a0, a1
  CHECK(a2, 0x8000000000000000)
  sub a3, a1, a0
  CHECK(a3, 0x8000000000000002)
  sub a3, zero, a1
  CHECK(a3, -1)

  /* logic */
  li a0, 0xf0f0f0f0f0f0f0f0
  li a1, 0xff00ff00ff00ff00
  and a2, a0, a1
  CHECK(a2, 0xf000f000f000f000)
  or a2, a0, a1
  CHECK(a2, 0xfff0fff0fff0fff0)
  xor a2, a0, a1
  CHECK(a2, 0x0ff00ff00ff00ff0)
  andi a2, a0, -16                /* imm sign-extended */
  CHECK(a2, 0xf0f0f0f0f0f0f0f0)
  andi a2, a0, 0x7f0
  CHECK(a2, 0x0f0)
  ori a2, zero, -1
  CHECK(a2, -1)
  xori a2, a0, -1                 /* not */
  CHECK(a2, 0x0f0f0f0f0f0f0f0f)

  /* compares */
  li a0, -1
  li a1, 1
  slt a2, a0, a1
  CHECK(a2, 1)
  sltu a2, a0, a1
  CHECK(a2, 0)
  slt a2, a1, a0
  CHECK(a2, 0)
  sltu a2, a1, a0
  CHECK(a2, 1)
  slti a2, a0, 0
  CHECK(a2, 1)
  sltiu a2, a1, -1                /* 1 < 0xffff...ffff unsigned */
  CHECK(a2, 1)
  sltiu a2, zero, 1               /* seqz */
  CHECK(a2, 1)
  sltu a2, zero, a1               /* snez */
  CHECK(a2, 1)
  slt a2, a1, a1
  CHECK(a2, 0)

  /* shifts: 6-bit amounts on RV64 */
  li a0, 0x8000000000000001
  slli a2, a0, 1
  CHECK(a2, 2)
  slli a2, a0, 63
  CHECK(a2, 0x8000000000000000)
  srli a2, a0, 63
  CHECK(a2, 1)
  srai a2, a0, 63
  CHECK(a2, -1)
  srai a2, a0, 4
  CHECK(a2, 0xf800000000000000)
  li a1, 68                       /* only rs2[5:0] = 4 counts */
  sll a2, a0, a1
  CHECK(a2, 0x10)
  srl a2, a0, a1
  CHECK(a2, 0x0800000000000000)
  sra a2, a0, a1
  CHECK(a2, 0xf800000000000000)
  li a1, 63
  sra a2, a0, a1
  CHECK(a2, -1)

  /* *W: 32-bit operations, results sign-extended */
  li a0, 0x7fffffff
  addiw a2, a0, 1
  CHECK(a2, 0xffffffff80000000)
  li a0, 0x123456789
  addiw a2, a0, 0                 /* sext.w */
  CHECK(a2, 0x23456789)
  li a0, 0xffffffff
  addiw a2, a0, 0
  CHECK(a2, -1)
  li a0, 0x80000000
  li a1, 0x80000000
  addw a2, a0, a1
  CHECK(a2, 0)
  li a0, 0
  li a1, 1
  subw a2, a0, a1
  CHECK(a2, -1)
  li a0, 0x100000000
  subw a2, a0, a1
  CHECK(a2, -1)
  li a0, 1
  slliw a2, a0, 31
  CHECK(a2, 0xffffffff80000000)
  li a0, 0xffffffff80000000
  srliw a2, a0, 31
  CHECK(a2, 1)
  srliw a2, a0, 0                 /* sign of bit 31 */
  CHECK(a2, 0xffffffff80000000)
  sraiw a2, a0, 4
  CHECK(a2, 0xfffffffff8000000)
  li a0, 0x00000000f0000000       /* upper bits ignored, bit 31 is the sign */
  sraiw a2, a0, 28
  CHECK(a2, -1)
  li a0, 1
  li a1, 33                       /* rs2[4:0] = 1 */
  sllw a2, a0, a1
  CHECK(a2, 2)
  li a0, 0xffffffff00000010
  srlw a2, a0, a1
  CHECK(a2, 8)
  li a0, 0x80000000
  li a1, 31
  srlw a2, a0, a1
  CHECK(a2, 1)
  sraw a2, a0, a1
  CHECK(a2, -1)
  li a1, 32                       /* rs2[4:0] = 0 */
  sraw a2, a0, a1
  CHECK(a2, 0xffffffff80000000)

  /* x0 is hard-wired */
  li zero, 5
  addi zero, zero, 1
  CHECK(zero, 0)
  mv a2, zero
  CHECK(a2, 0)

  /* rd = rs1 = rs2 */
  li a0, 21
  add a0, a0, a0
  CHECK(a0, 42)

  TEST_PASS
