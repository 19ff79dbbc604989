/* F/D transfers, NaN-boxing and sign injection (RISC-V unprivileged ISA
 * 20191213, §11.5, §11.6, §11.10, §12.2-12.6): loads and stores move bits
 * unchanged (flw boxes); fmv.x.w/fmv.w.x move the low 32 bits without the
 * boxing check; fsgnj* never canonicalize and never set flags, but read an
 * improperly boxed single as the canonical NaN, like every other single
 * operand. Also the compressed c.fld/c.fsd/c.fldsp/c.fsdsp. */
#include "fp_check.inc"

TEST_START
  fsflags zero
  lla s0, buf

  /* flw boxes; fsw stores the low word of whatever the register holds */
  flw ft0, 0(s0)
  CHECK_S(ft0, 0x3f800000)
  li t0, 0x123456789abcdef0
  fmv.d.x ft1, t0
  fsw ft1, 8(s0)
  ld a0, 8(s0)
  CHECK(a0, 0xffffffff9abcdef0)  /* upper word of the slot untouched */
  /* fld/fsd keep signaling-NaN payloads */
  fld ft2, 16(s0)
  fsd ft2, 24(s0)
  ld a0, 24(s0)
  CHECK(a0, 0x7ff0000000000001)
  CHECK_D(ft2, 0x7ff0000000000001)
  /* misaligned accesses work in user mode */
  li t0, 0x4000000000000000
  fmv.d.x ft3, t0
  fsd ft3, 33(s0)
  fld ft4, 33(s0)
  CHECK_D(ft4, 0x4000000000000000)
  fsw ft0, 43(s0)
  flw ft5, 43(s0)
  CHECK_S(ft5, 0x3f800000)
  CHECK_FLAGS(0)

  /* fmv.x.w sign-extends the low word, boxed or not */
  LD_S(ft0, 0x80000001)
  fmv.x.w a0, ft0
  CHECK(a0, 0xffffffff80000001)
  fmv.x.w a0, ft1
  CHECK(a0, 0xffffffff9abcdef0)
  /* fmv.w.x boxes the low word; fmv.d.x/fmv.x.d move 64 bits */
  li a1, 0x123456783f800000
  fmv.w.x ft6, a1
  CHECK_S(ft6, 0x3f800000)
  li a1, 0xfff0000000000001
  fmv.d.x ft7, a1
  fmv.x.d a0, ft7
  CHECK(a0, 0xfff0000000000001)
  fmv.w.x ft7, zero
  CHECK_S(ft7, 0)
  CHECK_FLAGS(0)

  /* sign injection, single: payloads and signaling NaNs kept, no flags */
  TNS(fsgnj.s, 0x3f800000, 0xbf800000, 0xbf800000, 0)
  TNS(fsgnj.s, 0xbf800000, 0x3f800000, 0x3f800000, 0)
  TNS(fsgnjn.s, 0x3f800000, 0xbf800000, 0x3f800000, 0)
  TNS(fsgnjn.s, 0x7f800001, 0x7f800001, 0xff800001, 0)
  TNS(fsgnjx.s, 0xbf800000, 0xbf800000, 0x3f800000, 0)
  TNS(fsgnjx.s, 0xffc12345, 0x3f800000, 0xffc12345, 0)
  TNS(fsgnjx.s, 0x7fc12345, 0x80000000, 0xffc12345, 0)
  /* ... and an improperly boxed operand reads as the canonical NaN */
  fsgnj.s fa2, ft1, ft1             /* fmv.s of an unboxed value */
  CHECK_S(fa2, 0x7fc00000)
  LD_S(fa1, 0xbf800000)
  fsgnj.s fa2, ft1, fa1
  CHECK_S(fa2, 0xffc00000)
  fsgnjn.s fa2, fa1, ft1            /* sign of canonical NaN is +: result negative */
  CHECK_S(fa2, 0xbf800000)
  fsgnjx.s fa2, fa1, ft1
  CHECK_S(fa2, 0xbf800000)
  CHECK_FLAGS(0)

  /* sign injection, double */
  TND(fsgnj.d, 0x3ff0000000000000, 0x8000000000000000, 0xbff0000000000000, 0)
  TND(fsgnjn.d, 0x7ff0000000000001, 0x7ff0000000000001, 0xfff0000000000001, 0)
  TND(fsgnjx.d, 0xfff8000000001234, 0xfff0000000000000, 0x7ff8000000001234, 0)
  TND(fsgnjx.d, 0x8000000000000000, 0x3ff0000000000000, 0x8000000000000000, 0)

  /* unboxed single operands in arithmetic and conversions: canonical NaN, quiet */
  LD_S(fa1, 0x3f800000)
  fadd.s fa2, ft1, fa1
  CHECK_S(fa2, 0x7fc00000)
  fcvt.d.s fa2, ft1
  CHECK_D(fa2, 0x7ff8000000000000)
  fclass.s a0, ft1
  CHECK(a0, 0x200)
  feq.s a0, ft1, ft1
  CHECK(a0, 0)
  CHECK_FLAGS(0)
  fmax.s fa2, ft1, fa1
  CHECK_S(fa2, 0x3f800000)
  CHECK_FLAGS(0)
  /* a double written over a single is seen as unboxed, and vice versa */
  LD_D(fa3, 0x3ff0000000000000)
  fadd.s fa2, fa3, fa1
  CHECK_S(fa2, 0x7fc00000)
  CHECK_FLAGS(0)

  /* compressed FP loads and stores (expanded to fld/fsd) */
  lla a0, cbuf
  c.fld fs0, 0(a0)
  CHECK_D(fs0, 0x400921fb54442d18)
  c.fsd fs0, 8(a0)
  ld a1, 8(a0)
  CHECK(a1, 0x400921fb54442d18)
  addi sp, sp, -32
  c.fsdsp fs0, 16(sp)
  ld a1, 16(sp)
  CHECK(a1, 0x400921fb54442d18)
  li a1, 0xc000000000000000
  sd a1, 24(sp)
  c.fldsp fs1, 24(sp)
  CHECK_D(fs1, 0xc000000000000000)
  addi sp, sp, 32
  CHECK_FLAGS(0)

  TEST_PASS

  .data
  .balign 8
buf:
  .word 0x3f800000, 0
  .dword -1
  .dword 0x7ff0000000000001
  .dword 0
  .zero 32
cbuf:
  .dword 0x400921fb54442d18
  .dword 0
