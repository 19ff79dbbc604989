/* Branches and jumps (unpriv. §2.5): every condition taken and not taken
 * with signed/unsigned edge cases, jal/jalr links, jalr clearing bit 0 and
 * rd = rs1, loops, and straight-line code longer than a block that crosses
 * a page with an instruction straddling the page end. */
#include "check.inc"

/* BR_TAKEN(insn, a, b): insn a, b must branch. */
#define BR_TAKEN(insn, ra, rb) insn ra, rb, 1f; FAIL(); 1:
#define BR_NOT(insn, ra, rb) insn ra, rb, 1f; j 2f; 1: FAIL(); 2:

TEST_START
  li s4, -1
  li s5, 1
  li s6, 0x8000000000000000
  li s7, 0x7fffffffffffffff

  BR_TAKEN(beq, s4, s4)
  BR_NOT(beq, s4, s5)
  BR_TAKEN(bne, s4, s5)
  BR_NOT(bne, s5, s5)
  BR_TAKEN(blt, s4, s5)
  BR_NOT(blt, s5, s4)
  BR_NOT(blt, s5, s5)
  BR_TAKEN(blt, s6, s7)
  BR_TAKEN(bge, s5, s4)
  BR_TAKEN(bge, s5, s5)
  BR_NOT(bge, s4, s5)
  BR_NOT(bge, s6, s7)
  BR_TAKEN(bltu, s5, s4)
  BR_NOT(bltu, s4, s5)
  BR_NOT(bltu, s4, s4)
  BR_TAKEN(bltu, s7, s6)
  BR_TAKEN(bgeu, s4, s5)
  BR_TAKEN(bgeu, s4, s4)
  BR_NOT(bgeu, s5, s4)
  BR_TAKEN(beq, zero, zero)
  BR_TAKEN(bltu, zero, s5)

  /* jal: link is the address of the next instruction */
  jal ra, 1f
2:
  FAIL()
1:
  lla a0, 2b
  CHECK_SAME(ra, a0)
  jal zero, 1f            /* j: no link */
  FAIL()
1:
  /* backward jal */
  li a1, 0
  j 3f
4:
  addi a1, a1, 10
  j 5f
3:
  addi a1, a1, 1
  jal t0, 4b
  FAIL()
5:
  CHECK(a1, 11)

  /* jalr: target (rs1 + imm) & ~1; link = pc + 4 (or + 2 if compressed) */
  lla a0, 6f
  addi a0, a0, 1          /* odd: bit 0 must be cleared */
  .option push
  .option norvc
  jalr ra, 0(a0)
7:
  .option pop
  FAIL()
6:
  lla a2, 7b
  CHECK_SAME(ra, a2)
  lla a0, 8f - 16
  jalr ra, 16(a0)
  FAIL()
8:
  /* rd = rs1: the target uses the old value */
  lla a0, 9f
  .option push
  .option norvc
  jalr a0, 0(a0)
10:
  .option pop
  FAIL()
9:
  lla a2, 10b
  CHECK_SAME(a0, a2)
  /* call/ret */
  call func
  CHECK(a0, 1234)

  /* a counted loop (many blocks, chained) */
  li a0, 0
  li a1, 1000
11:
  add a0, a0, a1
  addi a1, a1, -1
  bnez a1, 11b
  CHECK(a0, 500500)

  /* straight-line code over a page boundary, longer than one block, with a
   * 4-byte instruction straddling the page end */
  li a0, 0
  j page_code
back:
  CHECK(a0, 1023 + 100 + 1)
  TEST_PASS

func:
  li a0, 1234
  ret

  .balign 4096
page_code:
  .option push
  .option norvc
  .rept 1023
  addi a0, a0, 1
  .endr
  .option rvc
  c.nop                   /* at page end - 4 */
  .option norvc
  addi a0, a0, 100        /* straddles the page end */
  addi a0, a0, 1
  .option pop
  j back
