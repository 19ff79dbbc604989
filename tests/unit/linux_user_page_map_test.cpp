// The guest address-space bookkeeping: insert/remove/protect with splitting,
// and Linux-style top-down placement.
#include <gtest/gtest.h>

#include "linux_user/page_map.h"

using namespace mimic::linux_user;

namespace {

constexpr uint64_t kMin = 0x10000;
constexpr uint64_t kLimit = uint64_t{1} << 38;

Vma vma(uint64_t start, uint64_t end, int prot = kProtRead) {
  Vma v;
  v.start = start;
  v.end = end;
  v.prot = prot;
  return v;
}

TEST(PageMap, InsertFindAndFree) {
  PageMap m(kMin, kLimit);
  EXPECT_TRUE(m.is_free(0x100000, 0x10000));
  m.insert(vma(0x100000, 0x110000));
  EXPECT_FALSE(m.is_free(0x100000, 0x1000));
  EXPECT_FALSE(m.is_free(0xff000, 0x2000));  // overlaps the start
  EXPECT_TRUE(m.is_free(0xff000, 0x1000));
  EXPECT_TRUE(m.is_free(0x110000, 0x1000));
  ASSERT_NE(m.find(0x10ffff), nullptr);
  EXPECT_EQ(m.find(0x110000), nullptr);
  EXPECT_TRUE(m.is_mapped(0x100000, 0x10000));
  EXPECT_FALSE(m.is_mapped(0x100000, 0x11000));
}

TEST(PageMap, RemoveSplits) {
  PageMap m(kMin, kLimit);
  m.insert(vma(0x100000, 0x110000));
  m.remove(0x104000, 0x2000);
  EXPECT_TRUE(m.is_mapped(0x100000, 0x4000));
  EXPECT_TRUE(m.is_free(0x104000, 0x2000));
  EXPECT_TRUE(m.is_mapped(0x106000, 0xa000));
  EXPECT_EQ(m.snapshot().size(), 2u);
  m.remove(0x0, 0x200000);  // unmapped parts are ignored
  EXPECT_TRUE(m.snapshot().empty());
}

TEST(PageMap, ProtectSplitsAndFailsOnHoles) {
  PageMap m(kMin, kLimit);
  m.insert(vma(0x100000, 0x110000, kProtRead | kProtWrite));
  EXPECT_TRUE(m.protect(0x102000, 0x1000, kProtRead));
  EXPECT_TRUE(m.allows(0x100000, 0x2000, kProtWrite));
  EXPECT_FALSE(m.allows(0x102000, 0x1000, kProtWrite));
  EXPECT_TRUE(m.allows(0x102000, 0x1000, kProtRead));
  EXPECT_TRUE(m.allows(0x103000, 0xd000, kProtWrite));
  EXPECT_EQ(m.snapshot().size(), 3u);
  // A range with a hole fails and changes nothing (mprotect: ENOMEM).
  EXPECT_FALSE(m.protect(0x10f000, 0x2000, 0));
  EXPECT_TRUE(m.allows(0x10f000, 0x1000, kProtWrite));
}

TEST(PageMap, InsertReplacesOverlap) {
  PageMap m(kMin, kLimit);
  m.insert(vma(0x100000, 0x110000, kProtRead));
  m.insert(vma(0x108000, 0x118000, kProtWrite));
  EXPECT_TRUE(m.allows(0x100000, 0x8000, kProtRead));
  EXPECT_TRUE(m.allows(0x108000, 0x10000, kProtWrite));
  EXPECT_FALSE(m.allows(0x108000, 0x1000, kProtRead));
}

TEST(PageMap, FileOffsetFollowsSplit) {
  PageMap m(kMin, kLimit);
  Vma v = vma(0x100000, 0x110000);
  v.kind = kVmaFile;
  v.offset = 0x3000;
  m.insert(v);
  m.remove(0x100000, 0x4000);
  ASSERT_NE(m.find(0x104000), nullptr);
  EXPECT_EQ(m.find(0x104000)->offset, 0x7000u);
}

TEST(PageMap, TopDownPlacement) {
  PageMap m(kMin, kLimit);
  uint64_t top = 0x40000000;
  auto a = m.find_free_top_down(0x3000, top);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, top - 0x3000);
  m.insert(vma(*a, *a + 0x3000));
  auto b = m.find_free_top_down(0x1000, top);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, top - 0x4000);  // just below the previous one
  m.insert(vma(*b, *b + 0x1000));
  // A hole that is too small is skipped; one that fits is used.
  m.remove(top - 0x2000, 0x1000);
  auto c = m.find_free_top_down(0x2000, top);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, top - 0x6000);
  auto d = m.find_free_top_down(0x1000, top);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, top - 0x2000);
}

TEST(PageMap, TopDownStraddlingMappingAndAlignment) {
  PageMap m(kMin, kLimit);
  m.insert(vma(0x3ff000, 0x401000));  // straddles `top`
  auto a = m.find_free_top_down(0x1000, 0x400000);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, 0x3fe000u);
  auto b = m.find_free_top_down(0x1000, 0x400000, 0x10000);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, 0x3f0000u);
}

TEST(PageMap, TopDownExhaustion) {
  PageMap m(kMin, 0x100000);
  EXPECT_FALSE(m.find_free_top_down(0x100000, 0x100000));  // below min_addr needed
  auto a = m.find_free_top_down(0x100000 - kMin, 0x100000);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, kMin);
  m.insert(vma(kMin, 0x100000));
  EXPECT_FALSE(m.find_free_top_down(0x1000, 0x100000));
  EXPECT_FALSE(m.find_free_top_down(0, 0x100000));
  EXPECT_FALSE(m.find_free_top_down(~uint64_t{0} & ~uint64_t{0xfff}, 0x100000));
}

TEST(PageMap, BottomUpPlacement) {
  PageMap m(kMin, kLimit);
  m.insert(vma(0x20000, 0x30000));
  auto a = m.find_free_bottom_up(0x10000, 0x20000);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, 0x30000u);
  auto b = m.find_free_bottom_up(0x10000, 0);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, 0x10000u);
}

TEST(PageMap, RangeChecks) {
  PageMap m(kMin, kLimit);
  EXPECT_TRUE(m.in_range(kMin, 0x1000));
  EXPECT_FALSE(m.in_range(0, 0x1000));
  EXPECT_FALSE(m.in_range(kLimit - 0x1000, 0x2000));
  EXPECT_FALSE(m.in_range(~uint64_t{0} - 10, 100));  // no wrap-around
  EXPECT_FALSE(m.allows(~uint64_t{0} - 10, 100, 0));
}

}  // namespace
