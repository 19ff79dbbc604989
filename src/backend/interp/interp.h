#pragma once
// The IR interpreter. A Block is pre-decoded once into a flat array of
// fixed-size ops whose operands are (base, byte offset) pairs: globals live in
// env memory (so they are exact whenever a fault leaves mid-block), locals in
// a frame on the host stack, constants in a table of the compiled block.
#include "backend/backend.h"

namespace mimic::backend {

class InterpBackend final : public Backend {
 public:
  const char* name() const override { return "interp"; }
  using Backend::compile;
  void* compile(const ir::Block& b, uint32_t hot_threshold) override;
  void release(void* code) override;
  RunResult run(void* code, exec::CpuCommon* cpu) override;
};

InterpBackend& interp_backend();

}  // namespace mimic::backend
