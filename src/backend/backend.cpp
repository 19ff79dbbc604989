#include "backend/backend.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "backend/interp/interp.h"
#if defined(__x86_64__)
#include "backend/x86_64/jit.h"
#endif

namespace mimic::backend {

namespace {
std::atomic<Backend*> g_selected{nullptr};
}

Backend* by_name(const std::string& name) {
  if (name == "interp") return &interp_backend();
#if defined(__x86_64__)
  if (name == "jit") return &jit_backend();
#endif
  return nullptr;
}

bool select(const std::string& name, std::string* error) {
  Backend* b = by_name(name);
  if (!b) {
    if (error) *error = "unknown TCG backend '" + name + "' (available: interp, jit)";
    return false;
  }
  g_selected.store(b, std::memory_order_release);
  return true;
}

Backend& current() {
  Backend* b = g_selected.load(std::memory_order_acquire);
  if (b) return *b;
  const char* env = std::getenv("MIMIC_BACKEND");
  std::string err;
  if (env && *env && select(env, &err)) return *g_selected.load(std::memory_order_acquire);
  // The default is the JIT where the host has one; the interpreter is the
  // portable fallback and the reference the JIT is tested against.
#if defined(__x86_64__)
  Backend* def = &jit_backend();
#else
  Backend* def = &interp_backend();
#endif
  if (env && *env) std::fprintf(stderr, "mimic: MIMIC_BACKEND: %s; using %s\n", err.c_str(), def->name());
  Backend* expected = nullptr;
  g_selected.compare_exchange_strong(expected, def);
  return *g_selected.load(std::memory_order_acquire);
}

}  // namespace mimic::backend
