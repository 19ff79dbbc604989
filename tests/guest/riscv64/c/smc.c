// Self-modifying code: the program writes machine code into an mmap'ed
// buffer, calls it, rewrites it (in place, with the old translation possibly
// cached) and calls it again. Both the RWX path and the W^X path (RW, then
// mprotect to RX) are covered. __builtin___clear_cache precedes every call:
// on riscv64 Linux it becomes the riscv_flush_icache system call.
//
// The generated function is long f(long x): a chain of "x += k" steps. The
// host build emits the same function in x86-64 code, so the output matches.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef long (*Fn)(long);
enum { kMaxSteps = 64 };

#if defined(__riscv) && __riscv_xlen == 64
enum { kPrologue = 0, kStep = 4 };
static size_t emit_prologue(uint8_t* p) { (void)p; return 0; }
static void emit_step(uint8_t* p, int k) {
  // addi a0, a0, k   (I-type: imm[11:0] rs1=a0 funct3=000 rd=a0 opcode=OP-IMM)
  uint32_t insn = ((uint32_t)k & 0xfff) << 20 | 10u << 15 | 10u << 7 | 0x13u;
  memcpy(p, &insn, 4);
}
static size_t emit_return(uint8_t* p) {
  uint32_t ret = 0x00008067u;  // jalr x0, 0(ra)
  memcpy(p, &ret, 4);
  return 4;
}
#elif defined(__x86_64__)
enum { kPrologue = 3, kStep = 6 };
static size_t emit_prologue(uint8_t* p) {
  static const uint8_t mov_rax_rdi[] = {0x48, 0x89, 0xf8};
  memcpy(p, mov_rax_rdi, 3);
  return 3;
}
static void emit_step(uint8_t* p, int k) {
  // add rax, imm32 (REX.W 05 id)
  int32_t imm = k;
  p[0] = 0x48;
  p[1] = 0x05;
  memcpy(p + 2, &imm, 4);
}
static size_t emit_return(uint8_t* p) {
  p[0] = 0xc3;
  return 1;
}
#else
#error "smc.c: no code generator for this architecture"
#endif

// Writes f at code and returns its length.
static size_t emit_function(uint8_t* code, int steps, int base) {
  size_t n = emit_prologue(code);
  for (int i = 0; i < steps; i++, n += kStep) emit_step(code + n, base + i);
  n += emit_return(code + n);
  return n;
}

static long call(uint8_t* code, size_t len, long x) {
  __builtin___clear_cache((char*)code, (char*)code + len);
  return ((Fn)(uintptr_t)code)(x);
}

int main(void) {
  size_t page = 4096;
  uint8_t* rwx = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rwx == MAP_FAILED) {
    printf("mmap RWX failed\n");
    return 1;
  }
  // 1. generate, call, regenerate with different constants, call again
  size_t len = emit_function(rwx, 8, 1);
  printf("rwx f(100) = %ld\n", call(rwx, len, 100));  // 100 + 1+..+8
  len = emit_function(rwx, 8, 10);
  printf("rwx rewritten f(100) = %ld\n", call(rwx, len, 100));

  // 2. patch one step in the middle of the (already executed) function
  emit_step(rwx + kPrologue + 3 * kStep, 1000);
  printf("rwx patched f(0) = %ld\n", call(rwx, len, 0));

  // 3. many rewrites in a loop, different lengths, same address
  long total = 0;
  for (int i = 0; i < 200; i++) {
    len = emit_function(rwx, 1 + i % kMaxSteps, i);
    total += call(rwx, len, i);
  }
  printf("rwx loop total = %ld\n", total);

  // 4. two functions on the same page and one on the next; modify one only
  size_t off2 = 512, off3 = page + 16;
  size_t l1 = emit_function(rwx, 4, 1), l2 = emit_function(rwx + off2, 4, 100);
  size_t l3 = emit_function(rwx + off3, 4, 1000);
  long before = call(rwx, l1, 0) + call(rwx + off2, l2, 0) + call(rwx + off3, l3, 0);
  l2 = emit_function(rwx + off2, 5, 200);
  long after = call(rwx, l1, 0) + call(rwx + off2, l2, 0) + call(rwx + off3, l3, 0);
  printf("neighbours before %ld after %ld\n", before, after);
  munmap(rwx, 2 * page);

  // 5. W^X: write while RW, flip to RX, call; flip back, rewrite, call.
  uint8_t* wx = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int round = 0; round < 3; round++) {
    len = emit_function(wx, 5 + round, 7 * round);
    if (mprotect(wx, page, PROT_READ | PROT_EXEC) != 0) {
      printf("mprotect RX failed\n");
      return 1;
    }
    printf("w^x round %d f(-5) = %ld\n", round, call(wx, len, -5));
    if (mprotect(wx, page, PROT_READ | PROT_WRITE) != 0) {
      printf("mprotect RW failed\n");
      return 1;
    }
  }
  munmap(wx, page);

  // 6. map fresh code at the address just unmapped (stale translations must go)
  uint8_t* again = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  len = emit_function(again, 2, 50);
  printf("fresh mapping f(1) = %ld\n", call(again, len, 1));
  munmap(again, page);
  return 0;
}
