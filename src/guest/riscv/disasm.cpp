// Disassembly for -d in_asm. Mnemonics come from the decoder's table; the
// operand layout is chosen by the major opcode (unprivileged ISA 20191213,
// table 24.1) and, inside OP-FP, by the register files the mnemonic names.
// Syntax follows GNU objdump: "addi    a0,a0,1", "ld      ra,8(sp)".
#include "guest/riscv/disasm.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "guest/riscv/decode.h"

namespace mimic::riscv {
namespace {

constexpr const char* kGprNames[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                       "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                       "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                       "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
constexpr const char* kFprNames[32] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                                       "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                                       "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                                       "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
constexpr const char* kRoundingModes[8] = {"rne", "rtz", "rdn", "rup", "rmm", "", "", "dyn"};

bool starts_with(const char* s, const char* prefix) {
  return std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

std::string csr_name(uint16_t csr) {
  switch (csr) {
    case 0x001:
      return "fflags";
    case 0x002:
      return "frm";
    case 0x003:
      return "fcsr";
    case 0xc00:
      return "cycle";
    case 0xc01:
      return "time";
    case 0xc02:
      return "instret";
    // Privileged CSRs (privileged spec 20211203, tables 2.2-2.5).
    case 0x100: return "sstatus";
    case 0x104: return "sie";
    case 0x105: return "stvec";
    case 0x106: return "scounteren";
    case 0x10a: return "senvcfg";
    case 0x140: return "sscratch";
    case 0x141: return "sepc";
    case 0x142: return "scause";
    case 0x143: return "stval";
    case 0x144: return "sip";
    case 0x180: return "satp";
    case 0x300: return "mstatus";
    case 0x301: return "misa";
    case 0x302: return "medeleg";
    case 0x303: return "mideleg";
    case 0x304: return "mie";
    case 0x305: return "mtvec";
    case 0x306: return "mcounteren";
    case 0x30a: return "menvcfg";
    case 0x320: return "mcountinhibit";
    case 0x340: return "mscratch";
    case 0x341: return "mepc";
    case 0x342: return "mcause";
    case 0x343: return "mtval";
    case 0x344: return "mip";
    case 0xb00: return "mcycle";
    case 0xb02: return "minstret";
    case 0xf11: return "mvendorid";
    case 0xf12: return "marchid";
    case 0xf13: return "mimpid";
    case 0xf14: return "mhartid";
    default: {
      char buf[16];
      if (csr >= 0x3a0 && csr <= 0x3af)
        std::snprintf(buf, sizeof buf, "pmpcfg%u", csr - 0x3a0u);
      else if (csr >= 0x3b0 && csr <= 0x3ef)
        std::snprintf(buf, sizeof buf, "pmpaddr%u", csr - 0x3b0u);
      else
        std::snprintf(buf, sizeof buf, "0x%03x", csr);
      return buf;
    }
  }
}

std::string fence_set(unsigned bits4) {
  std::string s;
  if (bits4 & 8) s += 'i';
  if (bits4 & 4) s += 'o';
  if (bits4 & 2) s += 'r';
  if (bits4 & 1) s += 'w';
  return s.empty() ? "0" : s;
}

// Operands of an OP-FP instruction: which of rd/rs1 are integer registers
// follows from the mnemonic (fcvt.<dst>.<src>, fmv.x.<fmt>, comparisons).
std::string fp_operands(const InsnDesc& d, const Args& a) {
  const char* n = d.name;
  auto is_int_fmt = [](const char* f) {
    return std::strcmp(f, "w") == 0 || std::strcmp(f, "wu") == 0 || std::strcmp(f, "l") == 0 ||
           std::strcmp(f, "lu") == 0 || std::strcmp(f, "x") == 0;
  };
  bool rd_int = starts_with(n, "feq") || starts_with(n, "flt") || starts_with(n, "fle") ||
                starts_with(n, "fclass");
  bool rs1_int = false;
  if (starts_with(n, "fcvt.") || starts_with(n, "fmv.")) {
    char dst[8] = {}, src[8] = {};
    const char* p = std::strchr(n, '.') + 1;
    const char* q = std::strchr(p, '.');
    if (q != nullptr && q - p < 8 && std::strlen(q + 1) < 8) {
      std::memcpy(dst, p, q - p);
      std::strcpy(src, q + 1);
      rd_int = is_int_fmt(dst);
      rs1_int = is_int_fmt(src);
    }
  }
  const bool unary = ((d.mask >> 20) & 0x1f) == 0x1f;
  std::string s = rd_int ? gpr_name(a.rd) : fpr_name(a.rd);
  s += ',';
  s += rs1_int ? gpr_name(a.rs1) : fpr_name(a.rs1);
  if (!unary) {
    s += ',';
    s += fpr_name(a.rs2);
  }
  if (((d.mask >> 12) & 7) != 7 && a.rm != 7) {
    s += ',';
    s += kRoundingModes[a.rm][0] != '\0' ? kRoundingModes[a.rm] : "?";
  }
  return s;
}

std::string operands(const InsnDesc& d, const Args& a, uint64_t pc, std::string* name) {
  char buf[96];
  const char* rd = gpr_name(a.rd);
  const char* rs1 = gpr_name(a.rs1);
  const char* rs2 = gpr_name(a.rs2);
  const long long imm = static_cast<long long>(a.imm);
  const bool rs2_fixed = ((d.mask >> 20) & 0x1f) == 0x1f;
  switch (a.raw & 0x7f) {
    case 0x37:  // lui
    case 0x17:  // auipc
      std::snprintf(buf, sizeof buf, "%s,0x%x", rd, static_cast<unsigned>(a.raw >> 12));
      break;
    case 0x6f:  // jal
      std::snprintf(buf, sizeof buf, "%s,0x%" PRIx64, rd, pc + a.imm);
      break;
    case 0x63:  // branches
      std::snprintf(buf, sizeof buf, "%s,%s,0x%" PRIx64, rs1, rs2, pc + a.imm);
      break;
    case 0x67:  // jalr
    case 0x03:  // loads
      std::snprintf(buf, sizeof buf, "%s,%lld(%s)", rd, imm, rs1);
      break;
    case 0x07:  // FP loads
      std::snprintf(buf, sizeof buf, "%s,%lld(%s)", fpr_name(a.rd), imm, rs1);
      break;
    case 0x23:  // stores
      std::snprintf(buf, sizeof buf, "%s,%lld(%s)", rs2, imm, rs1);
      break;
    case 0x27:  // FP stores
      std::snprintf(buf, sizeof buf, "%s,%lld(%s)", fpr_name(a.rs2), imm, rs1);
      break;
    case 0x13:  // OP-IMM
    case 0x1b:  // OP-IMM-32
      if (d.kind == ImmKind::I)
        std::snprintf(buf, sizeof buf, "%s,%s,%lld", rd, rs1, imm);
      else if (rs2_fixed)
        std::snprintf(buf, sizeof buf, "%s,%s", rd, rs1);
      else
        std::snprintf(buf, sizeof buf, "%s,%s,0x%x", rd, rs1,
                      ((d.mask >> 25) & 1) != 0 ? a.rs2 : a.shamt);
      break;
    case 0x33:  // OP
    case 0x3b:  // OP-32
      if (rs2_fixed)
        std::snprintf(buf, sizeof buf, "%s,%s", rd, rs1);
      else
        std::snprintf(buf, sizeof buf, "%s,%s,%s", rd, rs1, rs2);
      break;
    case 0x2f:  // AMO
      if (a.aq || a.rl) *name += a.aq && a.rl ? ".aqrl" : a.aq ? ".aq" : ".rl";
      if (rs2_fixed)
        std::snprintf(buf, sizeof buf, "%s,(%s)", rd, rs1);
      else
        std::snprintf(buf, sizeof buf, "%s,%s,(%s)", rd, rs2, rs1);
      break;
    case 0x0f:  // fence, fence.i
      if (std::strcmp(d.name, "fence") != 0) return "";
      if (a.raw == 0x8330000f) {  // fm = TSO, rw,rw (unpriv. §2.7)
        *name = "fence.tso";
        return "";
      }
      if (a.raw == 0x0100000f) {  // Zihintpause
        *name = "pause";
        return "";
      }
      return fence_set((a.raw >> 24) & 15) + "," + fence_set((a.raw >> 20) & 15);
    case 0x73:  // ecall, ebreak, Zicsr, privileged
      if ((a.raw >> 25) == 0x09) return std::string(rs1) + "," + gpr_name(a.rs2);  // sfence.vma
      if (((a.raw >> 12) & 7) == 0) return "";
      if (a.raw & 0x4000)
        std::snprintf(buf, sizeof buf, "%s,%s,%u", rd, csr_name(a.csr).c_str(), a.rs1);
      else
        std::snprintf(buf, sizeof buf, "%s,%s,%s", rd, csr_name(a.csr).c_str(), rs1);
      break;
    case 0x43:  // fmadd & co.
    case 0x47:
    case 0x4b:
    case 0x4f: {
      std::snprintf(buf, sizeof buf, "%s,%s,%s,%s", fpr_name(a.rd), fpr_name(a.rs1),
                    fpr_name(a.rs2), fpr_name(a.rs3));
      std::string s = buf;
      if (a.rm != 7) s += std::string(",") + (kRoundingModes[a.rm][0] ? kRoundingModes[a.rm] : "?");
      return s;
    }
    case 0x53:  // OP-FP
      return fp_operands(d, a);
    default:
      std::snprintf(buf, sizeof buf, "%s,%s,%s", rd, rs1, rs2);
      break;
  }
  return buf;
}

}  // namespace

const char* gpr_name(int r) { return kGprNames[r & 31]; }
const char* fpr_name(int r) { return kFprNames[r & 31]; }

std::string disassemble(uint64_t pc, uint32_t insn, unsigned len) {
  const uint32_t word = len == 2 ? expand_compressed(static_cast<uint16_t>(insn)) : insn;
  const InsnDesc* d = word != 0 ? decode32(word) : nullptr;
  char buf[128];
  if (d == nullptr) {
    std::snprintf(buf, sizeof buf, len == 2 ? ".insn   0x%04x" : ".insn   0x%08x", insn);
    return buf;
  }
  std::string name = d->name;
  const std::string ops = operands(*d, extract_args(word, d->kind), pc, &name);
  std::snprintf(buf, sizeof buf, "%-7s %s", name.c_str(), ops.c_str());
  std::string s = buf;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace mimic::riscv
