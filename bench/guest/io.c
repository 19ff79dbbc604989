/* In-guest block I/O timing for bench/guest_io.py (built static for riscv64:
 *   riscv64-linux-gnu-gcc -O2 -static -o io bench/guest/io.c).
 *
 *   io MODE DEVICE SIZE_MIB [OPS] [SEED]
 *     seqread / seqwrite   SIZE_MIB MiB from offset 0 in 4 KiB requests
 *     randread / randwrite OPS (default 2048) 4 KiB requests at 4 KiB-aligned
 *                          offsets below SIZE_MIB MiB, from a xorshift64
 *                          generator seeded with SEED (default 1): the same
 *                          offsets on every run and emulator
 * Opens DEVICE with O_DIRECT (falls back to buffered I/O when the open is
 * refused, reported as direct=0), so each request reaches the device. Writes
 * end with fdatasync, inside the timed interval. Prints one line
 *   IO-RESULT mode=M direct=D ops=N bytes=B secs=S MiBps=R
 * where secs is CLOCK_MONOTONIC time measured in the guest. Exit status 0 on
 * success, 1 on any I/O error (with a message on stderr). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { kBlock = 4096 };

static uint64_t rng_state;
static uint64_t xorshift64(void) {
  uint64_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return rng_state = x;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(void) {
  fprintf(stderr, "usage: io seqread|seqwrite|randread|randwrite DEVICE SIZE_MIB [OPS] [SEED]\n");
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 4) return usage();
  const char* mode = argv[1];
  const char* dev = argv[2];
  const uint64_t size = strtoull(argv[3], NULL, 0) << 20;
  const long ops_arg = argc > 4 ? strtol(argv[4], NULL, 0) : 2048;
  rng_state = argc > 5 ? strtoull(argv[5], NULL, 0) : 1;
  if (rng_state == 0) rng_state = 1;
  const int is_write = strcmp(mode, "seqwrite") == 0 || strcmp(mode, "randwrite") == 0;
  const int is_rand = strcmp(mode, "randread") == 0 || strcmp(mode, "randwrite") == 0;
  if (!is_write && !is_rand && strcmp(mode, "seqread") != 0) return usage();
  if (size < kBlock || ops_arg <= 0) return usage();
  const uint64_t blocks = size / kBlock;
  const uint64_t ops = is_rand ? (uint64_t)ops_arg : blocks;

  int flags = (is_write ? O_RDWR : O_RDONLY);
  int direct = 1;
  int fd = open(dev, flags | O_DIRECT);
  if (fd < 0 && errno == EINVAL) {
    direct = 0;
    fd = open(dev, flags);
  }
  if (fd < 0) {
    fprintf(stderr, "io: open %s: %s\n", dev, strerror(errno));
    return 1;
  }
  void* buf;
  if (posix_memalign(&buf, kBlock, kBlock) != 0) return 1;
  memset(buf, 0x5a, kBlock);

  const double t0 = now();
  for (uint64_t i = 0; i < ops; ++i) {
    const uint64_t blk = is_rand ? xorshift64() % blocks : i;
    const off_t off = (off_t)(blk * kBlock);
    ssize_t n;
    if (is_write) {
      ((uint64_t*)buf)[0] = blk;  /* each block's content names its place */
      n = pwrite(fd, buf, kBlock, off);
    } else {
      n = pread(fd, buf, kBlock, off);
    }
    if (n != kBlock) {
      fprintf(stderr, "io: %s at %lld: %s\n", mode, (long long)off,
              n < 0 ? strerror(errno) : "short transfer");
      return 1;
    }
  }
  if (is_write && fdatasync(fd) != 0) {
    fprintf(stderr, "io: fdatasync: %s\n", strerror(errno));
    return 1;
  }
  const double secs = now() - t0;
  close(fd);
  const double bytes = (double)ops * kBlock;
  printf("IO-RESULT mode=%s direct=%d ops=%llu bytes=%.0f secs=%.6f MiBps=%.2f\n", mode, direct,
         (unsigned long long)ops, bytes, secs, secs > 0 ? bytes / secs / 1048576.0 : 0.0);
  return 0;
}
