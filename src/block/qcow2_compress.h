#pragma once
// Compressed cluster payloads (qcow2.txt "Compressed Clusters Descriptor"):
// zlib is raw deflate with a 4 KiB window (QEMU decompresses with
// windowBits -12, so we must not use a larger window); zstd is one frame.
// Decompression stops once a full cluster is produced: trailing bytes of the
// last sector may belong to the next compressed cluster.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "block/qcow2_header.h"
#include "core/error.h"

namespace mimic::block::qcow2 {

// Returns the compressed bytes, or an empty vector if compression would not
// save space (the caller then writes the cluster uncompressed).
std::vector<uint8_t> compress_cluster(CompressionType type, const uint8_t* in, size_t len);

// Fills out[0..out_len) from the compressed stream in[0..in_len).
Result<void> decompress_cluster(CompressionType type, const uint8_t* in, size_t in_len,
                                uint8_t* out, size_t out_len);

}  // namespace mimic::block::qcow2
