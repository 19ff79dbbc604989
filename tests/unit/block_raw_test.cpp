// Raw format and image opening: sparse status, probing, bounds.
#include <gtest/gtest.h>
#include <unistd.h>

#include "block/image.h"
#include "block/raw_format.h"

using namespace mimic::block;

namespace {

struct TempFile {
  std::string path;
  TempFile() {
    char tmpl[] = "/tmp/block_raw_XXXXXX";
    close(mkstemp(tmpl));
    path = tmpl;
  }
  ~TempFile() { unlink(path.c_str()); }
};

TEST(BlockRaw, ReadsWritesAndReportsHoles) {
  TempFile t;
  ASSERT_EQ(truncate(t.path.c_str(), 1 << 20), 0);
  auto d = open_image(t.path, OpenOptions{"raw", true, true, false});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ((*d)->format_name(), "raw");
  EXPECT_EQ((*d)->length(), 1u << 20);
  std::vector<uint8_t> buf(8192, 0x33), got(8192);
  ASSERT_TRUE((*d)->write(65536, buf.data(), buf.size()).ok());
  ASSERT_TRUE((*d)->read(65536, got.data(), got.size()).ok());
  EXPECT_EQ(got, buf);
  auto e = (*d)->block_status(0, 1 << 20);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, ExtentKind::kZero);
  EXPECT_EQ(e->length, 65536u);
  e = (*d)->block_status(65536, 1 << 20);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, ExtentKind::kData);
  EXPECT_GE(e->length, 8192u);
  EXPECT_FALSE((*d)->write((1 << 20) - 1, buf.data(), 2).ok());  // past the end
  ASSERT_TRUE((*d)->write_zeroes(65536, 4096).ok());
  ASSERT_TRUE((*d)->read(65536, got.data(), 4096).ok());
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + 4096), std::vector<uint8_t>(4096, 0));
}

TEST(BlockRaw, ProbesQcow2AndRaw) {
  TempFile q, r;
  Qcow2CreateOptions o;
  o.size = 1 << 20;
  ASSERT_TRUE(Qcow2Driver::create(q.path, o).ok());
  EXPECT_EQ(probe_format(q.path).value(), "qcow2");
  EXPECT_EQ(probe_format(r.path).value(), "raw");
  auto d = open_image(q.path, OpenOptions{});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->format_name(), "qcow2");
  EXPECT_FALSE(open_image("/nonexistent/x", OpenOptions{}).ok());
  EXPECT_FALSE(open_image(q.path, OpenOptions{"vmdk", false, true, false}).ok());
}

TEST(BlockRaw, BackingPathsAreRelativeToTheImage) {
  EXPECT_EQ(resolve_backing_path("/a/b/top.qcow2", "base.qcow2"), "/a/b/base.qcow2");
  EXPECT_EQ(resolve_backing_path("/a/b/top.qcow2", "/abs/base"), "/abs/base");
  EXPECT_EQ(resolve_backing_path("top.qcow2", "base.qcow2"), "base.qcow2");
}

}  // namespace

namespace {

TEST(BlockImage, TemporaryOverlayLeavesTheImageAlone) {
  TempFile t;
  ASSERT_EQ(truncate(t.path.c_str(), 1 << 20), 0);
  auto d = open_with_temporary_overlay(t.path, "raw");
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::vector<uint8_t> buf(4096, 0x77), got(4096);
  ASSERT_TRUE((*d)->write(8192, buf.data(), buf.size()).ok());
  ASSERT_TRUE((*d)->read(8192, got.data(), got.size()).ok());
  EXPECT_EQ(got, buf);
  ASSERT_TRUE((*d)->flush().ok());
  auto raw = open_image(t.path, OpenOptions{"raw", false, true, false});
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE((*raw)->read(8192, got.data(), got.size()).ok());
  EXPECT_EQ(got, std::vector<uint8_t>(4096, 0));
}

}  // namespace
