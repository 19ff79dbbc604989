#pragma once
// Which locals are live on entry to each label, by backward dataflow over
// the block's basic blocks (split at set_label and after every branch or
// exit). Exact for any control flow, including backward branches (hot
// regions hold whole loops): a local is live at a label iff some path from
// there reads it before writing it. Globals and constants are not tracked.
//
// Backends use it at loop headers: a local whose linear range overlaps a
// loop needs to survive the back edge only if it is live at the header.
#include <cstdint>
#include <vector>

#include "ir/ir.h"

namespace mimic::ir {

class LabelLiveness {
 public:
  explicit LabelLiveness(const Block& b);
  // Whether local `t` is live on entry to label `l` (false for non-locals
  // and labels that are never defined).
  bool live_at(uint32_t label, uint32_t t) const;

 private:
  size_t words_ = 0;
  std::vector<uint32_t> label_bb_;    // label -> basic block, or UINT32_MAX
  std::vector<uint64_t> live_in_;     // basic block -> bitset of temps
};

}  // namespace mimic::ir
