// -d out_asm: host code listing with Capstone.
#include <capstone/capstone.h>

#include "backend/x86_64/jit.h"
#include "core/log.h"

namespace mimic::backend {

void log_host_code(const uint8_t* start, size_t size) {
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
    log::printf("  (capstone unavailable)\n");
    return;
  }
  cs_insn* insn = nullptr;
  size_t n = cs_disasm(h, start, size, reinterpret_cast<uint64_t>(start), 0, &insn);
  std::string text;
  char line[256];
  for (size_t i = 0; i < n; i++) {
    std::snprintf(line, sizeof line, "  0x%012llx:  %-8s %s\n",
                  static_cast<unsigned long long>(insn[i].address), insn[i].mnemonic, insn[i].op_str);
    text += line;
  }
  if (n) cs_free(insn, n);
  cs_close(&h);
  log::printf("%s\n", text.c_str());
}

}  // namespace mimic::backend
