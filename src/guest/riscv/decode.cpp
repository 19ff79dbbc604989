// The 32-bit decoder: insn32.inc and insn32_fp.inc become one table of
// (mask, match, trans_<name>) entries, bucketed at start-up by the major
// opcode (bits 6:0) and ordered most specific first within a bucket.
#include "guest/riscv/decode.h"

#include <algorithm>
#include <bit>
#include <mutex>
#include <string>
#include <vector>

namespace mimic::riscv {

// One declaration per table line; a missing trans_<name> fails to link.
#define INSN(name, pattern, kind) bool trans_##name(Ctx&, const Args&);
#include "guest/riscv/insn32.inc"
#include "guest/riscv/insn32_fp.inc"
#undef INSN

namespace {

struct Pattern {
  uint32_t mask = 0;
  uint32_t match = 0;
  int bits = 0;
  bool ok = true;
};

// "0000000 ..... ..... 000 ..... 0110011" -> mask/match; spaces are ignored.
constexpr Pattern parse_pattern(const char* p) {
  Pattern r;
  for (; *p != '\0'; ++p) {
    const char ch = *p;
    if (ch == ' ') continue;
    if (ch != '0' && ch != '1' && ch != '.') r.ok = false;
    r.mask <<= 1;
    r.match <<= 1;
    ++r.bits;
    if (ch != '.') {
      r.mask |= 1;
      if (ch == '1') r.match |= 1;
    }
  }
  if (r.bits != 32) r.ok = false;
  return r;
}

// A malformed pattern (wrong length, stray character) fails to compile.
#define INSN(name, pattern, kind) \
  static_assert(parse_pattern(pattern).ok, "insn32 pattern of " #name " is not 32 bits of 0/1/.");
#include "guest/riscv/insn32.inc"
#include "guest/riscv/insn32_fp.inc"
#undef INSN

InsnDesc g_table[] = {
#define INSN(name, pattern, kind) \
  {#name, parse_pattern(pattern).mask, parse_pattern(pattern).match, ImmKind::kind, &trans_##name},
#include "guest/riscv/insn32.inc"
#include "guest/riscv/insn32_fp.inc"
#undef INSN
};
constexpr unsigned kTableSize = sizeof(g_table) / sizeof(g_table[0]);
// Entries of insn32.inc; those of insn32_fp.inc follow.
constexpr unsigned kIntEntries = 0
#define INSN(name, pattern, kind) +1
#include "guest/riscv/insn32.inc"
#undef INSN
    ;

struct Lookup {
  std::vector<const InsnDesc*> bucket[128];  // by bits 6:0
  std::vector<std::string> names;            // storage of the mnemonics
};

Lookup* build_lookup() {
  auto* l = new Lookup;  // lives for the whole process
  l->names.reserve(kTableSize);
  for (InsnDesc& d : g_table) {
    std::string n = d.name;
    std::replace(n.begin(), n.end(), '_', '.');
    l->names.push_back(std::move(n));
    d.name = l->names.back().c_str();
  }
  for (unsigned op = 0; op < 128; ++op) {
    for (const InsnDesc& d : g_table)
      if ((op & d.mask & 0x7f) == (d.match & 0x7f)) l->bucket[op].push_back(&d);
    std::stable_sort(l->bucket[op].begin(), l->bucket[op].end(),
                     [](const InsnDesc* a, const InsnDesc* b) {
                       return std::popcount(a->mask) > std::popcount(b->mask);
                     });
  }
  return l;
}

const Lookup& lookup() {
  static const Lookup* l = build_lookup();
  return *l;
}

int64_t sext(uint64_t v, unsigned bits) {
  const unsigned s = 64 - bits;
  return static_cast<int64_t>(v << s) >> s;
}
uint32_t bits(uint32_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

}  // namespace

Args extract_args(uint32_t raw, ImmKind kind) {
  Args a{};
  a.raw = raw;
  a.rd = bits(raw, 11, 7);
  a.rs1 = bits(raw, 19, 15);
  a.rs2 = bits(raw, 24, 20);
  a.rs3 = bits(raw, 31, 27);
  a.rm = bits(raw, 14, 12);
  a.aq = bits(raw, 26, 26);
  a.rl = bits(raw, 25, 25);
  a.shamt = bits(raw, 25, 20);
  a.csr = bits(raw, 31, 20);
  switch (kind) {
    case ImmKind::None:
      a.imm = 0;
      break;
    case ImmKind::I:
      a.imm = sext(bits(raw, 31, 20), 12);
      break;
    case ImmKind::S:
      a.imm = sext(bits(raw, 31, 25) << 5 | bits(raw, 11, 7), 12);
      break;
    case ImmKind::B:
      a.imm = sext(bits(raw, 31, 31) << 12 | bits(raw, 7, 7) << 11 | bits(raw, 30, 25) << 5 |
                       bits(raw, 11, 8) << 1,
                   13);
      break;
    case ImmKind::U:
      a.imm = sext(raw & 0xfffff000u, 32);
      break;
    case ImmKind::J:
      a.imm = sext(bits(raw, 31, 31) << 20 | bits(raw, 19, 12) << 12 | bits(raw, 20, 20) << 11 |
                       bits(raw, 30, 21) << 1,
                   21);
      break;
  }
  return a;
}

const InsnDesc* decode32(uint32_t raw) {
  for (const InsnDesc* d : lookup().bucket[raw & 0x7f])
    if ((raw & d->mask) == d->match) return d;
  return nullptr;
}

bool insn_is_fp(const InsnDesc* d) { return d >= g_table + kIntEntries && d < g_table + kTableSize; }

const InsnDesc* insn_table(unsigned* count) {
  lookup();  // mnemonics are filled in on first use
  *count = kTableSize;
  return g_table;
}

}  // namespace mimic::riscv
