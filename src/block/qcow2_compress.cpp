#include "block/qcow2_compress.h"

#include <zlib.h>
#include <zstd.h>

namespace mimic::block::qcow2 {

std::vector<uint8_t> compress_cluster(CompressionType type, const uint8_t* in, size_t len) {
  std::vector<uint8_t> out;
  if (type == CompressionType::kZstd) {
    out.resize(ZSTD_compressBound(len));
    size_t n = ZSTD_compress(out.data(), out.size(), in, len, 3);
    if (ZSTD_isError(n) || n >= len) return {};
    out.resize(n);
    return out;
  }
  z_stream s{};
  if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  out.resize(len);
  s.next_in = const_cast<Bytef*>(in);
  s.avail_in = static_cast<uInt>(len);
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  int r = deflate(&s, Z_FINISH);
  size_t n = out.size() - s.avail_out;
  deflateEnd(&s);
  if (r != Z_STREAM_END || n >= len) return {};
  out.resize(n);
  return out;
}

Result<void> decompress_cluster(CompressionType type, const uint8_t* in, size_t in_len,
                                uint8_t* out, size_t out_len) {
  if (type == CompressionType::kZstd) {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    if (!ctx) return make_error("Out of memory");
    ZSTD_inBuffer ib{in, in_len, 0};
    ZSTD_outBuffer ob{out, out_len, 0};
    size_t r = 1;
    while (ob.pos < ob.size) {
      size_t prev_in = ib.pos, prev_out = ob.pos;
      r = ZSTD_decompressStream(ctx, &ob, &ib);
      if (ZSTD_isError(r)) break;
      if (r == 0 || (ib.pos == prev_in && ob.pos == prev_out)) break;  // frame end or no progress
    }
    ZSTD_freeDCtx(ctx);
    if (ZSTD_isError(r) || ob.pos != ob.size) return make_error("Could not decompress zstd cluster");
    return {};
  }
  z_stream s{};
  if (inflateInit2(&s, -15) != Z_OK) return make_error("Out of memory");
  s.next_in = const_cast<Bytef*>(in);
  s.avail_in = static_cast<uInt>(in_len);
  s.next_out = out;
  s.avail_out = static_cast<uInt>(out_len);
  int r = inflate(&s, Z_FINISH);
  bool ok = (r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && s.avail_out == 0;
  inflateEnd(&s);
  if (!ok) return make_error("Could not decompress zlib cluster");
  return {};
}

}  // namespace mimic::block::qcow2
