/* Illegal F/D encodings raise SIGILL (RISC-V unprivileged ISA 20191213,
 * §11.2): the reserved static rounding modes 5 and 6 in every instruction
 * with an rm field (also the exact conversions fcvt.d.s, fcvt.d.w, which
 * decode rm as usual, §11.7), and a dynamic rm while frm holds 5, 6 or 7.
 * A trapping instruction writes neither rd nor fflags. Instructions without
 * an rm field ignore frm. Reserved funct3/rs2/fmt values are illegal too.
 *
 * A SIGILL handler (SA_SIGINFO) records the faulting pc and resumes at the
 * address in resume_pc by editing the saved pc in the ucontext
 * (uc_mcontext.sc_regs.pc at offset 176 on riscv64). */
#include "fp_check.inc"

#define SYS_rt_sigaction 134
#define SIGILL 4
#define SA_SIGINFO 4
#define UC_PC 176

/* expect_sigill insn: insn must trap with SIGILL at its own address. */
.macro expect_sigill insn:vararg
  lla t0, .Lresume\@
  lla t1, resume_pc
  sd t0, 0(t1)
.Ltrap\@:
  \insn
  FAIL()
.Lresume\@:
  lla t1, trap_pc
  ld t2, 0(t1)
  sd zero, 0(t1)
  lla t0, .Ltrap\@
  CHECK_SAME(t2, t0)
.endm

  .text
sigill_handler:  /* a0 = signal, a1 = siginfo, a2 = ucontext */
  ld t0, UC_PC(a2)
  lla t1, trap_pc
  sd t0, 0(t1)
  lla t1, resume_pc
  ld t0, 0(t1)
  sd t0, UC_PC(a2)
  ret

TEST_START
  li a0, SIGILL
  lla a1, sigact
  li a2, 0
  li a3, 8
  li a7, SYS_rt_sigaction
  ecall
  CHECK(a0, 0)
  fsflags zero
  LD_S(fa0, 0x3f800000)
  LD_S(fa1, 0x33800000)   /* fa0 + fa1 is inexact */
  LD_D(fs0, 0x3ff0000000000000)
  LD_D(fs1, 0x3ca0000000000000)
  LD_D(fa2, 0x1234)
  li a1, 3

  /* reserved static rounding modes (.insn r: opcode, funct3 = rm, funct7) */
  expect_sigill .insn r OP_FP, 5, 0x00, fa2, fa0, fa1      /* fadd.s rm=5 */
  expect_sigill .insn r OP_FP, 6, 0x09, fa2, fs0, fs1      /* fmul.d rm=6 */
  expect_sigill .insn r OP_FP, 5, 0x2d, fa2, fs0, f0       /* fsqrt.d rm=5 */
  expect_sigill .insn r4 MADD, 5, 0, fa2, fa0, fa1, fa0    /* fmadd.s rm=5 */
  expect_sigill .insn r4 NMADD, 6, 1, fa2, fs0, fs1, fs0   /* fnmadd.d rm=6 */
  expect_sigill .insn r OP_FP, 6, 0x60, a0, fa0, x0        /* fcvt.w.s rm=6 */
  expect_sigill .insn r OP_FP, 5, 0x61, a0, fs0, x3        /* fcvt.lu.d rm=5 */
  expect_sigill .insn r OP_FP, 5, 0x68, fa2, a1, x2        /* fcvt.s.l rm=5 */
  expect_sigill .insn r OP_FP, 5, 0x69, fa2, a1, x0        /* fcvt.d.w rm=5 */
  expect_sigill .insn r OP_FP, 6, 0x21, fa2, fa0, x0       /* fcvt.d.s rm=6 */
  expect_sigill .insn r OP_FP, 5, 0x20, fa2, fs0, x1       /* fcvt.s.d rm=5 */
  CHECK_D(fa2, 0x1234)
  CHECK_FLAGS(0)

  /* dynamic rounding with an invalid frm */
  fsrmi 5
  expect_sigill fadd.s fa2, fa0, fa1
  expect_sigill fdiv.d fa2, fs0, fs1
  expect_sigill fsqrt.s fa2, fa0
  expect_sigill fmadd.d fa2, fs0, fs1, fs0
  expect_sigill fcvt.w.d a0, fs0
  expect_sigill fcvt.s.lu fa2, a1
  expect_sigill fcvt.s.d fa2, fs0
  expect_sigill .insn r OP_FP, 7, 0x69, fa2, a1, x0        /* fcvt.d.w dyn */
  expect_sigill .insn r OP_FP, 7, 0x21, fa2, fa0, x0       /* fcvt.d.s dyn */
  fsrmi 6
  expect_sigill fsub.d fa2, fs0, fs1
  fsrmi 7
  expect_sigill fmul.s fa2, fa0, fa1
  CHECK_D(fa2, 0x1234)
  CHECK_FLAGS(0)
  /* ... while static modes and instructions without rm still work */
  fadd.s fa2, fa0, fa1, rup
  CHECK_S(fa2, 0x3f800001)
  CHECK_FLAGS(1)
  fmin.d fa2, fs0, fs1
  CHECK_D(fa2, 0x3ca0000000000000)
  feq.s a0, fa0, fa0
  CHECK(a0, 1)
  fsgnjn.d fa2, fs0, fs0
  CHECK_D(fa2, 0xbff0000000000000)
  fclass.d a0, fs0
  CHECK(a0, 0x40)
  CHECK_FLAGS(0)
  fsrmi 0

  /* reserved encodings */
  LD_D(fa2, 0x1234)
  expect_sigill .insn r OP_FP, 3, 0x10, fa2, fa0, fa1      /* fsgnj.s funct3=3 */
  expect_sigill .insn r OP_FP, 2, 0x15, fa2, fs0, fs1      /* fmin.d funct3=2 */
  expect_sigill .insn r OP_FP, 3, 0x50, a0, fa0, fa1       /* feq.s funct3=3 */
  expect_sigill .insn r OP_FP, 0, 0x60, a0, fa0, x4        /* fcvt.?.s rs2=4 */
  expect_sigill .insn r OP_FP, 2, 0x70, a0, fa0, x0        /* fmv.x.w funct3=2 */
  expect_sigill .insn r OP_FP, 0, 0x71, a0, fs0, x1        /* fmv.x.d rs2=1 */
  expect_sigill .insn r OP_FP, 0, 0x2c, fa2, fa0, x1       /* fsqrt.s rs2=1 */
  expect_sigill .insn r OP_FP, 0, 0x20, fa2, fs0, x0       /* fcvt.s.s */
  expect_sigill .insn r OP_FP, 0, 0x07, fa2, fs0, fs1      /* fadd.q (no Q) */
  expect_sigill .insn r4 MADD, 0, 3, fa2, fs0, fs1, fs0    /* fmadd.q (no Q) */
  CHECK_D(fa2, 0x1234)
  CHECK_FLAGS(0)
  TEST_PASS

  .data
  .balign 8
sigact:
  .dword sigill_handler  /* sa_handler */
  .dword SA_SIGINFO      /* sa_flags */
  .dword 0               /* sa_mask */
resume_pc:
  .dword 0
trap_pc:
  .dword 0
