#pragma once
// Building one Block out of several (exec's hot regions): whole blocks are
// appended with their temps and labels renumbered into the destination.
//
// Temps: a global of the source becomes the destination's global with the
// same env offset (one temp per env slot, as ir::Builder guarantees within a
// block; two temps aliasing one slot would let a backend cache stale
// values); a constant becomes the destination's constant of the same type and
// value; a local becomes a fresh local. Labels are offset past the
// destination's. The source's ops keep their order and meaning.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <unordered_map>

#include "ir/ir.h"

namespace mimic::ir {

class BlockMerger {
 public:
  // Indexes the globals and constants already in `dst`.
  explicit BlockMerger(Block& dst);
  Block& block() { return dst_; }

  // Called for each renumbered source op before it is appended; returns true
  // if it emitted a replacement itself (the op is then not appended).
  using Rewrite = std::function<bool(const Op& op, BlockMerger& m)>;
  // Appends all ops of `src`. Returns the index in dst.ops of the first
  // appended op.
  size_t append(const Block& src, const Rewrite& rewrite = nullptr);

  // Temps of the destination (find or create).
  uint32_t global(int32_t env_offset, const std::string& name);
  uint32_t constant(Type t, uint64_t v);  // i32 values are truncated
  uint32_t local(Type t);
  uint32_t new_label() { return dst_.n_labels++; }

  // Raw emission into the destination: temps (outputs then inputs), then
  // constants, as ir::Builder::emit.
  void emit(Opcode opc, std::initializer_list<uint32_t> temps,
            std::initializer_list<uint64_t> consts = {});

 private:
  Block& dst_;
  std::unordered_map<int32_t, uint32_t> globals_;
  std::unordered_map<uint64_t, uint32_t> c32_, c64_;
};

}  // namespace mimic::ir
