// malloc-heavy code: many sizes (small bins, large, above the mmap
// threshold), realloc growing and shrinking, calloc, aligned allocation and
// random free orders. Every block carries a pattern derived from its slot and
// generation that is verified before it is freed or after it is moved, so a
// wrong load/store, brk or mmap/mremap emulation shows up as a checksum or
// corruption count. No addresses are printed.
#include <inttypes.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kSlots = 512, kRounds = 12000 };

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

struct Slot {
  unsigned char* p;
  size_t size;
  unsigned seed;
};
static struct Slot slots[kSlots];
static unsigned long corruptions, allocations, frees, reallocs;
static uint64_t checksum;

static unsigned char pattern(unsigned seed, size_t i) { return (unsigned char)(seed * 31 + i * 7 + (i >> 8)); }

// Large blocks are sampled (every 61st byte) to keep the emulated run short.
static size_t stride(size_t size) { return size > 16384 ? 61 : 1; }

static void fill(struct Slot* s) {
  for (size_t i = 0; i < s->size; i += stride(s->size)) s->p[i] = pattern(s->seed, i);
}

static void verify(const struct Slot* s, size_t n) {
  for (size_t i = 0; i < n; i += stride(s->size)) {
    if (s->p[i] != pattern(s->seed, i)) {
      corruptions++;
      return;
    }
    checksum = checksum * 31 + s->p[i];
  }
}

static size_t random_size(void) {
  uint64_t r = next_rand();
  switch (r % 64) {
    case 0: return (size_t)(r >> 8) % (128 * 1024) + 128 * 1024;  // mmap'ed chunks
    case 1:
    case 2:
    case 3:
    case 4: return (size_t)(r >> 8) % 16384;
    default: return (size_t)(r >> 8) % 256;
  }
}

int main(void) {
  for (unsigned round = 0; round < kRounds; round++) {
    unsigned k = (unsigned)(next_rand() % kSlots);
    struct Slot* s = &slots[k];
    if (!s->p) {
      s->size = random_size();
      s->seed = round;
      s->p = (next_rand() & 3) == 0 ? calloc(1, s->size ? s->size : 1) : malloc(s->size ? s->size : 1);
      if (!s->p) {
        printf("allocation of %zu failed\n", s->size);
        return 1;
      }
      allocations++;
      fill(s);
    } else if (next_rand() % 3 == 0) {
      size_t new_size = random_size();
      unsigned char* q = realloc(s->p, new_size ? new_size : 1);
      if (!q) {
        printf("realloc to %zu failed\n", new_size);
        return 1;
      }
      s->p = q;
      verify(s, new_size < s->size ? new_size : s->size);
      s->size = new_size;
      fill(s);
      reallocs++;
    } else {
      verify(s, s->size);
      free(s->p);
      s->p = NULL;
      frees++;
    }
  }
  for (unsigned k = 0; k < kSlots; k++) {
    if (slots[k].p) {
      verify(&slots[k], slots[k].size);
      free(slots[k].p);
      frees++;
    }
  }

  // calloc must return zeroed memory even when reusing freed chunks.
  unsigned long nonzero = 0;
  for (int i = 0; i < 200; i++) {
    size_t n = 64 + (size_t)i * 97;
    unsigned char* p = malloc(n);
    memset(p, 0xa5, n);
    free(p);
    unsigned char* z = calloc(n, 1);
    for (size_t j = 0; j < n; j++) nonzero += z[j] != 0;
    free(z);
  }

  // Alignment requests.
  unsigned long misaligned = 0;
  for (size_t align = 8; align <= 65536; align *= 2) {
    void* p = NULL;
    if (posix_memalign(&p, align, 1000) != 0) {
      printf("posix_memalign(%zu) failed\n", align);
      return 1;
    }
    misaligned += ((uintptr_t)p % align) != 0;
    void* q = aligned_alloc(align, align * 3);
    misaligned += ((uintptr_t)q % align) != 0;
    void* r = memalign(align, 77);
    misaligned += ((uintptr_t)r % align) != 0;
    free(p);
    free(q);
    free(r);
  }

  // One big block, touched sparsely, then shrunk in place.
  size_t big = 64u << 20;
  unsigned char* b = malloc(big);
  if (!b) {
    printf("64 MiB malloc failed\n");
    return 1;
  }
  for (size_t i = 0; i < big; i += 4096) b[i] = (unsigned char)(i >> 12);
  uint64_t big_sum = 0;
  for (size_t i = 0; i < big; i += 4096) big_sum += b[i];
  b = realloc(b, 4096);
  big_sum += b[0];
  free(b);

  printf("allocations %lu reallocs %lu frees %lu\n", allocations, reallocs, frees);
  printf("checksum %016" PRIx64 "\n", checksum);
  printf("corruptions %lu, calloc nonzero bytes %lu, misaligned %lu\n", corruptions, nonzero,
         misaligned);
  printf("big block sum %" PRIu64 "\n", big_sum);
  return corruptions || nonzero || misaligned ? 1 : 0;
}
