/* Loads and stores of every width and signedness (unpriv. §2.6, §5.3),
 * negative and positive offsets, misaligned plain accesses (allowed in
 * Linux user mode), and loads into x0. */
#include "check.inc"

  .data
  .balign 16
buf:
  .dword 0x8182838485868788
  .dword 0x7172737475767778
  .dword 0
  .dword 0
end_buf:

TEST_START
  lla s4, buf
  /* loads, sign- and zero-extending */
  lb a0, 0(s4)
  CHECK(a0, 0xffffffffffffff88)
  lbu a0, 0(s4)
  CHECK(a0, 0x88)
  lb a0, 8(s4)
  CHECK(a0, 0x78)
  lh a0, 6(s4)
  CHECK(a0, 0xffffffffffff8182)
  lhu a0, 6(s4)
  CHECK(a0, 0x8182)
  lh a0, 8(s4)
  CHECK(a0, 0x7778)
  lw a0, 4(s4)
  CHECK(a0, 0xffffffff81828384)
  lwu a0, 4(s4)
  CHECK(a0, 0x81828384)
  lw a0, 8(s4)
  CHECK(a0, 0x75767778)
  ld a0, 0(s4)
  CHECK(a0, 0x8182838485868788)
  ld a0, 8(s4)
  CHECK(a0, 0x7172737475767778)

  /* negative offsets */
  addi s5, s4, 16
  ld a0, -16(s5)
  CHECK(a0, 0x8182838485868788)
  lbu a0, -1(s5)
  CHECK(a0, 0x71)

  /* misaligned */
  lw a0, 1(s4)
  CHECK(a0, 0xffffffff84858687)
  ld a0, 3(s4)
  CHECK(a0, 0x7677788182838485)
  lhu a0, 7(s4)
  CHECK(a0, 0x7881)

  /* stores of each width write exactly their bytes */
  li a1, 0x1122334455667788
  sd a1, 16(s4)
  ld a0, 16(s4)
  CHECK(a0, 0x1122334455667788)
  li a2, 0xaabbccddeeff0099
  sb a2, 16(s4)
  ld a0, 16(s4)
  CHECK(a0, 0x1122334455667799)
  sh a2, 18(s4)
  ld a0, 16(s4)
  CHECK(a0, 0x1122334400997799)
  sw a2, 20(s4)
  ld a0, 16(s4)
  CHECK(a0, 0xeeff009900997799)
  /* misaligned stores */
  sd zero, 24(s4)
  sw a1, 25(s4)
  ld a0, 24(s4)
  CHECK(a0, 0x0000005566778800)
  sd a1, 23(s4)
  ld a0, 24(s4)
  CHECK(a0, 0x0011223344556677)
  lbu a0, 23(s4)
  CHECK(a0, 0x88)
  sh a1, 31(s4)
  ld a0, 24(s4)
  CHECK(a0, 0x8811223344556677)
  lbu a0, 32(s4)                  /* end_buf: first byte after */
  CHECK(a0, 0x77)

  /* a load into x0 still happens and changes nothing */
  lw zero, 0(s4)
  CHECK(zero, 0)

  /* base register overwritten by the load itself */
  lla a3, buf
  ld a3, 8(a3)
  CHECK(a3, 0x7172737475767778)

  /* store then load back in the same block, via the stack */
  addi sp, sp, -16
  li a4, -2
  sd a4, 8(sp)
  lw a5, 8(sp)
  CHECK(a5, -2)
  lwu a5, 12(sp)
  CHECK(a5, 0xffffffff)
  addi sp, sp, 16

  TEST_PASS

  .data
  .dword 0                       /* room after end_buf for the misaligned store */
