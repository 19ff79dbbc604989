// execve: a RISC-V ELF (directly or as the interpreter of a #! script) is
// run through mimic again — the host binary with the same options — so the
// new program is emulated too; any other file is handed to the host kernel
// (host executables and host-interpreted scripts run natively, as with
// binfmt_misc).
#include <fcntl.h>

#include <cstring>

#include "linux_user/elf_loader.h"
#include "linux_user/process.h"
#include "linux_user/syscall_util.h"

namespace mimic::linux_user {

namespace {

constexpr size_t kShebangMax = 256;  // BINPRM_BUF_SIZE

// First bytes of a host file, or -errno.
int64_t read_head(const std::string& path, char* buf, size_t n) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t r = pread(fd, buf, n, 0);
  int e = errno;
  close(fd);
  return r < 0 ? -e : r;
}

bool is_riscv_elf(const char* h, int64_t n) {
  return n >= 20 && memcmp(h, "\x7f" "ELF", 4) == 0 && h[4] == 2 &&
         (static_cast<uint8_t>(h[18]) | static_cast<uint8_t>(h[19]) << 8) == kElfMachineRiscv;
}

// Parses "#! interp [arg]" (fs/binfmt_script.c: one optional argument, the
// rest of the line).
bool parse_shebang(const char* h, int64_t n, std::string* interp, std::string* arg) {
  if (n < 2 || h[0] != '#' || h[1] != '!') return false;
  std::string line(h + 2, static_cast<size_t>(n - 2));
  size_t nl = line.find('\n');
  if (nl != std::string::npos) line.resize(nl);
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  size_t i = 0;
  while (i < line.size() && blank(line[i])) ++i;
  size_t j = i;
  while (j < line.size() && !blank(line[j])) ++j;
  *interp = line.substr(i, j - i);
  while (j < line.size() && blank(line[j])) ++j;
  std::string rest = line.substr(j);
  while (!rest.empty() && blank(rest.back())) rest.pop_back();
  *arg = rest;
  return !interp->empty();
}

std::vector<char*> c_array(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Host argv for running `guest_argv` (guest argv[0] kept with -0) of the
// RISC-V program at host path `file` through mimic.
std::vector<std::string> mimic_argv(const std::string& file, const std::vector<std::string>& guest_argv) {
  const ProcessConfig& cfg = process_config();
  std::vector<std::string> v{cfg.host_exe};
  if (!cfg.ld_prefix.empty()) v.insert(v.end(), {"-L", cfg.ld_prefix});
  v.insert(v.end(), cfg.exec_options.begin(), cfg.exec_options.end());
  if (!guest_argv.empty()) v.insert(v.end(), {"-0", guest_argv[0]});
  v.push_back("--");
  v.push_back(file);
  for (size_t i = 1; i < guest_argv.size(); ++i) v.push_back(guest_argv[i]);
  return v;
}

int64_t sys_execve(TaskState*, const uint64_t* a) {
  std::string guest_path;
  if (int64_t r = read_guest_string(a[0], &guest_path); r < 0) return r;
  std::vector<std::string> argv, envp;
  if (int64_t r = read_guest_string_array(a[1], &argv); r < 0) return r;
  if (int64_t r = read_guest_string_array(a[2], &envp); r < 0) return r;
  std::string file = is_proc_self_exe(guest_path) ? process_config().exe_path : host_path(guest_path);
  if (access(file.c_str(), X_OK) != 0) return -errno;
  char head[kShebangMax];
  int64_t n = read_head(file, head, sizeof head);
  if (n < 0) return n;

  std::vector<std::string> host_argv;
  std::string host_file;
  std::string interp, arg;
  if (is_riscv_elf(head, n)) {
    host_argv = mimic_argv(file, argv);
    host_file = process_config().host_exe;
  } else if (parse_shebang(head, n, &interp, &arg)) {
    std::string interp_host = host_path(interp);
    char ih[64];
    int64_t in = read_head(interp_host, ih, sizeof ih);
    if (in >= 0 && is_riscv_elf(ih, in)) {
      // Linux: argv = interp [arg] script argv[1..].
      std::vector<std::string> g{interp};
      if (!arg.empty()) g.push_back(arg);
      g.push_back(guest_path);
      for (size_t i = 1; i < argv.size(); ++i) g.push_back(argv[i]);
      host_argv = mimic_argv(interp_host, g);
      host_file = process_config().host_exe;
    }
  }
  if (host_file.empty()) {
    host_argv = argv;
    host_file = file;
  }
  auto hargv = c_array(host_argv);
  auto henvp = c_array(envp);
  return host_syscall(SYS_execve, host_file.c_str(), hargv.data(), henvp.data());
}

}  // namespace

void register_exec_syscalls(SyscallTable& t) { t.fn[nr::kExecve] = sys_execve; }

}  // namespace mimic::linux_user
