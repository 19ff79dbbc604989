#pragma once
// Helper functions called from generated code through the `call` op. Every
// helper has the same C signature so the interpreter and the JIT call them the
// same way; unused arguments are 0. A helper that raises a guest exception
// leaves through the execution loop's siglongjmp (exec/cpu_loop.h).
#include <cstdint>

namespace mimic::ir {

using HelperFn = uint64_t (*)(void* env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

enum HelperFlags : uint32_t {
  kHelperPure = 1u << 0,       // result depends only on the arguments; no env, no memory
  kHelperReadsEnv = 1u << 1,   // reads CPU state (globals must be in env before the call)
  kHelperWritesEnv = 1u << 2,  // writes CPU state (globals reloaded after the call)
  kHelperMayRaise = 1u << 3,   // may raise a guest exception (leaves via siglongjmp)
  kHelperMemory = 1u << 4,     // reads or writes guest memory
};

struct HelperInfo {
  const char* name;
  HelperFn fn;
  uint32_t flags;
};

// Registers a helper and returns the index to put in a `call` op. Call at
// static-initialisation time or before translation starts; not thread-safe
// against concurrent lookups.
uint32_t register_helper(const HelperInfo& info);
const HelperInfo& helper(uint32_t index);
uint32_t helper_count();

}  // namespace mimic::ir
