// ELF validation: a well-formed image is accepted; truncated, garbage and
// hostile headers are rejected with a message, never read out of bounds.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "linux_user/elf_loader.h"
#include "linux_user/page_map.h"
#include "linux_user/stack_setup.h"

using namespace mimic::linux_user;

namespace {

void put16(std::vector<uint8_t>& b, size_t o, uint16_t v) { memcpy(&b[o], &v, 2); }
void put32(std::vector<uint8_t>& b, size_t o, uint32_t v) { memcpy(&b[o], &v, 4); }
void put64(std::vector<uint8_t>& b, size_t o, uint64_t v) { memcpy(&b[o], &v, 8); }

// A minimal ET_EXEC with PT_PHDR, PT_INTERP and two PT_LOADs.
std::vector<uint8_t> make_elf() {
  std::vector<uint8_t> b(0x3000, 0);
  memcpy(&b[0], "\x7f" "ELF", 4);
  b[4] = 2;  // ELFCLASS64
  b[5] = 1;  // little-endian
  b[6] = 1;  // EV_CURRENT
  put16(b, 16, kElfTypeExec);
  put16(b, 18, kElfMachineRiscv);
  put32(b, 20, 1);
  put64(b, 24, 0x10100);  // entry
  put64(b, 32, 64);       // phoff
  put32(b, 48, 0x5);      // RVC, double-float
  put16(b, 52, 64);
  put16(b, 54, kElfPhdrSize);
  put16(b, 56, 4);
  auto ph = [&](int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz) {
    size_t o = 64 + i * kElfPhdrSize;
    put32(b, o, type);
    put32(b, o + 4, flags);
    put64(b, o + 8, off);
    put64(b, o + 16, vaddr);
    put64(b, o + 24, vaddr);
    put64(b, o + 32, filesz);
    put64(b, o + 40, memsz);
    put64(b, o + 48, 0x1000);
  };
  ph(0, 6, 4, 64, 0x10040, 4 * kElfPhdrSize, 4 * kElfPhdrSize);  // PT_PHDR
  ph(1, 3, 4, 0x200, 0x10200, 12, 12);                          // PT_INTERP
  ph(2, 1, 5, 0, 0x10000, 0x1000, 0x1000);                      // text
  ph(3, 1, 6, 0x1000, 0x11000, 0x800, 0x3000);                  // data + bss
  memcpy(&b[0x200], "/lib/ld.so1", 12);
  return b;
}

mimic::Result<ElfInfo> parse(const std::vector<uint8_t>& b, uint64_t size) {
  ElfReader r = [&](uint64_t off, void* buf, size_t n) {
    if (off > b.size() || n > b.size() - off) return false;
    memcpy(buf, b.data() + off, n);
    return true;
  };
  return parse_elf(r, size);
}
mimic::Result<ElfInfo> parse(const std::vector<uint8_t>& b) { return parse(b, b.size()); }

TEST(ElfParse, AcceptsWellFormed) {
  auto info = parse(make_elf());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->type, kElfTypeExec);
  EXPECT_EQ(info->entry, 0x10100u);
  EXPECT_EQ(info->interp, "/lib/ld.so1");
  ASSERT_EQ(info->loads.size(), 2u);
  EXPECT_EQ(info->loads[0].prot, kProtRead | kProtExec);
  EXPECT_EQ(info->loads[1].prot, kProtRead | kProtWrite);
  EXPECT_EQ(info->min_vaddr, 0x10000u);
  EXPECT_EQ(info->max_vaddr, 0x14000u);
  EXPECT_EQ(info->phdr_vaddr, 0x10040u);
  EXPECT_TRUE(info->phdr_in_memory);
}

TEST(ElfParse, PhdrAddressFromLoadWithoutPtPhdr) {
  auto b = make_elf();
  put32(b, 64, 0);  // PT_PHDR -> PT_NULL
  auto info = parse(b);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->phdr_vaddr, 0x10040u);
}

TEST(ElfParse, RejectsEveryTruncation) {
  auto b = make_elf();
  // Every prefix that cuts into the headers, the interpreter path or the
  // file-backed segments must fail cleanly.
  for (uint64_t n = 0; n < 0x1800; n += (n < 0x300 ? 1 : 0x100)) {
    std::vector<uint8_t> cut(b.begin(), b.begin() + n);
    auto info = parse(cut);
    EXPECT_FALSE(info) << "size " << n;
  }
}

TEST(ElfParse, RejectsBadIdentAndMachine) {
  auto b = make_elf();
  b[0] = 'X';
  EXPECT_NE(parse(b).error().message.find("not an ELF"), std::string::npos);
  b = make_elf();
  b[4] = 1;
  EXPECT_NE(parse(b).error().message.find("32-bit"), std::string::npos);
  b = make_elf();
  b[5] = 2;
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put16(b, 18, 62);
  EXPECT_NE(parse(b).error().message.find("x86-64"), std::string::npos);
  b = make_elf();
  put16(b, 16, 1);
  EXPECT_NE(parse(b).error().message.find("relocatable"), std::string::npos);
}

TEST(ElfParse, RejectsHostileProgramHeaders) {
  auto b = make_elf();
  put16(b, 54, 32);  // wrong phentsize
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put16(b, 56, 0);  // no program headers
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put16(b, 56, 0xffff);  // beyond the file and the 64 KiB limit
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put64(b, 32, ~uint64_t{0} - 8);  // phoff + size overflows
  EXPECT_FALSE(parse(b));
  size_t load = 64 + 3 * kElfPhdrSize;
  b = make_elf();
  put64(b, load + 8, ~uint64_t{0} - 0xfff);  // p_offset + filesz overflows
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put64(b, load + 32, 0x4000);  // filesz > memsz
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put64(b, load + 16, ~uint64_t{0} - 0x1000 + 0x800);  // vaddr + memsz wraps, still congruent
  put64(b, load + 8, 0x800);
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put64(b, load + 16, uint64_t{1} << 40);  // above the guest address space
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put64(b, load + 16, 0x11123);  // vaddr and offset not congruent
  EXPECT_FALSE(parse(b));
}

TEST(ElfParse, RejectsBadInterpreter) {
  size_t interp = 64 + kElfPhdrSize;
  auto b = make_elf();
  b[0x200 + 11] = 'x';  // not NUL-terminated
  EXPECT_FALSE(parse(b));
  b = make_elf();
  b[0x203] = 0;  // embedded NUL
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put64(b, interp + 32, 1u << 20);  // absurd length
  EXPECT_FALSE(parse(b));
  b = make_elf();
  put64(b, interp + 8, 0x2ffe);  // runs past the end
  EXPECT_FALSE(parse(b));
}

TEST(ElfParse, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(42);
  auto good = make_elf();
  for (int i = 0; i < 2000; ++i) {
    auto b = good;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) b[rng() % 0x300] = static_cast<uint8_t>(rng());
    auto info = parse(b);
    if (info) {
      // Whatever is accepted must be self-consistent.
      for (const ElfSegment& s : info->loads) {
        EXPECT_LE(s.filesz, s.memsz);
        EXPECT_LE(s.offset + s.filesz, b.size());
      }
    }
  }
}

TEST(Auxv, LinuxOrderAndValues) {
  AuxvInput in;
  in.main.phdr = 0x10040;
  in.main.phnum = 4;
  in.main.entry = 0x10100;
  in.interp_base = 0x3ff0000000;
  in.random_addr = 0x3ffffff000;
  in.execfn_addr = 0x3ffffff800;
  in.minsigstksz = 1088;
  auto v = build_auxv(in);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v.back().first, 0u);  // AT_NULL last
  auto get = [&](uint64_t type) -> int64_t {
    for (auto [k, val] : v)
      if (k == type) return static_cast<int64_t>(val);
    return -1;
  };
  EXPECT_EQ(get(3), 0x10040);       // AT_PHDR
  EXPECT_EQ(get(4), 56);            // AT_PHENT
  EXPECT_EQ(get(5), 4);             // AT_PHNUM
  EXPECT_EQ(get(6), 4096);          // AT_PAGESZ
  EXPECT_EQ(get(7), 0x3ff0000000);  // AT_BASE
  EXPECT_EQ(get(9), 0x10100);       // AT_ENTRY
  EXPECT_EQ(get(16), 0x112d);       // AT_HWCAP: I M A F D C
  EXPECT_EQ(get(17), 100);          // AT_CLKTCK
  EXPECT_EQ(get(25), 0x3ffffff000); // AT_RANDOM
  EXPECT_EQ(get(31), 0x3ffffff800); // AT_EXECFN
  EXPECT_EQ(get(51), 1088);         // AT_MINSIGSTKSZ
  // create_elf_tables order: AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, ...
  size_t hw = 0;
  while (v[hw].first != 16) ++hw;
  EXPECT_EQ(v[hw + 1].first, 6u);
  EXPECT_EQ(v[hw + 2].first, 17u);
  EXPECT_EQ(v[hw + 3].first, 3u);
}

}  // namespace
