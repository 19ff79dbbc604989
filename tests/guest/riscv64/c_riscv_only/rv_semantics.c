// RISC-V behaviour that has no portable C equivalent (the C code would be
// undefined behaviour on the host): division by zero and overflow results
// (RISC-V unprivileged spec, "M" extension, table "Semantics for division by
// zero and division overflow"), saturating FP-to-integer conversions
// ("D"/"F" extensions, fcvt table), the canonical NaN, NaN-boxing of singles
// in double registers, fmin/fmax with NaN operands, and fclass.
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BINOP(insn, a, b)                                          \
  ({                                                               \
    int64_t r_;                                                    \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b)); \
    r_;                                                            \
  })

#define FCVT(insn, x)                                               \
  ({                                                                \
    int64_t r_;                                                     \
    __asm__ volatile(insn " %0, %1, rtz" : "=r"(r_) : "f"(x));      \
    r_;                                                             \
  })

static uint64_t dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static uint32_t fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

int main(void) {
  volatile int64_t zero = 0, seven = 7, minus7 = -7, min64 = INT64_MIN, minus1 = -1;
  volatile int64_t min32 = INT32_MIN;
  printf("div 7/0 = %" PRId64 ", divu 7/0 = %" PRIx64 "\n", BINOP("div", seven, zero),
         (uint64_t)BINOP("divu", seven, zero));
  printf("rem 7%%0 = %" PRId64 ", rem -7%%0 = %" PRId64 ", remu 7%%0 = %" PRId64 "\n", BINOP("rem", seven, zero),
         BINOP("rem", minus7, zero), BINOP("remu", seven, zero));
  printf("div INT64_MIN/-1 = %" PRId64 ", rem = %" PRId64 "\n", BINOP("div", min64, minus1),
         BINOP("rem", min64, minus1));
  printf("divw 7/0 = %" PRId64 ", divuw 7/0 = %" PRIx64 ", remw -7%%0 = %" PRId64 "\n", BINOP("divw", seven, zero),
         (uint64_t)BINOP("divuw", seven, zero), BINOP("remw", minus7, zero));
  printf("divw INT32_MIN/-1 = %" PRId64 ", remw = %" PRId64 "\n", BINOP("divw", min32, minus1),
         BINOP("remw", min32, minus1));
  printf("mulh(-1,-1) = %" PRId64 ", mulhu(-1,-1) = %" PRIx64 ", mulhsu(-1,-1) = %" PRId64 "\n",
         BINOP("mulh", minus1, minus1), (uint64_t)BINOP("mulhu", minus1, minus1), BINOP("mulhsu", minus1, minus1));

  volatile double nan = NAN, inf = INFINITY, big = 1e20, neg = -3.7, zerod = 0.0;
  printf("fcvt.w.d: nan %" PRId64 " +inf %" PRId64 " -inf %" PRId64 " 1e20 %" PRId64 " -3.7 %" PRId64 "\n",
         FCVT("fcvt.w.d", nan), FCVT("fcvt.w.d", inf), FCVT("fcvt.w.d", -inf), FCVT("fcvt.w.d", big),
         FCVT("fcvt.w.d", neg));
  printf("fcvt.wu.d: nan %" PRIx64 " -3.7 %" PRIx64 " 1e20 %" PRIx64 "\n", (uint64_t)FCVT("fcvt.wu.d", nan),
         (uint64_t)FCVT("fcvt.wu.d", neg), (uint64_t)FCVT("fcvt.wu.d", big));
  printf("fcvt.l.d: nan %" PRIx64 " -inf %" PRIx64 " 1e20 %" PRIx64 "; fcvt.lu.d -3.7 %" PRIx64 "\n",
         (uint64_t)FCVT("fcvt.l.d", nan), (uint64_t)FCVT("fcvt.l.d", -inf), (uint64_t)FCVT("fcvt.l.d", big),
         (uint64_t)FCVT("fcvt.lu.d", neg));

  double q = zerod / zerod;
  float qf = (float)zerod / (float)zerod;
  printf("0/0 double bits %016" PRIx64 ", float bits %08" PRIx32 "\n", dbits(q), fbits(qf));
  double sq;
  __asm__ volatile("fsqrt.d %0, %1" : "=f"(sq) : "f"(neg));
  printf("fsqrt.d(-3.7) bits %016" PRIx64 "\n", dbits(sq));

  // A single-precision value is NaN-boxed (upper 32 bits all ones) in an f register.
  float one = 1.0f;
  uint64_t boxed;
  __asm__ volatile("fmv.x.d %0, %1" : "=r"(boxed) : "f"(one));
  printf("1.0f as 64-bit register: %016" PRIx64 "\n", boxed);
  // An improperly boxed single reads as the canonical NaN.
  uint64_t unboxed = 0x000000003f800000ull;
  float seen;
  __asm__ volatile("fmv.d.x %0, %1\n\tfadd.s %0, %0, %0" : "=f"(seen) : "r"(unboxed));
  printf("unboxed single + itself: %08" PRIx32 "\n", fbits(seen));

  double mn, mx;
  double two = 2.0;
  __asm__ volatile("fmin.d %0, %1, %2" : "=f"(mn) : "f"(nan), "f"(two));
  __asm__ volatile("fmax.d %0, %1, %2" : "=f"(mx) : "f"(nan), "f"(nan));
  printf("fmin.d(nan, 2) = %g, fmax.d(nan, nan) bits %016" PRIx64 "\n", mn, dbits(mx));
  double negz = -0.0, posz = 0.0;
  __asm__ volatile("fmin.d %0, %1, %2" : "=f"(mn) : "f"(posz), "f"(negz));
  __asm__ volatile("fmax.d %0, %1, %2" : "=f"(mx) : "f"(negz), "f"(posz));
  printf("fmin.d(+0, -0) bits %016" PRIx64 ", fmax.d(-0, +0) bits %016" PRIx64 "\n", dbits(mn), dbits(mx));

  const double cls[] = {-INFINITY, -1.0, -4.9406564584124654e-324, -0.0, 0.0, 4.9406564584124654e-324, 1.0,
                        INFINITY, NAN};
  printf("fclass.d:");
  for (unsigned i = 0; i < sizeof cls / sizeof cls[0]; i++) {
    uint64_t c;
    __asm__ volatile("fclass.d %0, %1" : "=r"(c) : "f"(cls[i]));
    printf(" %" PRIx64, c);
  }
  printf("\n");

  uint64_t fflags;
  __asm__ volatile("csrw fflags, zero\n\tfdiv.d %1, %2, %3\n\tcsrr %0, fflags"
                   : "=r"(fflags), "=f"(q) : "f"(two), "f"(zerod));
  printf("fflags after 2/0: %" PRIx64 "\n", fflags);
  return 0;
}
