// libFuzzer target for the qcow2 header and metadata parsers: the input is
// written to an in-memory file and opened as a qcow2 image; a few reads, a
// block-status walk and a consistency check then go through the L1/L2,
// refcount, snapshot and compressed-cluster code. Any crash, sanitizer
// report or hang is a bug: hostile images must only produce errors.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "block/qcow2.h"
#include "block/qcow2_header.h"

using namespace mimic::block;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The pure parsers first.
  (void)qcow2::parse_header(data, size, size);
  size_t used = 0;
  (void)qcow2::parse_snapshot_entry(data, size, &used, 16);

  int fd = memfd_create("qcow2_fuzz", 0);
  if (fd < 0) return 0;
  if (size && write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto f = FileProtocol::open(path, false);
  if (f) {
    auto q = Qcow2Driver::open(std::move(f.value()), false);
    if (q) {
      Qcow2Driver& d = **q;
      std::vector<uint8_t> buf(65536);
      uint64_t len = d.length();
      // Bounded work: a few reads spread over the disk, a bounded status walk.
      for (uint64_t i = 0; i < 8 && len; i++) {
        uint64_t off = (len / 8) * i;
        (void)d.read(off, buf.data(), std::min<uint64_t>(buf.size(), len - off));
      }
      uint64_t off = 0;
      for (int i = 0; i < 64 && off < len; i++) {
        auto e = d.block_status(off, len - off);
        if (!e) break;
        off += std::max<uint64_t>(e->length, 1);
      }
      if (size < (1u << 20)) (void)d.check(RepairMode::kNone);
    }
  }
  close(fd);
  return 0;
}
