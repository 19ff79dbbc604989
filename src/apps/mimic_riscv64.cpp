// mimic-riscv64: run a Linux program built for RISC-V 64 (user mode).
#include <cstdio>

int main(int argc, char** argv) {
  std::fprintf(stderr, "mimic-riscv64: not yet implemented\n");
  return 1;
}
