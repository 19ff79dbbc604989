/* RV64C (unpriv. ch. 16): every compressed instruction written explicitly,
 * with extreme immediates and offsets, and the HINT encodings (which must
 * execute as no-ops). The reserved encodings raise SIGILL: see
 * c_riscv_only/illegal_compressed.c. */
#include "check.inc"

  .option rvc

  .data
  .balign 8
cbuf:
  .dword 0x1122334455667788
  .dword 0x8877665544332211
  .fill 64, 8, 0

TEST_START
  /* --- quadrant 1: immediates --- */
  c.li a0, 31
  CHECK(a0, 31)
  c.li a0, -32
  CHECK(a0, -32)
  c.addi a0, 31
  CHECK(a0, -1)
  c.addi a0, -32
  CHECK(a0, -33)
  c.lui a1, 1
  CHECK(a1, 0x1000)
  c.lui a1, 0x1f
  CHECK(a1, 0x1f000)
  c.lui a1, 0xfffe0                   /* nzimm = -32: sign-extended */
  CHECK(a1, 0xfffffffffffe0000)
  c.lui a1, 0xfffff
  CHECK(a1, 0xfffffffffffff000)
  li a0, 0x7fffffff
  c.addiw a0, 1
  CHECK(a0, 0xffffffff80000000)
  li a0, 0x1ffffffff
  c.addiw a0, 0                       /* sext.w */
  CHECK(a0, -1)
  mv s4, sp
  c.addi16sp sp, -512
  sub a0, s4, sp
  CHECK(a0, 512)
  c.addi16sp sp, 496
  sub a0, s4, sp
  CHECK(a0, 16)
  c.addi16sp sp, 16
  CHECK_SAME(sp, s4)
  c.addi4spn a2, sp, 1020
  sub a0, a2, sp
  CHECK(a0, 1020)
  c.addi4spn a2, sp, 4
  sub a0, a2, sp
  CHECK(a0, 4)

  /* shifts and logic on rd' registers */
  li s0, 0x8000000000000000
  c.srli s0, 63
  CHECK(s0, 1)
  li s0, 0x8000000000000000
  c.srai s0, 62
  CHECK(s0, -2)
  c.srai s0, 1
  CHECK(s0, -1)
  li s1, 0xff
  c.andi s1, -16
  CHECK(s1, 0xf0)
  c.andi s1, 0x1f
  CHECK(s1, 0x10)
  li a0, 10
  li a1, 3
  c.sub a0, a1
  CHECK(a0, 7)
  c.xor a0, a1
  CHECK(a0, 4)
  c.or a0, a1
  CHECK(a0, 7)
  c.and a0, a1
  CHECK(a0, 3)
  li a0, 0x7fffffff
  li a1, 1
  c.addw a0, a1
  CHECK(a0, 0xffffffff80000000)
  li a0, 0
  c.subw a0, a1
  CHECK(a0, -1)
  li a0, 0x100000000
  c.subw a0, a1
  CHECK(a0, -1)

  /* --- quadrant 2 --- */
  li a0, 1
  c.slli a0, 63
  CHECK(a0, 0x8000000000000000)
  li a0, 3
  c.slli a0, 1
  CHECK(a0, 6)
  c.mv a1, a0
  CHECK(a1, 6)
  c.add a1, a0
  CHECK(a1, 12)

  /* loads and stores, register-relative */
  lla s0, cbuf
  c.ld a0, 0(s0)
  CHECK(a0, 0x1122334455667788)
  c.lw a0, 4(s0)
  CHECK(a0, 0x11223344)
  c.lw a0, 12(s0)
  CHECK(a0, 0xffffffff88776655)
  li a1, 0x0123456789abcdef
  c.sd a1, 248(s0)                    /* largest doubleword offset */
  c.ld a2, 248(s0)
  CHECK(a2, 0x0123456789abcdef)
  c.sw a1, 124(s0)                    /* largest word offset */
  c.lw a2, 124(s0)
  CHECK(a2, 0xffffffff89abcdef)
  c.sw a1, 64(s0)
  c.lw a2, 64(s0)
  CHECK(a2, 0xffffffff89abcdef)

  /* stack-relative */
  addi sp, sp, -512
  li a1, 0x55aa55aa55aa55aa
  c.sdsp a1, 504(sp)                  /* largest offset */
  c.ldsp a2, 504(sp)
  CHECK(a2, 0x55aa55aa55aa55aa)
  c.swsp a1, 252(sp)
  c.lwsp a2, 252(sp)
  CHECK(a2, 0x55aa55aa)
  lw a2, 508(sp)
  CHECK(a2, 0x55aa55aa)
  c.sdsp a1, 8(sp)
  c.lwsp a3, 12(sp)
  CHECK(a3, 0x55aa55aa)
  c.ldsp ra, 8(sp)
  CHECK(ra, 0x55aa55aa55aa55aa)

  /* FP loads/stores move raw bits */
  li a1, 0x400921fb54442d18
  sd a1, 16(sp)
  c.fldsp fa0, 16(sp)
  c.fsdsp fa0, 504(sp)
  ld a2, 504(sp)
  CHECK(a2, 0x400921fb54442d18)
  lla s0, cbuf
  c.fld fa1, 8(s0)
  c.fsd fa1, 248(s0)
  ld a2, 248(s0)
  CHECK(a2, 0x8877665544332211)
  addi sp, sp, 512

  /* --- control transfer --- */
  li a0, 0
  c.beqz a0, 1f
  FAIL()
1:
  c.bnez a0, 2f
  j 3f
2:
  FAIL()
3:
  li s1, -1
  c.bnez s1, 4f
  FAIL()
4:
  c.j 5f
  FAIL()
5:
  lla a0, 6f
  c.jr a0
  FAIL()
6:
  lla a0, 7f
  c.jalr a0                           /* link = pc + 2 */
8:
  FAIL()
7:
  lla a1, 8b
  CHECK_SAME(ra, a1)
  /* c.jalr with rs1 = ra: the target uses the old ra */
  lla ra, 9f
  c.jalr ra
10:
  FAIL()
9:
  lla a1, 10b
  CHECK_SAME(ra, a1)

  /* --- HINTs: no architectural effect --- */
  li a0, 77
  c.nop
  .2byte 0x0005                       /* c.addi x0, 1 (HINT) */
  .2byte 0x4005                       /* c.li x0, 1 (HINT) */
  .2byte 0x6005                       /* c.lui x0, 1 (HINT) */
  .2byte 0x802a                       /* c.mv x0, a0 (HINT) */
  .2byte 0x902a                       /* c.add x0, a0 (HINT) */
  .2byte 0x0006                       /* c.slli x0, 1 (HINT) */
  .2byte 0x0501                       /* c.addi a0, 0 (HINT) */
  CHECK(zero, 0)
  CHECK(a0, 77)

  TEST_PASS
