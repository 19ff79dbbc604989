#pragma once
// The x86-64 JIT backend: compiles blocks to host code (compiler.h) in the
// shared code buffer (code_buffer.h), runs them through the entry
// trampoline, and patches goto_tb jumps for direct chaining.
#include "backend/backend.h"

namespace mimic::backend {

class JitBackend final : public Backend {
 public:
  JitBackend();
  const char* name() const override { return "jit"; }
  using Backend::compile;
  void* compile(const ir::Block& b, uint32_t hot_threshold) override;
  void release(void* code) override;
  RunResult run(void* code, exec::CpuCommon* cpu) override;
  void set_owner(void* code, void* owner) override;
  void chain(void* from, int slot, void* to) override;
  void unchain(void* from, int slot) override;
};

JitBackend& jit_backend();

// Prints host code [start, start + size) with Capstone (-d out_asm).
void log_host_code(const uint8_t* start, size_t size);

}  // namespace mimic::backend
