// printf/scanf formatting and libm. Functions that are exact by definition
// (sqrt, fabs, floor, ceil, fmod, frexp, ldexp, ...) print their full bits;
// transcendental functions (sin, exp, log, pow, ...) may legitimately differ
// by an ulp between architectures' libm builds, so they are checked against
// known values within a tolerance and printed with 10 significant digits.
#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void formats(void) {
  volatile int i = -42;
  volatile unsigned u = 3000000000u;
  volatile long long ll = -1234567890123456789ll;
  volatile double d = 3.14159265358979;
  printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d]\n", i, i, i, i, -i, -i);
  printf("[%u] [%x] [%X] [%#x] [%o] [%#o]\n", u, u, u, u, u, u);
  printf("[%lld] [%llx] [%" PRIu64 "] [%" PRIx64 "]\n", ll, (unsigned long long)ll, UINT64_MAX,
         (uint64_t)INT64_MIN);
  printf("[%hhd] [%hd] [%hhu] [%zu] [%td]\n", (signed char)300, (short)70000, (unsigned char)-1,
         (size_t)12345, (ptrdiff_t)-77);
  printf("[%f] [%.2f] [%10.3f] [%-10.1f] [%e] [%.3E] [%g] [%G]\n", d, d, d, d, d, d, d, d * 1e20);
  printf("[%g] [%g] [%g] [%g] [%.0f] [%.0f] [%#.0f]\n", 100000.0, 1000000.0, 1e-4, 1e-5, 0.5, 1.5,
         2.0);
  printf("[%a] [%A] [%.3a] [%la]\n", d, -d, d, 1e-300);
  printf("[%s] [%10s] [%-10s] [%.3s] [%c] [%%]\n", "str", "right", "left", "truncate", 'Z');
  printf("[%*d] [%-*d] [%.*f]\n", 6, 42, 6, 42, 3, d);
  printf("[%f] [%f] [%e] [%g]\n", INFINITY, -INFINITY, 0.0, -0.0);
  printf("[%.17g] [%.17g] [%.17g]\n", 0.1, 1e23, 5e-324);
  printf("[%.40f]\n", 0.1);
  printf("[%.3Lf] [%Lg]\n", (long double)1 / 3, (long double)2.5);
  int n = 0;
  printf("count%n", &n);
  printf(" -> %d\n", n);

  char buf[64];
  const char* volatile long_text = "abcdefghijkl";
  int len = snprintf(buf, 8, "%s", long_text);
  printf("snprintf truncated: '%s' len %d\n", buf, len);

  double parsed[] = {strtod("0.1", NULL), strtod("1e-320", NULL), strtod("0x1.8p3", NULL),
                     strtod("  -12.5e2xyz", NULL), strtod("inf", NULL), atof("2.718281828459045")};
  for (unsigned k = 0; k < sizeof parsed / sizeof parsed[0]; k++) printf("strtod %a\n", parsed[k]);
  printf("strtol %ld %ld %lu %lld\n", strtol("-0x7f", NULL, 16), strtol("0777", NULL, 0),
         strtoul("4294967296", NULL, 10), strtoll("-9223372036854775808", NULL, 10));
  int a, b;
  float f;
  char word[16];
  int got = sscanf("12 0x1f 2.5 hello", "%d %i %f %15s", &a, &b, &f, word);
  printf("sscanf %d: %d %d %a %s\n", got, a, b, (double)f, word);
}

static void exact_libm(void) {
  volatile double v[] = {0.0, -0.0, 0.5, -0.5, 1.0, 2.0, 10.0, -7.25, 1e300, 3.0e-310, 123.456};
  for (unsigned k = 0; k < sizeof v / sizeof v[0]; k++) {
    double x = v[k];
    int e;
    double ipart;
    double m = frexp(x, &e);
    double frac = modf(x, &ipart);
    printf("x=%a sqrt=%a fabs=%a floor=%a ceil=%a fmod(x,0.75)=%a frexp=%a,%d ldexp(x,-3)=%a "
           "ldexp(x,5)=%a trunc=%a copysign=%a modf=%a,%a logb=%a ilogb=%d\n",
           x, x >= 0 ? sqrt(x) : 0.0, fabs(x), floor(x), ceil(x), fmod(x, 0.75), m, e,
           ldexp(x, -3), ldexp(x, 5), trunc(x), copysign(3.0, x), frac, ipart,
           x != 0 ? logb(x) : 0.0, x != 0 ? ilogb(x) : 0);
  }
  printf("hypot(3,4)=%a remainder(10,3)=%a fdim=%a scalbn=%a nextafter=%a\n",
         hypot(3.0, 4.0), remainder(10.0, 3.0), fdim(5.0, 3.0), scalbn(1.0, 10),
         nextafter(1.0, 2.0));
  printf("sqrtf(2)=%a fabsf=%a floorf=%a fmodf=%a\n", (double)sqrtf(2.0f), (double)fabsf(-3.5f),
         (double)floorf(-2.5f), (double)fmodf(7.5f, 2.0f));
}

static int failures;
static void check(const char* name, double got, double want, double rel_tol) {
  double err = fabs(got - want);
  double lim = rel_tol * (fabs(want) > 1e-300 ? fabs(want) : 1.0);
  if (err > lim || isnan(got) != isnan(want)) {
    printf("MISMATCH %s: got %.17g want %.17g\n", name, got, want);
    failures++;
  } else {
    printf("%-14s %.10g\n", name, got);
  }
}

static void transcendental(void) {
  volatile double half = 0.5, one = 1.0, two = 2.0, ten = 10.0, pi = 3.14159265358979323846;
  check("sin(0.5)", sin(half), 0.479425538604203, 1e-14);
  check("cos(0.5)", cos(half), 0.8775825618903728, 1e-14);
  check("tan(0.5)", tan(half), 0.5463024898437905, 1e-14);
  check("sin(pi)", sin(pi), 1.2246467991473532e-16, 1e-6);
  check("asin(0.5)", asin(half), 0.5235987755982989, 1e-14);
  check("atan2(1,2)", atan2(one, two), 0.4636476090008061, 1e-14);
  check("exp(1)", exp(one), 2.718281828459045, 1e-14);
  check("exp(-10)", exp(-ten), 4.5399929762484854e-05, 1e-14);
  check("expm1(1e-10)", expm1(1e-10 * one), 1.00000000005e-10, 1e-14);
  check("log(10)", log(ten), 2.302585092994046, 1e-14);
  check("log2(10)", log2(ten), 3.321928094887362, 1e-14);
  check("log10(2)", log10(two), 0.3010299956639812, 1e-14);
  check("log1p(1e-10)", log1p(1e-10 * one), 9.9999999995e-11, 1e-14);
  check("pow(2,0.5)", pow(two, half), 1.4142135623730951, 1e-15);
  check("pow(10,-3)", pow(ten, -3 * one), 0.001, 1e-15);
  check("pow(2,64)", pow(two, 64 * one), 18446744073709551616.0, 0);
  check("cbrt(27)", cbrt(27 * one), 3.0, 1e-15);
  check("sinh(1)", sinh(one), 1.1752011936438014, 1e-14);
  check("tanh(0.5)", tanh(half), 0.46211715726000974, 1e-14);
  check("erf(0.5)", erf(half), 0.5204998778130465, 1e-14);
  check("tgamma(5)", tgamma(5 * one), 24.0, 1e-14);
  check("lgamma(10)", lgamma(ten), 12.801827480081469, 1e-14);
  check("sinf(0.5)", sinf((float)half), 0.479425538604203, 1e-6);
  check("expf(1)", expf((float)one), 2.718281828459045, 1e-6);
  check("logf(10)", logf((float)ten), 2.302585092994046, 1e-6);
  check("powf(2,0.5)", powf((float)two, (float)half), 1.4142135623730951, 1e-6);
  printf("transcendental mismatches: %d\n", failures);
}

int main(void) {
  formats();
  exact_libm();
  transcendental();
  return failures ? 1 : 0;
}
