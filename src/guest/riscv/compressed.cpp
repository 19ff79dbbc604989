// RV64C: each 16-bit encoding expands to the 32-bit instruction it stands for
// (RISC-V unprivileged ISA 20191213, ch. 16, tables 16.5-16.7), so its
// semantics are translated once. The table below has one row per encoding
// with its 16-bit pattern and the function that builds the 32-bit form; a
// builder returns 0 for the reserved code points of its row.
#include <algorithm>
#include <bit>
#include <vector>

#include "guest/riscv/decode.h"

namespace mimic::riscv {
namespace {

uint32_t bit(uint32_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

// --- 32-bit encoders (unpriv. ch. 2.2-2.3 formats) ---
uint32_t r_type(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
uint32_t i_type(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
uint32_t s_type(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t op) {
  const uint32_t u = static_cast<uint32_t>(imm);
  return bit(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | bit(u, 4, 0) << 7 | op;
}
uint32_t b_type(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3) {
  const uint32_t u = static_cast<uint32_t>(imm);
  return bit(u, 12, 12) << 31 | bit(u, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
         bit(u, 4, 1) << 8 | bit(u, 11, 11) << 7 | 0x63;
}
uint32_t j_type(int32_t imm, uint32_t rd) {
  const uint32_t u = static_cast<uint32_t>(imm);
  return bit(u, 20, 20) << 31 | bit(u, 10, 1) << 21 | bit(u, 11, 11) << 20 | bit(u, 19, 12) << 12 |
         rd << 7 | 0x6f;
}

constexpr uint32_t kOpLoad = 0x03, kOpLoadFp = 0x07, kOpImm = 0x13, kOpImm32 = 0x1b,
                   kOpStore = 0x23, kOpStoreFp = 0x27, kOp = 0x33, kOpLui = 0x37, kOp32 = 0x3b,
                   kOpJalr = 0x67;

int32_t sext(uint32_t v, unsigned bits) {
  const unsigned s = 32 - bits;
  return static_cast<int32_t>(v << s) >> s;
}

// --- fields of the 16-bit formats ---
uint32_t rd_full(uint32_t c) { return bit(c, 11, 7); }
uint32_t rs2_full(uint32_t c) { return bit(c, 6, 2); }
uint32_t rd_p(uint32_t c) { return 8 + bit(c, 4, 2); }   // rd' / rs2' (bits 4:2)
uint32_t rs1_p(uint32_t c) { return 8 + bit(c, 9, 7); }  // rs1' / rd' (bits 9:7)
int32_t imm6(uint32_t c) { return sext(bit(c, 12, 12) << 5 | bit(c, 6, 2), 6); }
uint32_t shamt6(uint32_t c) { return bit(c, 12, 12) << 5 | bit(c, 6, 2); }
// CL/CS offsets: doubleword uimm[5:3|7:6], word uimm[5:3|2|6].
int32_t off_d(uint32_t c) { return bit(c, 12, 10) << 3 | bit(c, 6, 5) << 6; }
int32_t off_w(uint32_t c) { return bit(c, 12, 10) << 3 | bit(c, 6, 6) << 2 | bit(c, 5, 5) << 6; }
// CI stack loads: doubleword uimm[5|4:3|8:6], word uimm[5|4:2|7:6].
int32_t off_ldsp(uint32_t c) { return bit(c, 12, 12) << 5 | bit(c, 6, 5) << 3 | bit(c, 4, 2) << 6; }
int32_t off_lwsp(uint32_t c) { return bit(c, 12, 12) << 5 | bit(c, 6, 4) << 2 | bit(c, 3, 2) << 6; }
// CSS stack stores: doubleword uimm[5:3|8:6], word uimm[5:2|7:6].
int32_t off_sdsp(uint32_t c) { return bit(c, 12, 10) << 3 | bit(c, 9, 7) << 6; }
int32_t off_swsp(uint32_t c) { return bit(c, 12, 9) << 2 | bit(c, 8, 7) << 6; }
// CJ: offset[11|4|9:8|10|6|7|3:1|5].
int32_t off_j(uint32_t c) {
  return sext(bit(c, 12, 12) << 11 | bit(c, 11, 11) << 4 | bit(c, 10, 9) << 8 | bit(c, 8, 8) << 10 |
                  bit(c, 7, 7) << 6 | bit(c, 6, 6) << 7 | bit(c, 5, 3) << 1 | bit(c, 2, 2) << 5,
              12);
}
// CB: offset[8|4:3] bits 12:10, offset[7:6|2:1|5] bits 6:2.
int32_t off_b(uint32_t c) {
  return sext(bit(c, 12, 12) << 8 | bit(c, 11, 10) << 3 | bit(c, 6, 5) << 6 | bit(c, 4, 3) << 1 |
                  bit(c, 2, 2) << 5,
              9);
}

// --- quadrant 0 ---
uint32_t c_addi4spn(uint32_t c) {
  const int32_t imm =
      bit(c, 12, 11) << 4 | bit(c, 10, 7) << 6 | bit(c, 6, 6) << 2 | bit(c, 5, 5) << 3;
  return imm == 0 ? 0 : i_type(imm, 2, 0, rd_p(c), kOpImm);  // nzuimm = 0 is reserved
}
uint32_t c_fld(uint32_t c) { return i_type(off_d(c), rs1_p(c), 3, rd_p(c), kOpLoadFp); }
uint32_t c_lw(uint32_t c) { return i_type(off_w(c), rs1_p(c), 2, rd_p(c), kOpLoad); }
uint32_t c_ld(uint32_t c) { return i_type(off_d(c), rs1_p(c), 3, rd_p(c), kOpLoad); }
uint32_t c_fsd(uint32_t c) { return s_type(off_d(c), rd_p(c), rs1_p(c), 3, kOpStoreFp); }
uint32_t c_sw(uint32_t c) { return s_type(off_w(c), rd_p(c), rs1_p(c), 2, kOpStore); }
uint32_t c_sd(uint32_t c) { return s_type(off_d(c), rd_p(c), rs1_p(c), 3, kOpStore); }

// --- quadrant 1 ---
// c.nop and the HINT forms (rd = 0 or imm = 0) expand to no-op addi.
uint32_t c_addi(uint32_t c) { return i_type(imm6(c), rd_full(c), 0, rd_full(c), kOpImm); }
uint32_t c_addiw(uint32_t c) {
  return rd_full(c) == 0 ? 0 : i_type(imm6(c), rd_full(c), 0, rd_full(c), kOpImm32);
}
uint32_t c_li(uint32_t c) { return i_type(imm6(c), 0, 0, rd_full(c), kOpImm); }
uint32_t c_addi16sp(uint32_t c) {
  const int32_t imm = sext(bit(c, 12, 12) << 9 | bit(c, 6, 6) << 4 | bit(c, 5, 5) << 6 |
                               bit(c, 4, 3) << 7 | bit(c, 2, 2) << 5,
                           10);
  return imm == 0 ? 0 : i_type(imm, 2, 0, 2, kOpImm);
}
// rd = 0 with a non-zero immediate is a HINT (lui x0 is a no-op).
uint32_t c_lui(uint32_t c) {
  const int32_t imm = imm6(c);
  if (imm == 0) return 0;
  return (static_cast<uint32_t>(imm) & 0xfffff) << 12 | rd_full(c) << 7 | kOpLui;
}
uint32_t c_srli(uint32_t c) {
  return r_type(0x00, 0, rs1_p(c), 5, rs1_p(c), kOpImm) | shamt6(c) << 20;
}
uint32_t c_srai(uint32_t c) {
  return r_type(0x20, 0, rs1_p(c), 5, rs1_p(c), kOpImm) | shamt6(c) << 20;
}
uint32_t c_andi(uint32_t c) { return i_type(imm6(c), rs1_p(c), 7, rs1_p(c), kOpImm); }
uint32_t c_sub(uint32_t c) { return r_type(0x20, rd_p(c), rs1_p(c), 0, rs1_p(c), kOp); }
uint32_t c_xor(uint32_t c) { return r_type(0x00, rd_p(c), rs1_p(c), 4, rs1_p(c), kOp); }
uint32_t c_or(uint32_t c) { return r_type(0x00, rd_p(c), rs1_p(c), 6, rs1_p(c), kOp); }
uint32_t c_and(uint32_t c) { return r_type(0x00, rd_p(c), rs1_p(c), 7, rs1_p(c), kOp); }
uint32_t c_subw(uint32_t c) { return r_type(0x20, rd_p(c), rs1_p(c), 0, rs1_p(c), kOp32); }
uint32_t c_addw(uint32_t c) { return r_type(0x00, rd_p(c), rs1_p(c), 0, rs1_p(c), kOp32); }
uint32_t c_j(uint32_t c) { return j_type(off_j(c), 0); }
uint32_t c_beqz(uint32_t c) { return b_type(off_b(c), 0, rs1_p(c), 0); }
uint32_t c_bnez(uint32_t c) { return b_type(off_b(c), 0, rs1_p(c), 1); }

// --- quadrant 2 ---
uint32_t c_slli(uint32_t c) {
  return r_type(0, 0, rd_full(c), 1, rd_full(c), kOpImm) | shamt6(c) << 20;
}
uint32_t c_fldsp(uint32_t c) { return i_type(off_ldsp(c), 2, 3, rd_full(c), kOpLoadFp); }
uint32_t c_lwsp(uint32_t c) {
  return rd_full(c) == 0 ? 0 : i_type(off_lwsp(c), 2, 2, rd_full(c), kOpLoad);
}
uint32_t c_ldsp(uint32_t c) {
  return rd_full(c) == 0 ? 0 : i_type(off_ldsp(c), 2, 3, rd_full(c), kOpLoad);
}
uint32_t c_jr(uint32_t c) { return rd_full(c) == 0 ? 0 : i_type(0, rd_full(c), 0, 0, kOpJalr); }
uint32_t c_mv(uint32_t c) { return r_type(0, rs2_full(c), 0, 0, rd_full(c), kOp); }
uint32_t c_ebreak(uint32_t) { return 0x00100073; }
uint32_t c_jalr(uint32_t c) { return i_type(0, rd_full(c), 0, 1, kOpJalr); }
uint32_t c_add(uint32_t c) { return r_type(0, rs2_full(c), rd_full(c), 0, rd_full(c), kOp); }
uint32_t c_fsdsp(uint32_t c) { return s_type(off_sdsp(c), rs2_full(c), 2, 3, kOpStoreFp); }
uint32_t c_swsp(uint32_t c) { return s_type(off_swsp(c), rs2_full(c), 2, 2, kOpStore); }
uint32_t c_sdsp(uint32_t c) { return s_type(off_sdsp(c), rs2_full(c), 2, 3, kOpStore); }

struct CRow {
  const char* pattern;  // 16 chars of 0/1/., bit 15 first; spaces ignored
  uint32_t (*expand)(uint32_t);
};

// Code points with no row (quadrant 0 funct3 100, c.subw/c.addw's reserved
// neighbours, ...) are illegal. Rows overlap only where the more specific
// one (more fixed bits) must win: c.addi16sp/c.lui, c.jr/c.mv,
// c.ebreak/c.jalr/c.add.
// clang-format off
constexpr CRow kRows[] = {
    {"000 ... ... .. ... 00",   c_addi4spn},
    {"001 ... ... .. ... 00",   c_fld},
    {"010 ... ... .. ... 00",   c_lw},
    {"011 ... ... .. ... 00",   c_ld},
    {"101 ... ... .. ... 00",   c_fsd},
    {"110 ... ... .. ... 00",   c_sw},
    {"111 ... ... .. ... 00",   c_sd},
    {"000 . ..... ..... 01",    c_addi},
    {"001 . ..... ..... 01",    c_addiw},
    {"010 . ..... ..... 01",    c_li},
    {"011 . 00010 ..... 01",    c_addi16sp},
    {"011 . ..... ..... 01",    c_lui},
    {"100 . 00 ... ..... 01",   c_srli},
    {"100 . 01 ... ..... 01",   c_srai},
    {"100 . 10 ... ..... 01",   c_andi},
    {"100 0 11 ... 00 ... 01",  c_sub},
    {"100 0 11 ... 01 ... 01",  c_xor},
    {"100 0 11 ... 10 ... 01",  c_or},
    {"100 0 11 ... 11 ... 01",  c_and},
    {"100 1 11 ... 00 ... 01",  c_subw},
    {"100 1 11 ... 01 ... 01",  c_addw},
    {"101 . ..... ..... 01",    c_j},
    {"110 . ..... ..... 01",    c_beqz},
    {"111 . ..... ..... 01",    c_bnez},
    {"000 . ..... ..... 10",    c_slli},
    {"001 . ..... ..... 10",    c_fldsp},
    {"010 . ..... ..... 10",    c_lwsp},
    {"011 . ..... ..... 10",    c_ldsp},
    {"100 0 ..... 00000 10",    c_jr},
    {"100 0 ..... ..... 10",    c_mv},
    {"100 1 00000 00000 10",    c_ebreak},
    {"100 1 ..... 00000 10",    c_jalr},
    {"100 1 ..... ..... 10",    c_add},
    {"101 . ..... ..... 10",    c_fsdsp},
    {"110 . ..... ..... 10",    c_swsp},
    {"111 . ..... ..... 10",    c_sdsp},
};
// clang-format on

struct CEntry {
  uint16_t mask, match;
  uint32_t (*expand)(uint32_t);
};

constexpr CEntry parse_row(const CRow& r) {
  CEntry e{0, 0, r.expand};
  int n = 0;
  for (const char* p = r.pattern; *p != '\0'; ++p) {
    if (*p == ' ') continue;
    e.mask = static_cast<uint16_t>(e.mask << 1 | (*p != '.'));
    e.match = static_cast<uint16_t>(e.match << 1 | (*p == '1'));
    ++n;
  }
  return n == 16 ? e : CEntry{0xffff, 0xffff, nullptr};  // unmatchable if malformed
}

constexpr bool rows_well_formed() {
  for (const CRow& r : kRows)
    if (parse_row(r).expand == nullptr) return false;
  return true;
}
static_assert(rows_well_formed(), "a compressed pattern is not 16 bits of 0/1/.");

// Buckets by quadrant and funct3 (bits 1:0 and 15:13), most specific first.
struct CLookup {
  std::vector<CEntry> bucket[32];
};

const CLookup& clookup() {
  static const CLookup* l = [] {
    auto* t = new CLookup;  // lives for the whole process
    for (const CRow& r : kRows) {
      const CEntry e = parse_row(r);
      t->bucket[(e.match >> 13) << 2 | (e.match & 3)].push_back(e);
    }
    for (auto& b : t->bucket)
      std::stable_sort(b.begin(), b.end(), [](const CEntry& a, const CEntry& b) {
        return std::popcount(a.mask) > std::popcount(b.mask);
      });
    return t;
  }();
  return *l;
}

}  // namespace

uint32_t expand_compressed(uint16_t insn) {
  for (const CEntry& e : clookup().bucket[(insn >> 13) << 2 | (insn & 3)])
    if ((insn & e.mask) == e.match) return e.expand(insn);
  return 0;
}

}  // namespace mimic::riscv
