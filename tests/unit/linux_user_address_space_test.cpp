// The guest address space over real host memory: Linux mmap/munmap/
// mprotect/mremap/brk semantics and errors, inside a reservation.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "linux_user/address_space.h"

using namespace mimic::linux_user;

namespace {

constexpr int kPrivate = 0x02, kFixed = 0x10, kAnon = 0x20, kNoreplace = 0x100000;
constexpr int kRW = kProtRead | kProtWrite;

class AddressSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(as.init(uint64_t{1} << 32)); }
  AddressSpace as;
};

TEST_F(AddressSpaceTest, AnonymousTopDownAndWritable) {
  int64_t a = as.mmap(0, 3 * kPageSize, kRW, kPrivate | kAnon, -1, 0);
  ASSERT_GT(a, 0);
  EXPECT_EQ(static_cast<uint64_t>(a) + 3 * kPageSize, as.mmap_base());
  int64_t b = as.mmap(0, kPageSize, kRW, kPrivate | kAnon, -1, 0);
  EXPECT_EQ(b, a - static_cast<int64_t>(kPageSize));
  auto* p = static_cast<uint8_t*>(as.g2h(a));
  p[0] = 1;
  p[3 * kPageSize - 1] = 2;
  EXPECT_TRUE(as.access_ok(a, 3 * kPageSize, kRW));
  EXPECT_FALSE(as.access_ok(a, 3 * kPageSize + 1, kProtRead));
}

TEST_F(AddressSpaceTest, ArgumentErrors) {
  EXPECT_EQ(as.mmap(0, 0, kRW, kPrivate | kAnon, -1, 0), -EINVAL);
  EXPECT_EQ(as.mmap(0, kPageSize, kRW, kAnon, -1, 0), -EINVAL);  // neither shared nor private
  EXPECT_EQ(as.mmap(0, kPageSize, kRW, kPrivate | kAnon, -1, 1), -EINVAL);
  EXPECT_EQ(as.mmap(0x100001, kPageSize, kRW, kPrivate | kAnon | kFixed, -1, 0), -EINVAL);
  EXPECT_EQ(as.mmap(0, kPageSize, kRW, kPrivate, -1, 0), -EBADF);
  EXPECT_EQ(as.mmap(0, ~uint64_t{0}, kRW, kPrivate | kAnon, -1, 0), -ENOMEM);
  EXPECT_EQ(as.mmap(as.limit() - kPageSize, 2 * kPageSize, kRW, kPrivate | kAnon | kFixed, -1, 0), -ENOMEM);
  EXPECT_EQ(as.munmap(0x100001, kPageSize), -EINVAL);
  EXPECT_EQ(as.munmap(0x100000, 0), -EINVAL);
  EXPECT_EQ(as.mprotect(0x100000, kPageSize, kProtRead), -ENOMEM);  // not mapped
}

TEST_F(AddressSpaceTest, FixedNoreplaceAndFixed) {
  uint64_t at = 0x10000000;
  EXPECT_EQ(as.mmap(at, kPageSize, kRW, kPrivate | kAnon | kNoreplace, -1, 0), static_cast<int64_t>(at));
  EXPECT_EQ(as.mmap(at, kPageSize, kRW, kPrivate | kAnon | kNoreplace, -1, 0), -EEXIST);
  static_cast<uint8_t*>(as.g2h(at))[0] = 7;
  // MAP_FIXED replaces the old contents.
  EXPECT_EQ(as.mmap(at, kPageSize, kRW, kPrivate | kAnon | kFixed, -1, 0), static_cast<int64_t>(at));
  EXPECT_EQ(static_cast<uint8_t*>(as.g2h(at))[0], 0);
  // A free hint is honoured.
  EXPECT_EQ(as.mmap(0x20000000, kPageSize, kRW, kPrivate | kAnon, -1, 0), 0x20000000);
}

TEST_F(AddressSpaceTest, MprotectAndMunmapSplit) {
  uint64_t at = 0x10000000;
  ASSERT_EQ(as.mmap(at, 4 * kPageSize, kRW, kPrivate | kAnon | kFixed, -1, 0), static_cast<int64_t>(at));
  EXPECT_EQ(as.mprotect(at + kPageSize, kPageSize, kProtRead), 0);
  EXPECT_FALSE(as.access_ok(at + kPageSize, 1, kProtWrite));
  EXPECT_TRUE(as.access_ok(at + 2 * kPageSize, 1, kProtWrite));
  EXPECT_EQ(as.munmap(at + 2 * kPageSize, kPageSize), 0);
  EXPECT_FALSE(as.is_mapped(at + 2 * kPageSize));
  EXPECT_TRUE(as.is_mapped(at + 3 * kPageSize));
  EXPECT_EQ(as.mprotect(at, 4 * kPageSize, kProtRead), -ENOMEM);  // hole
}

TEST_F(AddressSpaceTest, MremapGrowsInPlaceOrMoves) {
  uint64_t at = 0x10000000;
  ASSERT_EQ(as.mmap(at, kPageSize, kRW, kPrivate | kAnon | kFixed, -1, 0), static_cast<int64_t>(at));
  static_cast<uint8_t*>(as.g2h(at))[5] = 42;
  EXPECT_EQ(as.mremap(at, kPageSize, 4 * kPageSize, 0, 0), static_cast<int64_t>(at));
  EXPECT_TRUE(as.access_ok(at, 4 * kPageSize, kRW));
  // Block growth in place, then grow with MREMAP_MAYMOVE.
  ASSERT_GT(as.mmap(at + 4 * kPageSize, kPageSize, kRW, kPrivate | kAnon | kFixed, -1, 0), 0);
  EXPECT_EQ(as.mremap(at, 4 * kPageSize, 8 * kPageSize, 0, 0), -ENOMEM);
  int64_t moved = as.mremap(at, 4 * kPageSize, 8 * kPageSize, 1, 0);
  ASSERT_GT(moved, 0);
  EXPECT_NE(static_cast<uint64_t>(moved), at);
  EXPECT_EQ(static_cast<uint8_t*>(as.g2h(moved))[5], 42);
  EXPECT_FALSE(as.is_mapped(at));
  // Shrinking unmaps the tail.
  EXPECT_EQ(as.mremap(moved, 8 * kPageSize, kPageSize, 0, 0), moved);
  EXPECT_FALSE(as.is_mapped(moved + kPageSize));
  EXPECT_EQ(as.mremap(0x30000000, kPageSize, 2 * kPageSize, 1, 0), -EFAULT);
}

TEST_F(AddressSpaceTest, Brk) {
  as.set_brk_start(0x400123);
  EXPECT_EQ(as.brk(0), 0x401000);
  EXPECT_EQ(as.brk(0x403000), 0x403000);
  EXPECT_TRUE(as.access_ok(0x401000, 0x2000, kRW));
  static_cast<uint8_t*>(as.g2h(0x402fff))[0] = 1;
  EXPECT_EQ(as.brk(0x401800), 0x401800);  // shrink
  EXPECT_FALSE(as.is_mapped(0x402000));
  EXPECT_EQ(as.brk(0x1000), 0x401800);    // below the start: unchanged
  // Growing into an existing mapping fails and keeps the old break.
  ASSERT_GT(as.mmap(0x500000, kPageSize, kRW, kPrivate | kAnon | kFixed, -1, 0), 0);
  EXPECT_EQ(as.brk(0x600000), 0x401800);
}

}  // namespace
