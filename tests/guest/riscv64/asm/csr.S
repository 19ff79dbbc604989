/* Zicsr on the user CSRs (unpriv. ch. 9, ch. 11.2): fflags, frm and fcsr
 * as views of one register, every csrr* form, and the read-only counters
 * cycle, time and instret. */
#include "check.inc"

TEST_START
  /* csrrw: old value to rd, new value written */
  li a1, 0xff
  csrrw a0, fcsr, a1
  CHECK(a0, 0)
  csrr a0, fcsr
  CHECK(a0, 0xff)
  csrr a0, fflags
  CHECK(a0, 0x1f)
  csrr a0, frm
  CHECK(a0, 7)
  /* only the defined bits are kept */
  li a1, -1
  csrw fcsr, a1
  csrr a0, fcsr
  CHECK(a0, 0xff)
  csrw fflags, a1
  csrr a0, fflags
  CHECK(a0, 0x1f)
  /* writing fflags leaves frm alone and vice versa */
  csrw fflags, zero
  csrr a0, fcsr
  CHECK(a0, 0xe0)
  li a1, 2
  csrw frm, a1
  csrr a0, fcsr
  CHECK(a0, 0x40)
  li a1, 0x15
  csrw fflags, a1
  csrr a0, fcsr
  CHECK(a0, 0x55)

  /* csrrs / csrrc: rd gets the old value */
  li a1, 0x0a
  csrrs a0, fflags, a1
  CHECK(a0, 0x15)
  csrr a0, fflags
  CHECK(a0, 0x1f)
  li a1, 0x11
  csrrc a0, fflags, a1
  CHECK(a0, 0x1f)
  csrr a0, fflags
  CHECK(a0, 0x0e)
  /* rd = rs1 */
  li a0, 1
  csrrs a0, fflags, a0
  CHECK(a0, 0x0e)
  csrr a0, fflags
  CHECK(a0, 0x0f)

  /* immediate forms */
  csrrwi a0, frm, 3
  CHECK(a0, 2)
  csrrsi a0, fflags, 0x10
  CHECK(a0, 0x0f)
  csrrci a0, fflags, 0x03
  CHECK(a0, 0x1f)
  csrr a0, fcsr
  CHECK(a0, 0x7c)
  csrrsi a0, fcsr, 0          /* no write */
  CHECK(a0, 0x7c)
  csrrci a0, fcsr, 0
  CHECK(a0, 0x7c)
  csrwi fcsr, 0
  csrr a0, fcsr
  CHECK(a0, 0)
  csrsi frm, 5
  csrr a0, frm
  CHECK(a0, 5)
  csrci frm, 4
  csrr a0, fcsr
  CHECK(a0, 0x20)
  csrw fcsr, zero

  /* counters: readable with csrrs/csrrc rs1 = x0, monotonic */
  rdcycle s4
  rdtime s5
  rdinstret s6
  li t0, 1000
1:
  addi t0, t0, -1
  bnez t0, 1b
  rdcycle a0
  rdtime a1
  rdinstret a2
  sltu a3, a0, s4
  CHECK(a3, 0)
  sltu a3, a1, s5
  CHECK(a3, 0)
  sltu a3, a2, s6
  CHECK(a3, 0)
  sltu a3, s6, a2             /* instret advanced over 2000 instructions */
  CHECK(a3, 1)
  csrrc a0, time, zero
  sltu a3, a0, a1
  CHECK(a3, 0)

  TEST_PASS
