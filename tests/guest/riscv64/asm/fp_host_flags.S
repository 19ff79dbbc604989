/* The host-FPU fast paths (translate_fp.cpp: round-to-nearest-even ops run
 * as IR floating-point ops whose flags stay pending in the host FP status)
 * against the architectural fflags (RISC-V unprivileged ISA 20191213,
 * §11.2): flags accrued by a straight-line sequence are all seen by one
 * frflags/frcsr; fsflags/csrw fflags/fscsr drop the pending ones; the
 * dynamic mode follows frm changes in the middle of a sequence (frm is part
 * of the translation flags); flags survive helper calls, system calls, and
 * the frflags / flt / fsflags idiom of compiled code. */
#include "fp_check.inc"

#define ONE 0x3ff0000000000000
#define THREE 0x4008000000000000
#define TWO_M53 0x3ca0000000000000   /* 1 + 2^-53 ties between 1 and 1 + 2^-52 */
#define ONE_UP 0x3ff0000000000001

TEST_START
  fsflags zero
  fsrmi 0
  /* ---- dynamic rounding with frm = RNE: fast path, same result as rne ---- */
  T2D(fadd.d, dyn, ONE, TWO_M53, ONE, 0x1)
  T2D(fdiv.d, dyn, ONE, 0x0, 0x7ff0000000000000, 0x8)
  T2S(fadd.s, dyn, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x5)
  T1D(fsqrt.d, dyn, 0xbff0000000000000, 0x7ff8000000000000, 0x10)
  T3D(fmadd.d, dyn, 0x7ff0000000000000, 0x0, 0x7ff8000000000000, 0x7ff8000000000000, 0x10)
  T3S(fmadd.s, dyn, 0x0, 0xff800000, 0x7fc00000, 0x7fc00000, 0x10)
  T3D(fnmsub.d, dyn, ONE, THREE, ONE, 0xc000000000000000, 0x0)
  TFID(fcvt.l.d, dyn, 0x4004000000000000, 2, 0x1)            /* 2.5 -> 2 (ties to even) */
  TFID(fcvt.w.d, dyn, 0x41e0000000000000, 0x7fffffff, 0x10)  /* 2^31 saturates */
  TFID(fcvt.w.d, rtz, 0xc00e000000000000, -3, 0x1)           /* -3.75 */
  TFID(fcvt.w.d, rtz, 0xfff8000000000000, 0x7fffffff, 0x10)  /* NaN -> max */
  TFID(fcvt.l.d, rtz, 0xc3e0000000000001, 0x8000000000000000, 0x10)
  TFIS(fcvt.w.s, rtz, 0xcf000000, -0x80000000, 0x0)          /* -2^31 exactly */
  TIFD(fcvt.d.l, dyn, 0x20000000000001, 0x4340000000000000, 0x1)
  TIFS(fcvt.s.wu, dyn, 0xffffffff, 0x4f800000, 0x1)
  T1D_S(fcvt.s.d, dyn, 0x3690000000000000, 0x0, 0x3)          /* 2^-150: tiny, rounds to 0 */
  T1S_D0(fcvt.d.s, 0x7f800001, 0x7ff8000000000000, 0x10)
  TCD(flt.d, 0x7ff8000000000000, ONE, 0, 0x10)
  TCD(feq.d, 0x7ff8000000000000, ONE, 0, 0x0)
  TCD(feq.d, 0x7ff0000000000001, ONE, 0, 0x10)
  TCS(fle.s, 0x80000000, 0x0, 1, 0x0)
  /* an unboxed single reads as the canonical NaN (quiet: no flag) */
  li t0, 0x3f800000
  fmv.d.x fa0, t0
  LD_S(fa1, 0x3f800000)
  fadd.s fa2, fa0, fa1
  CHECK_S(fa2, 0x7fc00000)
  CHECK_FLAGS(0)

  /* ---- one frflags sees every flag of a sequence ---- */
  LD_D(fa0, ONE)
  LD_D(fa1, THREE)
  fmv.d.x fa3, zero
  fdiv.d fa2, fa0, fa1        /* NX */
  fadd.d fa2, fa0, fa0        /* exact */
  fdiv.d fa2, fa0, fa3        /* DZ */
  frflags a0
  CHECK(a0, 0x9)
  frflags a0                  /* reading does not clear */
  CHECK(a0, 0x9)
  frcsr a0                    /* frm 0 | fflags */
  CHECK(a0, 0x9)
  fsflags zero

  /* ---- writes drop pending flags ---- */
  fdiv.d fa2, fa0, fa1        /* NX pending */
  fsflags zero
  fadd.d fa2, fa0, fa0
  frflags a0
  CHECK(a0, 0)
  fdiv.d fa2, fa0, fa1        /* NX pending */
  csrwi fflags, 0x10          /* NV only */
  frflags a0
  CHECK(a0, 0x10)
  fdiv.d fa2, fa0, fa3        /* DZ on top */
  csrrci a0, fflags, 0x10     /* reads NV|DZ, clears NV */
  CHECK(a0, 0x18)
  frflags a0
  CHECK(a0, 0x8)
  fdiv.d fa2, fa0, fa1        /* NX pending */
  li t0, 0x2                  /* fscsr: frm 0, UF */
  fscsr a1, t0
  CHECK(a1, 0x9)
  frflags a0
  CHECK(a0, 0x2)
  csrs fflags, 0x4            /* set OF on top */
  frflags a0
  CHECK(a0, 0x6)
  fsflags zero

  /* ---- frm changes between ops of one sequence ---- */
  LD_D(fa1, TWO_M53)
  fadd.d fa2, fa0, fa1, dyn   /* RNE: 1 */
  fsrmi 3
  fadd.d fa4, fa0, fa1, dyn   /* RUP: 1 + 2^-52 */
  fsrmi 0
  fadd.d fa5, fa0, fa1, dyn   /* RNE again */
  li t0, 1
  fsrm t0                     /* RTZ through a register */
  fadd.d fa6, fa0, fa1, dyn
  csrwi frm, 0
  CHECK_D(fa2, ONE)
  CHECK_D(fa4, ONE_UP)
  CHECK_D(fa5, ONE)
  CHECK_D(fa6, ONE)
  CHECK_FLAGS(0x1)
  li t0, 0x60                 /* fscsr: frm 3 (RUP), no flags */
  fscsr t0
  fadd.d fa2, fa0, fa1, dyn
  fscsr zero
  fadd.d fa4, fa0, fa1, dyn
  CHECK_D(fa2, ONE_UP)
  CHECK_D(fa4, ONE)
  CHECK_FLAGS(0x1)

  /* ---- pending flags survive helpers, system calls, the compare idiom ---- */
  LD_D(fa1, THREE)
  fdiv.d fa2, fa0, fa1        /* NX pending */
  fadd.d fa4, fa0, fa0, rdn   /* a helper (exact) */
  frflags a0
  CHECK(a0, 0x1)
  fsflags zero
  fdiv.d fa2, fa0, fa3, rne   /* DZ pending */
  li a7, 172                  /* getpid */
  ecall
  frflags a0
  CHECK(a0, 0x8)
  fsflags zero
  fdiv.d fa2, fa0, fa1        /* NX pending */
  LD_D(fa4, 0x7ff8000000000000)
  frflags a4                  /* what compilers emit for isless() */
  flt.d a5, fa4, fa0          /* NV, then dropped */
  fsflags a4
  CHECK(a4, 0x1)
  CHECK(a5, 0)
  frflags a0
  CHECK(a0, 0x1)
  fsflags zero
  TEST_PASS
