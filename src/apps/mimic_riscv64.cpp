// mimic-riscv64: run a Linux program built for RISC-V 64 (user mode).
//   mimic-riscv64 [options] program [args...]
// Options follow qemu-riscv64's names; see kOptions below.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/log.h"
#include "linux_user/address_space.h"
#include "linux_user/process.h"
#include "linux_user/signal.h"
#include "linux_user/task.h"

extern char** environ;

namespace {

using mimic::linux_user::ProcessConfig;

constexpr const char* kProg = "mimic-riscv64";

struct Options {
  std::vector<std::pair<bool, std::string>> env_edits;  // (set?, "var=value" or "var")
  std::string argv0;
  bool have_argv0 = false;
  std::string log_file;
};

[[noreturn]] void fail(const std::string& msg) {
  std::fprintf(stderr, "%s: %s\n", kProg, msg.c_str());
  std::exit(1);
}

void usage() {
  std::printf(
      "usage: %s [options] program [arguments...]\n"
      "Linux user-mode emulator for RISC-V 64 programs.\n\n"
      "Options:\n"
      "  -h, -help        print this help and exit\n"
      "  -version         print the version and exit\n"
      "  -L path          look up the ELF interpreter and absolute paths under path\n"
      "                   (env MIMIC_LD_PREFIX; default: as is, then %s)\n"
      "  -s size          set the stack size in bytes (suffixes k, M, G)\n"
      "  -cpu model       select the CPU model (rv64, any; 'help' lists them)\n"
      "  -E var=value     set an environment variable for the program\n"
      "  -U var           remove an environment variable from the program\n"
      "  -0 argv0         use argv0 as the program's argv[0]\n"
      "  -d item,...      enable logging of the given items ('help' lists them)\n"
      "  -D logfile       write the log to logfile instead of stderr\n"
      "  -strace          log system calls and their results\n"
      "  -accel tcg[,backend=interp|jit]\n"
      "                   select the TCG backend (env MIMIC_BACKEND; default interp)\n",
      kProg, mimic::linux_user::kDefaultLdPrefix);
}

bool parse_size(const std::string& s, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno || end == s.c_str()) return false;
  uint64_t mul = 1;
  if (*end == 'k' || *end == 'K') mul = 1ull << 10, ++end;
  else if (*end == 'M' || *end == 'm') mul = 1ull << 20, ++end;
  else if (*end == 'G' || *end == 'g') mul = 1ull << 30, ++end;
  if (*end != '\0' || v > (UINT64_MAX / mul)) return false;
  *out = v * mul;
  return true;
}

struct OptionDef {
  const char* name;
  bool has_arg;
  void (*apply)(Options& o, ProcessConfig& cfg, const std::string& arg);
};

const OptionDef kOptions[] = {
    {"h", false, [](Options&, ProcessConfig&, const std::string&) { usage(); std::exit(0); }},
    {"help", false, [](Options&, ProcessConfig&, const std::string&) { usage(); std::exit(0); }},
    {"version", false,
     [](Options&, ProcessConfig&, const std::string&) {
       std::printf("%s version %s\n", kProg, MIMIC_VERSION);
       std::exit(0);
     }},
    {"L", true,
     [](Options&, ProcessConfig& c, const std::string& a) {
       c.ld_prefix = a;
       while (c.ld_prefix.size() > 1 && c.ld_prefix.back() == '/') c.ld_prefix.pop_back();
       if (c.ld_prefix == "/") c.ld_prefix.clear();
     }},
    {"s", true,
     [](Options&, ProcessConfig& c, const std::string& a) {
       if (!parse_size(a, &c.stack_size) || c.stack_size < (64u << 10)) fail("invalid stack size '" + a + "'");
       c.exec_options.insert(c.exec_options.end(), {"-s", a});
     }},
    {"cpu", true,
     [](Options&, ProcessConfig& c, const std::string& a) {
       if (a == "help") {
         std::printf("Available CPUs:\n  rv64 (RV64IMAFDC)\n  any\n");
         std::exit(0);
       }
       if (a != "rv64" && a != "any" && a != "max") fail("unknown CPU model '" + a + "' (try -cpu help)");
       c.exec_options.insert(c.exec_options.end(), {"-cpu", a});
     }},
    {"E", true, [](Options& o, ProcessConfig&, const std::string& a) { o.env_edits.push_back({true, a}); }},
    {"U", true, [](Options& o, ProcessConfig&, const std::string& a) { o.env_edits.push_back({false, a}); }},
    {"0", true,
     [](Options& o, ProcessConfig&, const std::string& a) {
       o.argv0 = a;
       o.have_argv0 = true;
     }},
    {"d", true,
     [](Options&, ProcessConfig& c, const std::string& a) {
       if (a == "help") {
         std::printf("%s", mimic::log::help_text().c_str());
         std::exit(0);
       }
       uint32_t mask;
       std::string err;
       if (!mimic::log::parse_mask(a, &mask, &err)) fail(err);
       mimic::log::g_mask |= mask;
       c.exec_options.insert(c.exec_options.end(), {"-d", a});
     }},
    {"D", true, [](Options& o, ProcessConfig&, const std::string& a) { o.log_file = a; }},
    {"accel", true,
     [](Options&, ProcessConfig& c, const std::string& a) {
       // QEMU syntax: accelerator name, then key=value properties.
       size_t comma = a.find(',');
       if (a.substr(0, comma) != "tcg") fail("unknown accelerator '" + a.substr(0, comma) + "' (only tcg)");
       while (comma != std::string::npos) {
         size_t next = a.find(',', comma + 1);
         std::string prop = a.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
         comma = next;
         if (prop.rfind("backend=", 0) == 0) {
           std::string err;
           if (!mimic::backend::select(prop.substr(8), &err)) fail(err);
         } else {
           fail("unknown -accel tcg property '" + prop + "' (known: backend)");
         }
       }
       c.exec_options.insert(c.exec_options.end(), {"-accel", a});
     }},
    {"strace", false,
     [](Options&, ProcessConfig& c, const std::string&) {
       mimic::log::g_mask |= mimic::log::kStrace;
       c.exec_options.push_back("-strace");
     }},
};

void apply_env_edit(std::vector<std::string>& env, bool set, const std::string& item) {
  std::string name = item.substr(0, item.find('='));
  if (name.empty() || (set && item.find('=') == std::string::npos)) {
    fail(std::string(set ? "-E" : "-U") + ": bad environment item '" + item + "'");
  }
  std::erase_if(env, [&](const std::string& e) { return e.compare(0, name.size() + 1, name + "=") == 0; });
  if (set) env.push_back(item);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mimic;
  using namespace mimic::linux_user;
  ProcessConfig& cfg = process_config();
  Options opt;
  if (const char* p = std::getenv("MIMIC_LD_PREFIX"); p && *p) cfg.ld_prefix = p;

  int i = 1;
  for (; i < argc; ++i) {
    const char* a = argv[i];
    if (a[0] != '-') break;
    if (std::strcmp(a, "--") == 0) {
      ++i;
      break;
    }
    const char* name = a + 1;
    if (name[0] == '-') ++name;  // accept --option too
    const OptionDef* def = nullptr;
    for (const OptionDef& d : kOptions) {
      if (std::strcmp(d.name, name) == 0) def = &d;
    }
    if (!def) fail(std::string("unknown option '") + a + "' (try -h)");
    std::string arg;
    if (def->has_arg) {
      if (i + 1 >= argc) fail(std::string("option '") + a + "' needs an argument");
      arg = argv[++i];
    }
    def->apply(opt, cfg, arg);
  }
  if (i >= argc) fail("no program given (try -h)");
  if (!opt.log_file.empty() && !log::set_file(opt.log_file.c_str())) fail("cannot open log file '" + opt.log_file + "'");

  cfg.program = argv[i];
  char resolved[PATH_MAX];
  cfg.exe_path = realpath(cfg.program.c_str(), resolved) ? resolved : cfg.program;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  cfg.host_exe = n > 0 ? std::string(self, static_cast<size_t>(n)) : argv[0];
  cfg.argv.assign(argv + i, argv + argc);
  if (opt.have_argv0) cfg.argv[0] = opt.argv0;
  for (char** e = environ; *e; ++e) cfg.envp.push_back(*e);
  for (const auto& [set, item] : opt.env_edits) apply_env_edit(cfg.envp, set, item);

  AddressSpace& as = address_space();
  if (auto r = as.init(); !r) fail(r.error().message);

  signal_init();
  auto* task = new TaskState();
  task->cpu.common.guest_base = as.base();
  task->cpu.common.guest_limit = as.limit();
  task->tid = static_cast<int>(gettid());
  set_current_task(task);
  signal_thread_init(task);
  if (auto r = load_program(task); !r) fail(r.error().message);
  cpu_loop(task);
}
