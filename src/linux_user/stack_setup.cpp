#include "linux_user/stack_setup.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "linux_user/address_space.h"
#include "linux_user/guest_access.h"

namespace mimic::linux_user {

namespace {

// include/uapi/linux/auxvec.h and arch/riscv/include/uapi/asm/auxvec.h.
enum AuxType : uint64_t {
  kAtNull = 0, kAtPhdr = 3, kAtPhent = 4, kAtPhnum = 5, kAtPagesz = 6, kAtBase = 7,
  kAtFlags = 8, kAtEntry = 9, kAtUid = 11, kAtEuid = 12, kAtGid = 13, kAtEgid = 14,
  kAtHwcap = 16, kAtClktck = 17, kAtSecure = 23, kAtRandom = 25, kAtExecfn = 31,
  kAtL1iCachesize = 40, kAtL1iCachegeometry = 41, kAtL1dCachesize = 42,
  kAtL1dCachegeometry = 43, kAtL2Cachesize = 44, kAtL2Cachegeometry = 45,
  kAtMinsigstksz = 51,
};

constexpr int kMapPrivate = 0x02;
constexpr int kMapFixed = 0x10;
constexpr int kMapAnonymous = 0x20;

}  // namespace

std::vector<std::pair<uint64_t, uint64_t>> build_auxv(const AuxvInput& in) {
  std::vector<std::pair<uint64_t, uint64_t>> v;
  // ARCH_DLINFO of riscv first (no vDSO here, so no AT_SYSINFO_EHDR; cache
  // geometry unknown: 0, as Linux reports when the device tree has none).
  v.push_back({kAtL1iCachesize, 0});
  v.push_back({kAtL1iCachegeometry, 0});
  v.push_back({kAtL1dCachesize, 0});
  v.push_back({kAtL1dCachegeometry, 0});
  v.push_back({kAtL2Cachesize, 0});
  v.push_back({kAtL2Cachegeometry, 0});
  v.push_back({kAtMinsigstksz, in.minsigstksz});
  // Then the common entries in create_elf_tables order. riscv has no
  // ELF_PLATFORM and no ELF_HWCAP2, so no AT_PLATFORM / AT_HWCAP2.
  v.push_back({kAtHwcap, in.hwcap});
  v.push_back({kAtPagesz, kPageSize});
  v.push_back({kAtClktck, 100});
  v.push_back({kAtPhdr, in.main.phdr});
  v.push_back({kAtPhent, kElfPhdrSize});
  v.push_back({kAtPhnum, in.main.phnum});
  v.push_back({kAtBase, in.interp_base});
  v.push_back({kAtFlags, 0});
  v.push_back({kAtEntry, in.main.entry});
  v.push_back({kAtUid, in.uid});
  v.push_back({kAtEuid, in.euid});
  v.push_back({kAtGid, in.gid});
  v.push_back({kAtEgid, in.egid});
  v.push_back({kAtSecure, 0});
  v.push_back({kAtRandom, in.random_addr});
  v.push_back({kAtExecfn, in.execfn_addr});
  v.push_back({kAtNull, 0});
  return v;
}

Result<uint64_t> setup_stack(StackInput in) {
  AddressSpace& as = address_space();
  uint64_t size = page_align_up(in.stack_size);
  if (size < 16 * kPageSize || size > kStackTop / 4) return make_error("bad stack size");
  uint64_t bottom = kStackTop - size;
  int64_t r = as.mmap(bottom, size, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous | kMapFixed, -1, 0);
  if (r < 0) return make_error(std::string("cannot map the stack: ") + strerror(static_cast<int>(-r)));
  as.name_mapping(bottom, size, kVmaStack, "[stack]");

  // Strings (fs/exec.c: bprm->p starts one pointer below the top).
  uint64_t p = kStackTop - 8;
  size_t strings = in.execfn.size() + 1;
  for (const auto& s : in.argv) strings += s.size() + 1;
  for (const auto& s : in.envp) strings += s.size() + 1;
  size_t words = 1 + in.argv.size() + 1 + in.envp.size() + 1 + 2 * 32;
  // Linux refuses more than a quarter of the stack limit (E2BIG).
  if (strings + 8 * words + 64 > size / 4) return make_error("argument list too long");

  auto push_string = [&](const std::string& s) {
    p -= s.size() + 1;
    memcpy(as.g2h(p), s.c_str(), s.size() + 1);  // safe: inside the stack just mapped
    return p;
  };
  uint64_t execfn = push_string(in.execfn);
  std::vector<uint64_t> envp(in.envp.size());
  for (size_t i = in.envp.size(); i-- > 0;) envp[i] = push_string(in.envp[i]);
  std::vector<uint64_t> argv(in.argv.size());
  for (size_t i = in.argv.size(); i-- > 0;) argv[i] = push_string(in.argv[i]);

  p &= ~uint64_t{15};  // arch_align_stack without randomization
  p -= 16;
  uint8_t rnd[16];
  if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd) {
    for (auto& b : rnd) b = static_cast<uint8_t>(rand());
  }
  memcpy(as.g2h(p), rnd, sizeof rnd);

  in.aux.random_addr = p;
  in.aux.execfn_addr = execfn;
  auto auxv = build_auxv(in.aux);

  std::vector<uint64_t> table;
  table.push_back(in.argv.size());
  for (uint64_t a : argv) table.push_back(a);
  table.push_back(0);
  for (uint64_t e : envp) table.push_back(e);
  table.push_back(0);
  for (auto [k, val] : auxv) {
    table.push_back(k);
    table.push_back(val);
  }
  uint64_t sp = (p - 8 * table.size()) & ~uint64_t{15};
  memcpy(as.g2h(sp), table.data(), 8 * table.size());
  return sp;
}

}  // namespace mimic::linux_user
