#pragma once
// RISC-V address translation (Sv39, Sv48, Bare) and physical memory
// protection for the softMMU (memory/softmmu.h), from the RISC-V privileged
// spec 20211203: §4.1.11 satp, §4.3-4.5 page tables, §3.1.6.3 MPRV/MXR/SUM,
// §3.7 PMP.
//
// MMU indexes (guest/riscv/system.h): kMmuIdxM is physical (PMP with M-mode
// rules); kMmuIdxU/S/SSum translate through satp when its mode is Sv39/Sv48
// (Bare: physical), and are checked by PMP as S/U accesses. MPRV is already
// folded into the index the translator chose; mstatus.MXR is read here (its
// changes flush the TLB).
//
// PMP: 16 entries (pmpcfg0 = entries 0-7, pmpcfg2 = entries 8-15), grain
// G = 0 (4 bytes; NA4 selectable), physical addresses of 56 bits (pmpaddr
// holds bits 55:2).
#include <cstdint>

#include "guest/riscv/cpu.h"
#include "memory/softmmu.h"

namespace mimic::riscv {

// translate / raise / check_physical for memory::SoftMmu::hooks.
const memory::SoftMmuHooks& riscv_mmu_hooks();

// The monitor's and gdb's view of vaddr at the hart's current privilege
// (priv; SUM is irrelevant here): walks the page tables without setting A/D,
// without permission or PMP checks and without raising. False if vaddr has
// no valid mapping (invalid/reserved PTE, non-canonical, PTE not in RAM/ROM).
bool debug_translate(const RiscvCpu& cpu, uint64_t vaddr, uint64_t* paddr);

// --- satp (§4.1.11) ---
constexpr uint64_t kSatpModeShift = 60;
constexpr uint64_t kSatpModeBare = 0, kSatpModeSv39 = 8, kSatpModeSv48 = 9;
constexpr uint64_t kSatpPpnMask = (uint64_t{1} << 44) - 1;

// --- PTE bits (§4.4.1) ---
constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16, kPteG = 32,
                   kPteA = 64, kPteD = 128;
constexpr unsigned kPtePpnShift = 10;
constexpr uint64_t kPtePpnMask = (uint64_t{1} << 44) - 1;  // bits 53:10
constexpr unsigned kPteReservedShift = 54;  // 60:54 reserved, 62:61 PBMT, 63 N: all must be 0

// --- mstatus bits used by translation (§3.1.6.3) ---
constexpr uint64_t kMstatusSum = uint64_t{1} << 18;
constexpr uint64_t kMstatusMxr = uint64_t{1} << 19;

// --- PMP (§3.7) ---
constexpr int kPmpEntries = 16;
constexpr uint8_t kPmpR = 1, kPmpW = 2, kPmpX = 4, kPmpL = 0x80;
constexpr unsigned kPmpAShift = 3;
enum PmpMode : uint8_t { kPmpOff = 0, kPmpTor = 1, kPmpNa4 = 2, kPmpNapot = 3 };
constexpr uint64_t kPmpAddrMask = (uint64_t{1} << 54) - 1;  // RV64: bits 55:2 of the address

// The CSR side (guest/riscv/csr.cpp calls these for pmpcfg0/2 and
// pmpaddr0..15; odd pmpcfg numbers are illegal on RV64 and never get here).
// Writes follow the WARL and lock rules of §3.7.1: a locked entry's
// configuration and address are not writable, nor is pmpaddr(i-1) when entry
// i is locked and TOR; bits 6:5 read as zero; the reserved R=0,W=1
// combination leaves the entry's configuration unchanged. Writes flush the
// TLB (memory::tlb_flush). Reads of pmpcfg are the raw field.
void pmpcfg_write(RiscvCpu& cpu, int index /* 0 or 2 */, uint64_t v);
void pmpaddr_write(RiscvCpu& cpu, int i, uint64_t v);
uint64_t pmpaddr_read(const RiscvCpu& cpu, int i);

// The configuration byte of entry i (0..15).
inline uint8_t pmp_cfg(const RiscvCpu& cpu, int i) {
  return static_cast<uint8_t>(cpu.pmpcfg[i >> 3] >> (8 * (i & 7)));
}

// Checks an access of `size` bytes at physical address pa (size >= 1, the
// range must not wrap) against PMP (§3.7.1 "Priority and Matching Logic"):
// the lowest-numbered entry matching any byte decides; it must match every
// byte. `machine`: the access is made in M mode (unlocked entries do not
// apply; no match allows). S/U with no match: allowed only if no entry is
// configured at all (A = OFF everywhere).
bool pmp_check(const RiscvCpu& cpu, uint64_t pa, uint64_t size, memory::MmuAccess access,
               bool machine);

// The memory::kProt* permissions PMP grants for the whole aligned block of
// 2^block_bits bytes holding pa, in *prot; returns false (and leaves *prot
// unspecified) when permissions differ within the block (an entry's
// boundary falls inside it).
bool pmp_block_prot(const RiscvCpu& cpu, uint64_t pa, unsigned block_bits, bool machine,
                    unsigned* prot);

}  // namespace mimic::riscv
