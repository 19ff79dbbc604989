#pragma once
// Process-wide facts of the emulated program: what was run, with which
// options (passed on when the guest execs another guest program), and the
// -L prefix under which guest absolute paths are looked up first.
#include <string>
#include <vector>

#include "core/error.h"
#include "linux_user/task.h"

namespace mimic::linux_user {

constexpr const char* kDefaultLdPrefix = "/usr/riscv64-linux-gnu";

struct ProcessConfig {
  std::string ld_prefix;          // -L / MIMIC_LD_PREFIX; empty: none given
  std::string program;            // the program as given on the command line
  std::string exe_path;           // absolute path: /proc/self/exe of the guest
  std::vector<std::string> argv;  // guest argv (argv[0] may differ: -0)
  std::vector<std::string> envp;  // guest environment
  uint64_t stack_size = 8u << 20;
  std::string host_exe;           // the mimic binary, for execve of guests
  // Options given again to mimic when the guest execs a guest program
  // (-L, -d, -strace, -s, -cpu, ...).
  std::vector<std::string> exec_options;
};

ProcessConfig& process_config();

// Host path for a guest path: an absolute path that exists under the prefix
// (the -L one, else the default) is taken from there, anything else as is.
std::string host_path(const std::string& guest_path);

// True if `path` names the guest's own executable through /proc (so that
// readlink and open of /proc/self/exe see the guest program, not mimic).
bool is_proc_self_exe(const std::string& path);

// Loads the program of process_config() with its interpreter, builds the
// initial stack and sets the registers of `task` for the first instruction.
// Errors are "<file>: <problem>".
Result<void> load_program(TaskState* task);

// Runs guest code on this thread until the task exits (never returns: the
// thread or the process ends inside exit / exit_group).
[[noreturn]] void cpu_loop(TaskState* task);

}  // namespace mimic::linux_user
