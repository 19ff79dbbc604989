#pragma once
// Builds the flattened device tree of the virt board with libfdt, with the
// nodes, properties and phandle links of QEMU's virt machine (the subset of
// devices mimic models: no PCI, flash, fw-cfg or PMU nodes).
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace mimic::hw::virt {

struct FdtParams {
  int harts = 1;
  uint64_t ram_size = 0;
  std::string isa = "rv64imafdc_zicsr_zifencei_zba_zbb_zbs";
  std::string mmu_type = "riscv,sv48";
  std::string bootargs;  // empty: no property
  bool has_initrd = false;
  uint64_t initrd_start = 0, initrd_end = 0;
  std::vector<uint8_t> rng_seed;  // empty: no rng-seed property
};

Result<std::vector<uint8_t>> build_fdt(const FdtParams& params);

// Rewrites /chosen of a user-supplied blob (-dtb): bootargs and initrd.
Result<std::vector<uint8_t>> patch_chosen(std::vector<uint8_t> blob, const FdtParams& params);

}  // namespace mimic::hw::virt
