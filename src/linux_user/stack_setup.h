#pragma once
// The initial stack of a new program, as fs/binfmt_elf.c create_elf_tables
// and fs/exec.c lay it out (from the top of the stack down):
//   8 zero bytes, the execfn string, envp strings, argv strings,
//   16 random bytes (AT_RANDOM), then at sp (16-byte aligned):
//   argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv pairs, AT_NULL.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "linux_user/elf_loader.h"

namespace mimic::linux_user {

// The RISC-V hwcap bits are the letters of the single-letter extensions
// (arch/riscv/include/uapi/asm/hwcap.h: COMPAT_HWCAP_ISA_x = 1 << (x - 'A')).
constexpr uint64_t hwcap_letter(char c) { return uint64_t{1} << (c - 'A'); }
constexpr uint64_t kRiscvHwcap = hwcap_letter('I') | hwcap_letter('M') | hwcap_letter('A') |
                                 hwcap_letter('F') | hwcap_letter('D') | hwcap_letter('C');

struct AuxvInput {
  LoadedElf main;              // the program
  uint64_t interp_base = 0;    // AT_BASE: load address of the interpreter, 0 if none
  uint64_t random_addr = 0;    // AT_RANDOM
  uint64_t execfn_addr = 0;    // AT_EXECFN
  uint64_t uid = 0, euid = 0, gid = 0, egid = 0;
  uint64_t hwcap = kRiscvHwcap;
  uint64_t minsigstksz = 0;    // AT_MINSIGSTKSZ
};

// The auxiliary vector in Linux's order, ending with AT_NULL.
std::vector<std::pair<uint64_t, uint64_t>> build_auxv(const AuxvInput& in);

struct StackInput {
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string execfn;        // the program path as given (bprm->filename)
  uint64_t stack_size = 8u << 20;
  AuxvInput aux;             // random_addr and execfn_addr are filled in
};

// Maps the stack below kStackTop and writes the initial contents. Returns the
// initial sp.
Result<uint64_t> setup_stack(StackInput in);

}  // namespace mimic::linux_user
