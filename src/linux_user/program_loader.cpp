// Start-up of the emulated process: program and interpreter, the signal
// return trampoline page, the initial stack and registers
// (fs/binfmt_elf.c load_elf_binary, arch/riscv start_thread).
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "linux_user/address_space.h"
#include "linux_user/elf_loader.h"
#include "linux_user/process.h"
#include "linux_user/signal.h"
#include "linux_user/signal_frame.h"
#include "linux_user/stack_setup.h"

namespace mimic::linux_user {

namespace {

constexpr int kMapPrivate = 0x02;
constexpr int kMapAnonymous = 0x20;

bool exists(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

// The interpreter: under the -L prefix first (then as is) when one was
// given; otherwise as is, then under the default prefix.
std::string interp_path(const std::string& interp) {
  const ProcessConfig& cfg = process_config();
  if (!cfg.ld_prefix.empty()) {
    std::string p = cfg.ld_prefix + interp;
    return exists(p) ? p : interp;
  }
  if (exists(interp)) return interp;
  std::string p = std::string(kDefaultLdPrefix) + interp;
  return exists(p) ? p : interp;
}

// One guest page holding `li a7, 139; ecall` for signal handlers to return
// through (Linux maps it in the vDSO).
Result<void> map_sigreturn_trampoline() {
  AddressSpace& as = address_space();
  int64_t r = as.mmap(0, kPageSize, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, -1, 0);
  if (r < 0) return make_error("cannot map the signal trampoline");
  uint64_t addr = static_cast<uint64_t>(r);
  install_sigreturn_trampoline(addr, static_cast<uint8_t*>(as.g2h(addr)));
  if (as.mprotect(addr, kPageSize, kProtRead | kProtExec) < 0) return make_error("cannot protect the signal trampoline");
  as.name_mapping(addr, kPageSize, kVmaAnon, "[vdso]");
  return {};
}

}  // namespace

ProcessConfig& process_config() {
  static ProcessConfig cfg;
  return cfg;
}

std::string host_path(const std::string& guest_path) {
  if (guest_path.empty() || guest_path[0] != '/') return guest_path;
  const ProcessConfig& cfg = process_config();
  const std::string& prefix = cfg.ld_prefix.empty() ? std::string(kDefaultLdPrefix) : cfg.ld_prefix;
  if (guest_path == "/") return guest_path;
  std::string p = prefix + guest_path;
  return exists(p) ? p : guest_path;
}

bool is_proc_self_exe(const std::string& path) {
  if (path == "/proc/self/exe" || path == "/proc/thread-self/exe") return true;
  std::string mine = "/proc/" + std::to_string(getpid()) + "/exe";
  return path == mine;
}

Result<void> load_program(TaskState* task) {
  ProcessConfig& cfg = process_config();
  auto main = open_elf(cfg.program);
  if (!main) return main.error();
  OpenedElf interp;
  std::string interp_file;
  if (!main->info.interp.empty()) {
    interp_file = interp_path(main->info.interp);
    auto opened = open_elf(interp_file);
    if (!opened) {
      close(main->fd);
      return make_error(cfg.program + ": interpreter " + opened.error().message);
    }
    interp = std::move(*opened);
  }
  bool has_interp = interp.fd >= 0;
  auto main_img = load_elf(main->fd, main->info, has_interp ? ElfPlacement::kMainWithInterp : ElfPlacement::kTopDown);
  close(main->fd);
  if (!main_img) {
    if (has_interp) close(interp.fd);
    return make_error(cfg.program + ": " + main_img.error().message);
  }
  if (!main->info.phdr_in_memory) {
    if (has_interp) close(interp.fd);
    return make_error(cfg.program + ": program headers not inside a loadable segment");
  }
  uint64_t entry = main_img->entry;
  uint64_t interp_base = 0;
  if (has_interp) {
    auto img = load_elf(interp.fd, interp.info, ElfPlacement::kTopDown);
    close(interp.fd);
    if (!img) return make_error(interp_file + ": " + img.error().message);
    entry = img->entry;
    interp_base = img->start;
  }
  // Like Linux with address-space randomization on: a program run without
  // an interpreter that is itself ET_DYN (static-pie, ld.so run directly)
  // sits in the mmap area, so its heap starts at ELF_ET_DYN_BASE instead,
  // where it can grow.
  bool dyn_alone = !has_interp && main->info.type == kElfTypeDyn;
  address_space().set_brk_start(dyn_alone ? kElfEtDynBase : main_img->brk);
  if (auto r = map_sigreturn_trampoline(); !r) return r.error();

  StackInput st;
  st.argv = cfg.argv;
  st.envp = cfg.envp;
  st.execfn = cfg.program;
  st.stack_size = cfg.stack_size;
  st.aux.main = *main_img;
  st.aux.interp_base = interp_base;
  st.aux.uid = getuid();
  st.aux.euid = geteuid();
  st.aux.gid = getgid();
  st.aux.egid = getegid();
  // Linux: sizeof(struct rt_sigframe) rounded to 16 (no vector state).
  st.aux.minsigstksz = (sizeof(GuestRtSigframe) + 15) & ~size_t{15};
  auto sp = setup_stack(std::move(st));
  if (!sp) return make_error(cfg.program + ": " + sp.error().message);

  // start_thread + ELF_PLAT_INIT: every register 0 but sp and pc.
  riscv::RiscvCpu& cpu = task->cpu;
  for (auto& x : cpu.x) x = 0;
  cpu.x[2] = *sp;
  cpu.common.pc = entry;
  return {};
}

}  // namespace mimic::linux_user
