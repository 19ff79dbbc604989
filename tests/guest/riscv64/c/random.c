// Randomness: getrandom and /dev/urandom deliver bytes (their values are not
// printed), while the seeded generators of libc (random, rand_r, drand48 and
// friends) are deterministic and print their sequences.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

static int looks_random(const unsigned char* b, size_t n) {
  int distinct = 0;
  int seen[256] = {0};
  for (size_t i = 0; i < n; i++)
    if (!seen[b[i]]++) distinct++;
  return distinct > (int)n / 4;
}

int main(void) {
  unsigned char a[64], b[64];
  ssize_t ra = getrandom(a, sizeof a, 0), rb = getrandom(b, sizeof b, GRND_NONBLOCK);
  int differ = 0;
  for (size_t i = 0; i < sizeof a; i++) differ += a[i] != b[i];
  printf("getrandom: %zd %zd bytes, two draws differ: %d, spread: %d\n", ra, rb, differ > 0, looks_random(a, 64));
  int fd = open("/dev/urandom", O_RDONLY);
  ssize_t ru = fd >= 0 ? read(fd, a, sizeof a) : -1;
  printf("/dev/urandom: %zd bytes, spread: %d\n", ru, looks_random(a, 64));
  if (fd >= 0) close(fd);

  srandom(12345);
  printf("random():");
  for (int i = 0; i < 6; i++) printf(" %ld", random());
  printf("\n");
  srand(99);
  printf("rand():");
  for (int i = 0; i < 6; i++) printf(" %d", rand());
  printf("\n");
  unsigned seed = 7;
  printf("rand_r():");
  for (int i = 0; i < 6; i++) printf(" %d", rand_r(&seed));
  printf("\n");
  srand48(2024);
  double d1 = drand48(), d2 = drand48();
  long l1 = lrand48(), m1 = mrand48();
  printf("drand48(): %.17g %.17g lrand48(): %ld mrand48(): %ld\n", d1, d2, l1, m1);
  unsigned short xsubi[3] = {1, 2, 3};
  double e1 = erand48(xsubi);
  long n1 = nrand48(xsubi), j1 = jrand48(xsubi);
  printf("erand48(): %.17g nrand48(): %ld jrand48(): %ld\n", e1, n1, j1);
  char state[64];
  initstate(42, state, sizeof state);
  long r1 = random(), r2 = random();
  printf("initstate(64 bytes) random(): %ld %ld\n", r1, r2);
  return 0;
}
