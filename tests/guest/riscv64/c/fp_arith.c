// IEEE 754 arithmetic in float and double: basic operations on edge values
// (zeros, subnormals, infinities, extremes), conversions, rounding modes set
// with fesetround, and the accrued exception flags. Operands pass through
// volatile variables so the compiler cannot fold them at build time.
//
// NaN *payloads and signs* are architecture-specific (x86-64 propagates an
// operand's NaN, RISC-V returns the canonical NaN), so NaNs print as "nan".
#include <fenv.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static void print_d(const char* what, double x) {
  if (isnan(x))
    printf("%-28s nan\n", what);
  else
    printf("%-28s %a %.17g\n", what, x, x);
}

static void print_f(const char* what, float x) {
  if (isnan(x))
    printf("%-28s nan\n", what);
  else
    printf("%-28s %a %.9g\n", what, (double)x, (double)x);
}

static const double kDoubles[] = {0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 2.5, -7.75, 1e10, 1e-10,
                                  DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 1e308,
                                  123456789.123456789, INFINITY, -INFINITY};
static const float kFloats[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 1.0f / 3.0f, 2.5f, -7.75f, 1e10f,
                                1e-10f, FLT_MAX, FLT_MIN, 1.40129846e-45f, 3e38f, INFINITY, -INFINITY};
enum { kND = sizeof kDoubles / sizeof kDoubles[0], kNF = sizeof kFloats / sizeof kFloats[0] };

static uint64_t hash;
static void mix_d(double x) {
  uint64_t bits;
  if (isnan(x)) {
    bits = 0x7ff8000000000000ull;
  } else {
    __builtin_memcpy(&bits, &x, 8);
  }
  hash = (hash ^ bits) * 0x100000001b3ull;
  hash ^= hash >> 29;
}

static void arithmetic_tables(void) {
  volatile double a, b;
  hash = 0;
  for (int i = 0; i < kND; i++)
    for (int j = 0; j < kND; j++) {
      a = kDoubles[i];
      b = kDoubles[j];
      mix_d(a + b);
      mix_d(a - b);
      mix_d(a * b);
      mix_d(a / b);
      mix_d((double)(a < b) + 2 * (a <= b) + 4 * (a == b));
      if (a != b) {  // fmin(+0, -0) may return either zero (C17 F.10.9.3)
        mix_d(fmin(a, b));
        mix_d(fmax(a, b));
      }
    }
  printf("double op table hash: %016" PRIx64 "\n", hash);
  volatile float fa, fb;
  hash = 0;
  for (int i = 0; i < kNF; i++)
    for (int j = 0; j < kNF; j++) {
      fa = kFloats[i];
      fb = kFloats[j];
      mix_d(fa + fb);
      mix_d(fa - fb);
      mix_d(fa * fb);
      mix_d(fa / fb);
      mix_d((double)(fa < fb) + 2 * (fa <= fb) + 4 * (fa == fb));
      if (fa != fb) {
        mix_d(fminf(fa, fb));
        mix_d(fmaxf(fa, fb));
      }
    }
  printf("float op table hash:  %016" PRIx64 "\n", hash);
}

static void spot_values(void) {
  volatile double one = 1.0, three = 3.0, two = 2.0, tiny = DBL_MIN, big = DBL_MAX;
  volatile float fone = 1.0f, fthree = 3.0f, ften = 10.0f;
  print_d("1/3", one / three);
  print_d("sqrt(2)", sqrt(two));
  print_d("DBL_MIN/2 (subnormal)", tiny / two);
  print_d("DBL_MIN*DBL_MIN", tiny * tiny);
  print_d("DBL_MAX*2", big * two);
  print_d("-DBL_MAX*2", -big * two);
  print_d("1/-0", one / -(one - one));
  print_d("0*-1", (one - one) * -one);
  print_d("0/0", (one - one) / (one - one));
  print_d("inf-inf", big * two - big * two);
  print_f("1f/3f", fone / fthree);
  print_f("sqrtf(10)", sqrtf(ften));
  print_f("(float)(1/3)", (float)(one / three));
  print_d("(double)(1f/3f)", (double)(fone / fthree));
  print_f("FLT_MAX*10", (float)(FLT_MAX * (double)ften) * fone);
  print_d("fma(1/3,3,-1)", fma(one / three, three, -one));
  print_f("fmaf(1/3,3,-1)", fmaf(fone / fthree, fthree, -fone));
}

static void conversions(void) {
  volatile double d[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1e9, -2147483648.0, 4294967295.0,
                         9007199254740993.0, -1e18, 0.999999999};
  for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++) {
    double x = d[i];
    printf("%.17g: (int64)%" PRId64 " (int32)%d lrint %ld lround %ld trunc %g floor %g ceil %g "
           "rint %g nearbyint %g round %g (float)%a\n",
           x, (int64_t)x, (x > -2147483649.0 && x < 2147483648.0) ? (int32_t)x : 0, lrint(x),
           lround(x), trunc(x), floor(x), ceil(x), rint(x), nearbyint(x), round(x),
           (double)(float)x);
    if (x >= 0 && x < 18446744073709551616.0) printf("  (uint64)%" PRIu64 "\n", (uint64_t)x);
  }
  volatile int64_t i64[] = {0, 1, -1, INT64_MAX, INT64_MIN, 9007199254740993ll, 16777217};
  volatile uint64_t u64[] = {0, UINT64_MAX, 0x8000000000000001ull, 18446744073709549568ull};
  for (unsigned i = 0; i < sizeof i64 / sizeof i64[0]; i++)
    printf("int64 %" PRId64 " -> double %a float %a\n", i64[i], (double)i64[i],
           (double)(float)i64[i]);
  for (unsigned i = 0; i < sizeof u64 / sizeof u64[0]; i++)
    printf("uint64 %" PRIu64 " -> double %a float %a\n", u64[i], (double)u64[i],
           (double)(float)u64[i]);
  volatile uint32_t u32 = 4294967295u;
  volatile int32_t i32 = -2147483647;
  printf("uint32 max -> float %a, int32 -> float %a\n", (double)(float)u32, (double)(float)i32);
}

static const struct {
  int mode;
  const char* name;
} kModes[] = {{FE_TONEAREST, "nearest"}, {FE_UPWARD, "upward"}, {FE_DOWNWARD, "downward"},
              {FE_TOWARDZERO, "toward-zero"}};

static void rounding_modes(void) {
  volatile double one = 1.0, three = 3.0, two = 2.0, neg = -1.0, d53 = 9007199254740993.0;
  volatile float fone = 1.0f, fthree = 3.0f;
  volatile int64_t big = 9007199254740993ll;
  for (unsigned m = 0; m < 4; m++) {
    if (fesetround(kModes[m].mode) != 0) {
      printf("fesetround(%s) failed\n", kModes[m].name);
      continue;
    }
    volatile double r1 = one / three, r2 = neg / three, r3 = sqrt(two), r4 = (double)big;
    volatile double r5 = rint(2.5 * one), r6 = nearbyint(-2.5 * one), r7 = one + 1e-17;
    volatile float f1 = fone / fthree, f2 = (float)(neg / three), f3 = (float)d53;
    volatile long l1 = lrint(-1.5 * one);
    int got = fegetround() == kModes[m].mode;
    fesetround(FE_TONEAREST);
    printf("%-11s fegetround ok=%d 1/3=%a -1/3=%a sqrt2=%a i64=%a rint2.5=%g nearbyint-2.5=%g "
           "1+1e-17=%a\n            f1/3=%a f-1/3=%a f(2^53+1)=%a lrint-1.5=%ld\n",
           kModes[m].name, got, r1, r2, r3, r4, r5, r6, r7, (double)f1, (double)f2, (double)f3,
           l1);
  }
}

static void print_flags(const char* what) {
  int f = fetestexcept(FE_ALL_EXCEPT);
  printf("%-24s%s%s%s%s%s%s\n", what, f & FE_INVALID ? " invalid" : "",
         f & FE_DIVBYZERO ? " divbyzero" : "", f & FE_OVERFLOW ? " overflow" : "",
         f & FE_UNDERFLOW ? " underflow" : "", f & FE_INEXACT ? " inexact" : "",
         f ? "" : " (none)");
}

#define FLAGS(what, expr)            \
  do {                               \
    feclearexcept(FE_ALL_EXCEPT);    \
    sink = (expr);                   \
    print_flags(what);               \
  } while (0)

static void exception_flags(void) {
  volatile double sink, one = 1.0, zero = 0.0, three = 3.0, big = 1e308, small = 1e-308;
  volatile double dmin = DBL_MIN, neg = -1.0, qnan = NAN, inf = INFINITY, onehalf = 1.5;
  volatile float fbig = 3e38f, fone = 1.0f, fthree = 3.0f;
  FLAGS("1+1", one + one);
  FLAGS("1/3", one / three);
  FLAGS("1/0", one / zero);
  FLAGS("0/0", zero / zero);
  FLAGS("inf-inf", inf - inf);
  FLAGS("inf*0", inf * zero);
  FLAGS("sqrt(-1)", sqrt(neg));
  FLAGS("1e308*10", big * 10.0 * one);
  FLAGS("1e-308*1e-10", small * 1e-10 * one);
  FLAGS("DBL_MIN/2 (exact)", dmin / 2.0 * one);
  FLAGS("DBL_MIN/3", dmin / three);
  FLAGS("nan==1 (quiet)", (double)(qnan == one));
  FLAGS("nan<1 (signaling)", (double)(qnan < one));
  FLAGS("(long)1.5", (double)(long)onehalf);
  FLAGS("(long)2.0", (double)(long)(onehalf + 0.5));
  FLAGS("float 3e38*10", (double)(fbig * 10.0f));
  FLAGS("float 1/3", (double)(fone / fthree));
  FLAGS("(float)1e308", (double)(float)big);
  FLAGS("(float)0.1", (double)(float)(one / 10.0));
  feclearexcept(FE_ALL_EXCEPT);
  feraiseexcept(FE_OVERFLOW | FE_INEXACT);
  print_flags("feraiseexcept(OF|NX)");
  fexcept_t saved;
  fegetexceptflag(&saved, FE_ALL_EXCEPT);
  feclearexcept(FE_ALL_EXCEPT);
  fesetexceptflag(&saved, FE_OVERFLOW);
  print_flags("fesetexceptflag(OF)");
  feclearexcept(FE_ALL_EXCEPT);
  (void)sink;
}

int main(void) {
  arithmetic_tables();
  spot_values();
  conversions();
  rounding_modes();
  exception_flags();
  return 0;
}
