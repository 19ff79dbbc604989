#pragma once
// RISC-V Platform-Level Interrupt Controller (RISC-V PLIC specification 1.0.0,
// SiFive memory map), as on QEMU's virt board: sources 1..N-1 are
// level-triggered inputs, each context is one (hart, privilege) interrupt
// target: context 2h drives mip.MEIP of hart h, context 2h+1 mip.SEIP.
//   0x000000 + 4*s           priority of source s (0 = never interrupts)
//   0x001000 + 4*w           pending bits, read-only
//   0x002000 + 0x80*c + 4*w  enable bits of context c
//   0x200000 + 0x1000*c      priority threshold of context c
//   0x200004 + 0x1000*c      claim (read) / complete (write) of context c
// Gateway (spec §5): a level source becomes pending when its line is high and
// it is not in service; a claim clears pending and puts it in service; the
// completion takes it out of service and, if the line is still high, it is
// pending again.
#include <cstdint>
#include <vector>

#include "hw/irq.h"
#include "memory/memory_region.h"

namespace mimic::hw {

class Plic final : public memory::MmioOps, public IrqSink {
 public:
  static constexpr uint64_t kPriorityBase = 0x0;
  static constexpr uint64_t kPendingBase = 0x1000;
  static constexpr uint64_t kEnableBase = 0x2000;
  static constexpr uint64_t kEnableStride = 0x80;
  static constexpr uint64_t kContextBase = 0x200000;
  static constexpr uint64_t kContextStride = 0x1000;
  static constexpr uint32_t kPriorityMask = 7;  // 3 priority bits, like QEMU's virt

  struct Target {
    HartInterrupts* hart;
    unsigned mip_bit;  // kMipMeip or kMipSeip
  };

  // num_sources counts source 0 (which does not exist), as QEMU's
  // "riscv,ndev" = num_sources - 1.
  Plic(uint32_t num_sources, std::vector<Target> contexts);
  // Contexts M, S for each hart in order (the virt layout).
  static std::vector<Target> contexts_for_harts(const std::vector<HartInterrupts*>& harts);

  static uint64_t mmio_size(size_t num_contexts) { return kContextBase + kContextStride * num_contexts; }

  // IrqSink: input line n (1..num_sources-1) changes level.
  void set_irq(uint32_t n, bool level) override;

  void reset();
  uint32_t num_sources() const { return num_sources_; }

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  unsigned min_access_size() const override { return 4; }
  unsigned max_access_size() const override { return 4; }

 private:
  bool bit(const std::vector<uint32_t>& v, uint32_t n) const { return (v[n / 32] >> (n % 32)) & 1; }
  void set_bit(std::vector<uint32_t>& v, uint32_t n, bool on);
  bool enabled(size_t ctx, uint32_t n) const;
  uint32_t best_source(size_t ctx) const;  // highest-priority claimable source, 0 if none
  uint32_t claim(size_t ctx);
  void complete(size_t ctx, uint32_t n);
  void update();

  uint32_t num_sources_;
  size_t words_;
  std::vector<Target> contexts_;
  std::vector<uint32_t> priority_;
  std::vector<uint32_t> level_;
  std::vector<uint32_t> pending_;
  std::vector<uint32_t> in_service_;
  std::vector<uint32_t> enable_;  // contexts_.size() * words_
  std::vector<uint32_t> threshold_;
  std::vector<int8_t> output_;    // last level driven per context (-1 unknown)
};

}  // namespace mimic::hw
