/* Zifencei (unpriv. ch. 3) with self-modifying code: code written to an
 * executable mapping runs after fence.i; rewriting code that has already
 * run (and so has been translated) takes effect after the next fence.i.
 * Also fence variants (which only order memory). */
#include "check.inc"

#define SYS_mmap 222
#define PROT_RWX 7
#define MAP_PRIVATE_ANON 0x22

/* addi a0, zero, imm ; ret */
#define LI_A0(imm) (((imm) & 0xfff) << 20 | 10 << 7 | 0x13)
#define RET 0x00008067

TEST_START
  li a0, 0
  li a1, 4096
  li a2, PROT_RWX
  li a3, MAP_PRIVATE_ANON
  li a4, -1
  li a5, 0
  li a7, SYS_mmap
  ecall
  mv s4, a0
  li t0, -4096
  bltu t0, s4, mmap_failed

  /* first version: return 1 */
  li t0, LI_A0(1)
  sw t0, 0(s4)
  li t0, RET
  sw t0, 4(s4)
  fence.i
  jalr s4
  CHECK(a0, 1)
  jalr s4                             /* again: runs the cached translation */
  CHECK(a0, 1)

  /* rewrite the immediate: return 2 */
  li t0, LI_A0(2)
  sw t0, 0(s4)
  fence.i
  jalr s4
  CHECK(a0, 2)

  /* rewrite into a longer sequence in the same place */
  li t0, LI_A0(40)
  sw t0, 0(s4)
  li t0, (2 << 20 | 10 << 15 | 10 << 7 | 0x13)  /* addi a0, a0, 2 */
  sw t0, 4(s4)
  li t0, RET
  sw t0, 8(s4)
  fence.i
  jalr s4
  CHECK(a0, 42)

  /* compressed code written as halfwords: c.li a0, 5 ; c.jr ra */
  li t0, 0x4515
  sh t0, 16(s4)
  li t0, 0x8082
  sh t0, 18(s4)
  fence.i
  addi t1, s4, 16
  jalr t1
  CHECK(a0, 5)

  /* fences of every kind are accepted */
  fence
  fence rw, rw
  fence r, r
  fence w, w
  fence iorw, iorw
  fence.tso
  .4byte 0x0100000f                   /* pause */

  TEST_PASS

mmap_failed:
  FAIL()
