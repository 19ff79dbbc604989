#pragma once
// Hot regions (superblocks): when a translation block has been entered
// often enough (backend::Backend::compile's hot threshold), the loop
// replaces it by one ir::Block that holds it and the basic blocks it reaches
// through direct jumps, so whole loops run inside one compiled block.
//
// Formation (guest-neutral: it only uses GuestOps::translate and the goto_tb
// ops of the result):
//  - the entry block is translated at (pc, flags); every goto_tb target is a
//    candidate; candidates are translated with the same flags (goto_tb never
//    changes them, see GuestOps) in breadth-first order, targets that already
//    have a TB (that is, have run) before the others;
//  - limits: at most max_blocks blocks and max_insns guest instructions
//    (the entry block always counts), every block's pc within two
//    consecutive guest pages that include the entry's (system mode: every
//    block's pc in the entry's virtual page, whose mapping is the one the
//    region is looked up under), at most
//    ir::kMaxGotoTbSlots distinct exit targets; goto_ptr and exit_tb end a
//    path (they stay exits);
//  - a block whose translation faults (unmapped, beyond guest_limit) is
//    left out; env is restored as before formation.
// Assembly (ir::BlockMerger): block i starts at label L_i (the entry first).
// A goto_tb to a block of the region becomes `br L_j`; when j <= i (every
// cycle has such an edge) the branch first checks exit_request and, if set,
// leaves with env pc = target and exit_tb(kExitInterrupt). Other goto_tbs
// stay exits, one slot per distinct target (backends chain one jump per
// slot): a target left to from several places gets one goto_tb at the end
// of the region that those places branch to. Every `br L_j` is
// preceded by insn_start(pc_j) so each label is reached with one guest pc on
// all paths (the JIT's static fault-pc table stays valid).
// Invalidation: the TB covers the hull [lo, hi) of all its blocks (system
// mode: its physical image, plus the second page a block's last instruction
// may cross into, tb.h).
#include <cstdint>
#include <vector>

#include "exec/cpu.h"
#include "exec/cpu_loop.h"
#include "exec/tb.h"
#include "ir/ir.h"

namespace mimic::exec {

struct RegionLimits {
  unsigned max_blocks = 16;
  unsigned max_insns = 512;
};

struct RegionInfo {
  std::vector<uint64_t> block_pcs;  // in layout order, entry first
  uint64_t lo = 0, hi = 0;          // hull of the blocks' guest ranges
  uint32_t n_insns = 0;
  unsigned n_exits = 0;             // goto_tb slots used
  unsigned n_back_edges = 0;
};

// Builds the region at (pc, flags) into `out` (cleared first). Returns false
// if the entry block itself cannot be translated (the caller then lets the
// loop translate and raise the fault normally). cpu->pc/insn_pc and the
// fault fields are as on entry when it returns.
bool build_region(CpuCommon* cpu, const GuestOps& ops, ExecState* st, uint64_t pc,
                  uint64_t flags, const RegionLimits& limits, ir::Block& out, RegionInfo* info);

// Configuration from the environment, read once:
//   MIMIC_NO_REGIONS=1          no counting, no regions (the pre-region code)
//   MIMIC_REGION_THRESHOLD=N    entries before a block becomes hot (default
//                               kDefaultRegionThreshold; 1 = at once)
//   MIMIC_REGION_BLOCKS=N       RegionLimits::max_blocks (1 .. 64)
// region_threshold() is 0 when regions are off.
constexpr uint32_t kDefaultRegionThreshold = 500;
uint32_t region_threshold();
const RegionLimits& region_limits();
// For tests: overrides the threshold (0 = off) for blocks translated later.
void set_region_threshold(uint32_t n);
// A program's own default (system mode: kSystemRegionThreshold), unless the
// environment chose (MIMIC_NO_REGIONS, MIMIC_REGION_THRESHOLD).
void set_default_region_threshold(uint32_t n);
// System mode runs far more cold code (a kernel booting, short processes):
// only blocks entered this often are worth a region there. Measured on the
// Linux boot (docs/PERF.md): 500 costs 25% of the boot time, 20000 ~1%.
constexpr uint32_t kSystemRegionThreshold = 20000;

}  // namespace mimic::exec
