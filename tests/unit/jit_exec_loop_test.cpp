// The execution-loop scenarios of exec_loop_test.cpp (chaining, indirect
// jumps, faults on host pages, invalidation of running code, exit_request
// in an endless chained loop, many threads) run again with the JIT backend,
// where blocks jump to each other directly and goto_ptr looks up its target
// from generated code.
#include "backend/backend.h"

namespace {
// Before main: backend::current() is fixed at first use.
const bool kJitSelected = mimic::backend::select("jit", nullptr);
}  // namespace

#define MIMIC_EXEC_LOOP_BACKEND "jit"
#include "exec_loop_test.cpp"  // NOLINT(bugprone-suspicious-include): same scenarios, JIT backend

namespace mimic {
namespace {
TEST(JitExecLoop, JitBackendIsSelected) {
  ASSERT_TRUE(kJitSelected);
  EXPECT_STREQ(backend::current().name(), "jit");
}
}  // namespace
}  // namespace mimic
