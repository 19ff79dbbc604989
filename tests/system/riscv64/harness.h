/* Shared macros of the bare-metal system tests (tests/system/CMakeLists.txt):
 * programs linked at 0x80000000 on the virt machine report through the
 * sifive_test device at 0x100000: 0x5555 = pass, (code << 16) | 0x3333 =
 * fail with exit status `code`. Registers: macros use t5/t6 only. */
#define TEST_DEVICE 0x100000
#define CLINT_MSIP 0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME 0x200bff8

#define MSTATUS_SIE (1 << 1)
#define MSTATUS_MIE (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP (1 << 8)
#define MSTATUS_MPP (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_FS (3 << 13)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM (1 << 18)
#define MSTATUS_MXR (1 << 19)
#define MSTATUS_TVM (1 << 20)
#define MSTATUS_TW (1 << 21)
#define MSTATUS_TSR (1 << 22)

/* Stops the machine: the test passed. */
.macro PASS
  li t5, TEST_DEVICE
  li t6, 0x5555
  sw t6, 0(t5)
99: j 99b
.endm

/* Stops the machine: the test failed with exit status \code (1..255). */
.macro FAIL code
  li t5, TEST_DEVICE
  li t6, (\code << 16) | 0x3333
  sw t6, 0(t5)
99: j 99b
.endm

/* Fails with \code unless register \reg equals the constant \val. */
.macro EXPECT reg, val, code
  li t6, \val
  beq \reg, t6, 98f
  FAIL \code
98:
.endm

/* Sets mepc to label \target, MPP to \mpp (0 U, 1 S, 3 M) and mrets. */
.macro MRET_TO mpp, target
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  li t6, (\mpp << 11)
  csrs mstatus, t6
  la t6, \target
  csrw mepc, t6
  mret
.endm

/* Lets S and U access all memory: PMP entry 0 = NAPOT over the whole
 * address space, RWX (with no entry matching, S/U accesses fail, §3.7.1). */
.macro PMP_ALLOW_ALL
  li t6, -1
  csrw pmpaddr0, t6
  li t6, 0x1f
  csrw pmpcfg0, t6
.endm

/* Fails with \code unless register \reg equals \val1 or \val2. */
.macro EXPECT2 reg, val1, val2, code
  li t6, \val1
  beq \reg, t6, 97f
  li t6, \val2
  beq \reg, t6, 97f
  FAIL \code
97:
.endm
