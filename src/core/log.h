#pragma once
// Runtime log categories selected with -d (QEMU's names) and written to stderr
// or to the -D file. Cheap to test: one load and a bit test.
#include <cstdarg>
#include <cstdint>
#include <string>

namespace mimic::log {

enum Category : uint32_t {
  kInAsm = 1u << 0,   // guest instructions of each translated block
  kOp = 1u << 1,      // IR as translated
  kOpOpt = 1u << 2,   // IR after optimization
  kExec = 1u << 3,    // each block executed
  kCpu = 1u << 4,     // guest registers before each block
  kUnimp = 1u << 5,   // unimplemented features hit by the guest
  kStrace = 1u << 6,  // system calls
  kOutAsm = 1u << 7,  // host code of each block
  kInt = 1u << 8,     // exceptions and signals
  kPage = 1u << 9,    // guest memory map changes
};

extern uint32_t g_mask;

inline bool enabled(Category c) { return (g_mask & c) != 0; }

// Parses "in_asm,op,strace"; "help" lists the names. Returns false with a
// message naming the unknown item.
bool parse_mask(const std::string& spec, uint32_t* out, std::string* error);
std::string help_text();
// Opens the -D file; nullptr keeps stderr. Returns false if it cannot open.
bool set_file(const char* path);

// printf-style; one call writes one atomic chunk.
void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace mimic::log
