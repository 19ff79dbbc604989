#pragma once
// Test scaffolding shared by the IR, optimizer and backend tests: a small
// CPU state (16 i64 globals), a flat guest memory, and a runner that compiles
// and runs one Block on a backend with the sigsetjmp the loop would provide.
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "backend/backend.h"
#include "exec/cpu.h"
#include "ir/builder.h"

namespace mimic::test {

struct TestCpu {
  exec::CpuCommon common;
  uint64_t r[16] = {};
  uint64_t extra[8] = {};  // reachable by ld_env/st_env only
};

constexpr int32_t reg_off(int i) { return static_cast<int32_t>(offsetof(TestCpu, r) + 8 * i); }
constexpr int32_t extra_off(int i) { return static_cast<int32_t>(offsetof(TestCpu, extra) + 8 * i); }

constexpr uint64_t kMemSize = 0x4000;  // guest addresses [0, kMemSize)

struct TestMachine {
  TestCpu cpu;
  std::vector<uint64_t> mem = std::vector<uint64_t>(kMemSize / 8, 0);
  TestMachine() {
    cpu.common.guest_base = reinterpret_cast<uint8_t*>(mem.data());
    cpu.common.guest_limit = kMemSize;
  }
  TestMachine(const TestMachine& o) : cpu(), mem(o.mem) {
    std::memcpy(cpu.r, o.cpu.r, sizeof cpu.r);
    std::memcpy(cpu.extra, o.cpu.extra, sizeof cpu.extra);
    cpu.common.pc = o.cpu.common.pc;
    cpu.common.insn_pc = o.cpu.common.insn_pc;
    cpu.common.guest_base = reinterpret_cast<uint8_t*>(mem.data());
    cpu.common.guest_limit = kMemSize;
  }
  uint8_t* host(uint64_t a) { return cpu.common.guest_base + a; }
};

// Runs `b` on `be` against m (helpers may raise_exit: result code is then the
// exception and slot -1).
__attribute__((noinline)) inline backend::RunResult run_block(backend::Backend& be, const ir::Block& b,
                                                               TestMachine& m) {
  void* code = be.compile(b);
  sigjmp_buf jb;
  backend::RunResult r;
  if (sigsetjmp(jb, 0) == 0) {
    m.cpu.common.jmp = &jb;
    r = be.run(code, &m.cpu.common);
  } else {
    r = {m.cpu.common.exception, -1};
  }
  m.cpu.common.jmp = nullptr;
  be.release(code);
  return r;
}

}  // namespace mimic::test
