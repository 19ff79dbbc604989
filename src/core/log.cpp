#include "core/log.h"

#include <cstdio>
#include <cstring>
#include <mutex>

namespace mimic::log {

uint32_t g_mask = 0;

namespace {
FILE* g_file = stderr;
std::mutex g_lock;

struct Name {
  const char* name;
  Category cat;
  const char* help;
};
constexpr Name kNames[] = {
    {"in_asm", kInAsm, "show guest assembly of each translated block"},
    {"op", kOp, "show IR of each translated block"},
    {"op_opt", kOpOpt, "show IR after optimization"},
    {"out_asm", kOutAsm, "show host code of each block"},
    {"exec", kExec, "show each executed block"},
    {"cpu", kCpu, "show guest registers before each block"},
    {"int", kInt, "show exceptions and signals"},
    {"unimp", kUnimp, "show unimplemented features"},
    {"strace", kStrace, "show system calls"},
    {"page", kPage, "show guest memory map changes"},
};
}  // namespace

bool parse_mask(const std::string& spec, uint32_t* out, std::string* error) {
  uint32_t mask = 0;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    bool found = false;
    for (const Name& n : kNames) {
      if (item == n.name) {
        mask |= n.cat;
        found = true;
      }
    }
    if (!found) {
      *error = "unknown log item '" + item + "' (try -d help)";
      return false;
    }
  }
  *out = mask;
  return true;
}

std::string help_text() {
  std::string s = "Log items (comma separated):\n";
  for (const Name& n : kNames) {
    char line[128];
    snprintf(line, sizeof line, "%-10s %s\n", n.name, n.help);
    s += line;
  }
  return s;
}

bool set_file(const char* path) {
  FILE* f = fopen(path, "we");  // close-on-exec: exec'd guests must not inherit it
  if (!f) return false;
  g_file = f;
  return true;
}

void printf(const char* fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::lock_guard<std::mutex> g(g_lock);
  if (n >= static_cast<int>(sizeof buf)) {
    // Long message: format again straight to the file.
    va_start(ap, fmt);
    vfprintf(g_file, fmt, ap);
    va_end(ap);
  } else {
    fwrite(buf, 1, n, g_file);
  }
  fflush(g_file);
}

}  // namespace mimic::log
