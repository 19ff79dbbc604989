// RISC-V physical memory protection (privileged spec 20211203 §3.7).
#include <cstdint>

#include "guest/riscv/mmu.h"
#include "memory/softmmu.h"

namespace mimic::riscv {

namespace {

using memory::MmuAccess;

constexpr unsigned kProtAll = memory::kProtRead | memory::kProtWrite | memory::kProtExec;
static_assert(kPmpR == memory::kProtRead && kPmpW == memory::kProtWrite &&
              kPmpX == memory::kProtExec);

PmpMode mode_of(uint8_t cfg) { return static_cast<PmpMode>((cfg >> kPmpAShift) & 3); }

// The byte range [*lo, *hi) entry i matches (§3.7.1 "Address Matching",
// Table 3.10); false when it matches nothing (OFF, or TOR with lo >= hi).
// Addresses are below 2^56 (pmpaddr holds bits 55:2), so nothing overflows.
bool entry_range(const RiscvCpu& cpu, int i, uint64_t* lo, uint64_t* hi) {
  uint64_t a = cpu.pmpaddr[i] & kPmpAddrMask;
  switch (mode_of(pmp_cfg(cpu, i))) {
    case kPmpOff:
      return false;
    case kPmpTor:
      *lo = i == 0 ? 0 : (cpu.pmpaddr[i - 1] & kPmpAddrMask) << 2;
      *hi = a << 2;
      return *lo < *hi;
    case kPmpNa4:
      *lo = a << 2;
      *hi = *lo + 4;
      return true;
    case kPmpNapot: {
      // yyyy...y0 followed by t ones: a 2^(t+3)-byte region; t <= 54 as
      // bits 63:54 of the masked value are zero (t = 54: all of [0, 2^57)).
      unsigned t = static_cast<unsigned>(__builtin_ctzll(~a));
      uint64_t size = uint64_t{1} << (t + 3);
      *lo = (a & ~((uint64_t{1} << t) - 1)) << 2;
      *hi = *lo + size;
      return true;
    }
  }
  return false;
}

bool any_configured(const RiscvCpu& cpu) {
  // A field (bits 4:3) of every entry.
  constexpr uint64_t kAMask = 0x1818181818181818ull;
  return ((cpu.pmpcfg[0] | cpu.pmpcfg[1]) & kAMask) != 0;
}

// Permissions of a matching entry for an access at this privilege: unlocked
// entries do not constrain M mode (§3.7.1 "Locking and Privilege Mode").
unsigned entry_prot(uint8_t cfg, bool machine) {
  if (machine && !(cfg & kPmpL)) return kProtAll;
  return cfg & (kPmpR | kPmpW | kPmpX);
}

// Permissions when no entry matches (§3.7.1): M mode succeeds; S/U fail if
// any entry is implemented. Like QEMU, an unconfigured PMP (all OFF) allows
// everything, so firmware that never programs PMP can still run S/U code.
unsigned default_prot(const RiscvCpu& cpu, bool machine) {
  return machine || !any_configured(cpu) ? kProtAll : 0;
}

void flush(RiscvCpu& cpu) {
  if (cpu.common.softmmu) memory::tlb_flush(&cpu.common);
}

}  // namespace

bool pmp_check(const RiscvCpu& cpu, uint64_t pa, uint64_t size, MmuAccess access, bool machine) {
  uint64_t end = pa + size;
  if (cpu.pmpcfg[0] != 0 || cpu.pmpcfg[1] != 0) {
    for (int i = 0; i < kPmpEntries; ++i) {
      uint64_t lo, hi;
      if (!entry_range(cpu, i, &lo, &hi)) continue;
      if (end <= lo || pa >= hi) continue;          // no byte matches
      if (pa < lo || end > hi) return false;        // some but not all bytes
      return (entry_prot(pmp_cfg(cpu, i), machine) & memory::prot_for(access)) != 0;
    }
  }
  return (default_prot(cpu, machine) & memory::prot_for(access)) != 0;
}

bool pmp_block_prot(const RiscvCpu& cpu, uint64_t pa, unsigned block_bits, bool machine,
                    unsigned* prot) {
  uint64_t size = uint64_t{1} << block_bits;
  uint64_t start = pa & ~(size - 1);
  uint64_t end = start + size;
  if (cpu.pmpcfg[0] != 0 || cpu.pmpcfg[1] != 0) {
    for (int i = 0; i < kPmpEntries; ++i) {
      uint64_t lo, hi;
      if (!entry_range(cpu, i, &lo, &hi)) continue;
      if (end <= lo || start >= hi) continue;
      if (start < lo || end > hi) return false;  // a boundary inside the block
      *prot = entry_prot(pmp_cfg(cpu, i), machine);
      return true;
    }
  }
  *prot = default_prot(cpu, machine);
  return true;
}

void pmpcfg_write(RiscvCpu& cpu, int index, uint64_t v) {
  if (index != 0 && index != 2) return;
  uint64_t& reg = cpu.pmpcfg[index >> 1];
  uint64_t out = 0;
  for (int k = 0; k < 8; ++k) {
    auto old = static_cast<uint8_t>(reg >> (8 * k));
    auto cfg = static_cast<uint8_t>(v >> (8 * k));
    cfg &= static_cast<uint8_t>(~0x60);  // bits 6:5 are WARL zero
    // A locked entry ignores writes (§3.7.1); R=0,W=1 is reserved: keep the
    // old configuration (WARL).
    if ((old & kPmpL) || (cfg & (kPmpR | kPmpW)) == kPmpW) cfg = old;
    out |= uint64_t{cfg} << (8 * k);
  }
  reg = out;
  flush(cpu);
}

void pmpaddr_write(RiscvCpu& cpu, int i, uint64_t v) {
  if (i < 0 || i >= kPmpEntries) return;
  // §3.7.1: writes to pmpaddr(i) are ignored when entry i is locked, and
  // when entry i+1 is locked and uses TOR (pmpaddr(i) is its lower bound).
  if (pmp_cfg(cpu, i) & kPmpL) return;
  if (i + 1 < kPmpEntries) {
    uint8_t next = pmp_cfg(cpu, i + 1);
    if ((next & kPmpL) && mode_of(next) == kPmpTor) return;
  }
  cpu.pmpaddr[i] = v & kPmpAddrMask;
  flush(cpu);
}

uint64_t pmpaddr_read(const RiscvCpu& cpu, int i) {
  // Grain G = 0: every bit of pmpaddr is readable as written.
  if (i < 0 || i >= kPmpEntries) return 0;
  return cpu.pmpaddr[i] & kPmpAddrMask;
}

}  // namespace mimic::riscv
