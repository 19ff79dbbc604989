// The program `make demo` runs under mimic-riscv64: it says which machine it
// believes it runs on (uname), then computes things a person can check by
// eye or with standard tools:
//   - the first 25 primes,
//   - SHA-256 of "abc" (FIPS 180-4 example: ba7816bf...f20015ad) and of a
//     longer string (compare: printf '%s' "..." | sha256sum),
//   - a floating-point sum (pi by the Leibniz series, 100000 terms).
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

// SHA-256 as specified in FIPS 180-4, section 6.2.
static const uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(uint32_t h[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 | (uint32_t)block[4 * t + 2] << 8 |
           block[4 * t + 3];
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[t] + w[t];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256_hex(const char* msg, char out[65]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t len = strlen(msg), i = 0;
  uint8_t block[64];
  for (; i + 64 <= len; i += 64) sha256_block(h, (const uint8_t*)msg + i);
  size_t rest = len - i;
  memset(block, 0, 64);
  memcpy(block, msg + i, rest);
  block[rest] = 0x80;  // padding: a one bit, zeros, then the length in bits
  if (rest >= 56) {
    sha256_block(h, block);
    memset(block, 0, 64);
  }
  uint64_t bits = (uint64_t)len * 8;
  for (int k = 0; k < 8; k++) block[63 - k] = (uint8_t)(bits >> (8 * k));
  sha256_block(h, block);
  for (int k = 0; k < 8; k++) snprintf(out + 8 * k, 9, "%08x", h[k]);
}

int main(void) {
  struct utsname u;
  if (uname(&u) != 0) return 1;
  printf("Hello from a RISC-V program! uname says: %s %s\n", u.sysname, u.machine);

  printf("first 25 primes:");
  int found = 0;
  for (int n = 2; found < 25; n++) {
    int prime = 1;
    for (int d = 2; d * d <= n; d++)
      if (n % d == 0) prime = 0;
    if (prime) {
      printf(" %d", n);
      found++;
    }
  }
  printf("\n");

  const char* msgs[] = {"abc", "mimic runs RISC-V Linux programs on x86-64"};
  for (int i = 0; i < 2; i++) {
    char hex[65];
    sha256_hex(msgs[i], hex);
    printf("sha256(\"%s\") = %s\n", msgs[i], hex);
  }

  double pi = 0;
  for (int k = 0; k < 100000; k++) pi += (k % 2 ? -4.0 : 4.0) / (2 * k + 1);
  printf("pi by 100000 Leibniz terms = %.10f (error %.1e)\n", pi, fabs(pi - M_PI));
  return 0;
}
