// Integer arithmetic at every width: wrap-around, shifts, division and
// remainder with all sign combinations, widening multiplies, bit counting,
// extensions. Inputs come from a fixed PRNG and from edge values; each
// operation class prints a hash of its results so any single wrong result
// shows up. Undefined C behaviour (signed overflow, division by zero,
// INT_MIN / -1) is avoided: the riscv-only tests cover those instructions.
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_u64(void) {  // xorshift64*
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t hash = 0;
static void mix(uint64_t v) { hash = (hash ^ v) * 0x100000001b3ull + 0x9e37; }

static const uint64_t kEdges[] = {
    0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
    0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull,
    0x123456789abcdef0ull, 0xdeadbeefcafebabeull};
enum { kEdgeCount = sizeof kEdges / sizeof kEdges[0], kRandom = 400 };

static uint64_t operand(int i) { return i < kEdgeCount ? kEdges[i] : next_u64() >> (next_u64() & 63); }

#define DEFINE_WIDTH(BITS)                                                        \
  static void width_##BITS(uint64_t a64, uint64_t b64) {                          \
    uint##BITS##_t ua = (uint##BITS##_t)a64, ub = (uint##BITS##_t)b64;            \
    int##BITS##_t sa = (int##BITS##_t)ua, sb = (int##BITS##_t)ub;                 \
    mix((uint##BITS##_t)((uint64_t)ua + ub));                                               \
    mix((uint##BITS##_t)((uint64_t)ua - ub));                                               \
    mix((uint##BITS##_t)((uint64_t)ua * ub));                                               \
    mix((uint##BITS##_t)~ua);                                                     \
    mix((uint##BITS##_t)(ua & ub) ^ (uint##BITS##_t)((ua | ub) << 1));            \
    mix((uint##BITS##_t)(ua ^ ub));                                               \
    mix((uint64_t)(sa < sb) | (uint64_t)(ua < ub) << 1 | (uint64_t)(sa == sb) << 2); \
    unsigned sh = (unsigned)(b64 % BITS);                                         \
    mix((uint##BITS##_t)(ua << sh));                                              \
    mix((uint##BITS##_t)(ua >> sh));                                              \
    mix((uint##BITS##_t)(sa >> sh));                                              \
    if (ub != 0) {                                                                \
      mix((uint##BITS##_t)(ua / ub));                                             \
      mix((uint##BITS##_t)(ua % ub));                                             \
    }                                                                             \
    if (sb != 0 && !(sb == -1 && sa == (int##BITS##_t)((uint##BITS##_t)1 << (BITS - 1)))) { \
      mix((uint##BITS##_t)(sa / sb));                                             \
      mix((uint##BITS##_t)(sa % sb));                                             \
    }                                                                             \
    mix((uint64_t)(int64_t)sa);                                                   \
    mix((uint64_t)ua);                                                            \
  }
DEFINE_WIDTH(8)
DEFINE_WIDTH(16)
DEFINE_WIDTH(32)
DEFINE_WIDTH(64)

static void wide_multiply(uint64_t a, uint64_t b) {
  unsigned __int128 u = (unsigned __int128)a * b;
  __int128 s = (__int128)(int64_t)a * (int64_t)b;
  __int128 su = (__int128)(int64_t)a * (__int128)b;
  mix((uint64_t)(u >> 64));
  mix((uint64_t)u);
  mix((uint64_t)((unsigned __int128)s >> 64));
  mix((uint64_t)((unsigned __int128)su >> 64));
}

static void bit_ops(uint64_t a) {
  mix((uint64_t)__builtin_popcountll(a));
  if (a) {
    mix((uint64_t)__builtin_clzll(a));
    mix((uint64_t)__builtin_ctzll(a));
  }
  uint32_t a32 = (uint32_t)a;
  if (a32) {
    mix((uint64_t)__builtin_clz(a32));
    mix((uint64_t)__builtin_ctz(a32));
  }
  mix(__builtin_bswap64(a));
  mix(__builtin_bswap32(a32));
  mix(__builtin_bswap16((uint16_t)a));
  unsigned r = (unsigned)(a % 64);
  mix(r ? (a << r) | (a >> (64 - r)) : a);
  unsigned r32 = (unsigned)(a % 32);
  mix(r32 ? (uint32_t)((a32 << r32) | (a32 >> (32 - r32))) : a32);
}

typedef void (*WidthFn)(uint64_t, uint64_t);

int main(void) {
  static const struct {
    const char* name;
    WidthFn fn;
  } widths[] = {{"8-bit", width_8}, {"16-bit", width_16}, {"32-bit", width_32}, {"64-bit", width_64}};
  for (unsigned w = 0; w < 4; w++) {
    hash = 0;
    rng_state = 0x9e3779b97f4a7c15ull + w;
    for (int i = 0; i < kEdgeCount + kRandom; i++) {
      uint64_t a = operand(i);
      for (int j = 0; j < kEdgeCount; j++) widths[w].fn(a, kEdges[j]);
      widths[w].fn(a, next_u64());
      widths[w].fn(next_u64(), a);
    }
    printf("%s ops hash: %016" PRIx64 "\n", widths[w].name, hash);
  }

  hash = 0;
  for (int i = 0; i < kEdgeCount + kRandom; i++) {
    uint64_t a = operand(i);
    for (int j = 0; j < kEdgeCount; j++) wide_multiply(a, kEdges[j]);
    wide_multiply(a, next_u64());
  }
  printf("128-bit multiply hash: %016" PRIx64 "\n", hash);

  hash = 0;
  for (int i = 0; i < kEdgeCount + kRandom; i++) bit_ops(operand(i));
  printf("bit ops hash: %016" PRIx64 "\n", hash);

  // A few readable spot checks (volatile: computed at run time).
  volatile int32_t i32_max = INT32_MAX, minus7 = -7, two = 2;
  volatile uint32_t u32_max = UINT32_MAX;
  volatile int64_t i64_min = INT64_MIN, three = 3;
  volatile uint8_t u8 = 200;
  volatile int8_t s8 = -100;
  volatile int16_t s16 = -30000;
  printf("INT32_MAX + 1 (wrapped) = %" PRId32 "\n", (int32_t)((uint32_t)i32_max + 1u));
  printf("UINT32_MAX + 1 = %" PRIu32 "\n", (uint32_t)(u32_max + 1u));
  printf("-7 / 2 = %" PRId32 ", -7 %% 2 = %" PRId32 "\n", minus7 / two, minus7 % two);
  printf("7 / -2 = %" PRId32 ", 7 %% -2 = %" PRId32 "\n", -minus7 / -two, -minus7 % -two);
  printf("INT64_MIN / 3 = %" PRId64 ", %% 3 = %" PRId64 "\n", i64_min / three, i64_min % three);
  printf("INT64_MIN >> 63 = %" PRId64 "\n", i64_min >> 63);
  printf("(uint8_t)(200 + 100) = %u\n", (unsigned)(uint8_t)(u8 + 100));
  printf("(int8_t)-100 * 3 = %d\n", (int)(int8_t)(s8 * 3));
  printf("(int16_t)-30000 - 10000 = %d\n", (int)(int16_t)(s16 - 10000));
  printf("sign-extend 0x80 as int8 to int64 = %" PRId64 "\n", (int64_t)(int8_t)(uint8_t)0x80);
  printf("zero-extend (uint32_t)-7 to uint64 = %" PRIu64 "\n", (uint64_t)(uint32_t)(int32_t)minus7);
  return 0;
}
