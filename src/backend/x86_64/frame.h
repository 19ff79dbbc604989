#pragma once
// Register and stack conventions of generated code (x86-64 SysV host).
//
//   rbp  env (the vCPU's CpuCommon / guest state), reserved
//   r15  reserved: user mode (CpuCommon::softmmu == nullptr) guest_base,
//        guest memory is [r15 + addr]; system mode the vCPU's SoftMmu,
//        whose TLB starts at r15 (memory/softmmu.h, emit_softmmu.cpp)
//   r11  scratch of the code generator, never allocated
//   rsp  16-byte aligned; [rsp, rsp + kFrameBytes) holds spilled locals
//   the other 12 general registers are allocated to IR temps
#include <cstddef>
#include <cstdint>

namespace mimic::backend::x64 {

constexpr unsigned kMaxSlots = 256;  // spill slots of 8 bytes
// After the slots, filled by the entry code for the guest address check:
// [rsp + kLimitOffset + 8 * size_log2] = number of addresses at which an
// access of 2^size_log2 bytes fits below guest_limit (limit - size + 1, or 0).
constexpr int kLimitOffset = kMaxSlots * 8;
// Then the save area of the softMMU slow paths: [rsp + kSaveOffset + 8 * r]
// keeps caller-saved host register r across the call.
constexpr int kSaveOffset = kLimitOffset + 4 * 8;
constexpr int kFrameBytes = kSaveOffset + 16 * 8;
// The entry code pushes 6 registers and subtracts kFrameBytes + 8: rsp stays
// 16-byte aligned at helper calls.
static_assert((kFrameBytes + 8 + 6 * 8 + 8) % 16 == 0);

// Host register numbers (x86 encoding).
enum HostReg : int {
  kRax = 0, kRcx = 1, kRdx = 2, kRbx = 3, kRsp = 4, kRbp = 5, kRsi = 6, kRdi = 7,
  kR8 = 8, kR9 = 9, kR10 = 10, kR11 = 11, kR12 = 12, kR13 = 13, kR14 = 14, kR15 = 15,
};

// Allocation order: callee-saved first (they survive helper calls), the
// registers with fixed uses (shift count, division) last.
constexpr int kAllocOrder[] = {kRbx, kR12, kR13, kR14, kRsi, kRdi, kR8, kR9, kR10, kRcx, kRdx, kRax};
constexpr uint32_t kCallerSaved = (1u << kRax) | (1u << kRcx) | (1u << kRdx) | (1u << kRsi) |
                                  (1u << kRdi) | (1u << kR8) | (1u << kR9) | (1u << kR10) |
                                  (1u << kR11);
// SysV argument registers after env (rdi).
constexpr int kArgRegs[4] = {kRsi, kRdx, kRcx, kR8};

}  // namespace mimic::backend::x64
