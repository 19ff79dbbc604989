// block_io: drives the block layer from the command line for the interop
// and crash-safety tests (the project has no qemu-io of its own yet).
//
//   block_io IMAGE write PATTERN OFFSET LEN | zero OFFSET LEN |
//                  discard OFFSET LEN | flush ...    (commands in sequence)
//   block_io IMAGE crashwrite SEED      random writes and flushes forever,
//                                       logging to stdout: "W id off len" before
//                                       each write, "F id" once a flush that
//                                       follows write id has returned
//   block_io IMAGE verify LOGFILE [BASE_BYTE BASE_LEN]
//                                       checks every sector against the log:
//                                       it must hold the last write acknowledged
//                                       by a flush or a later logged write
//                                       (or BASE_BYTE below BASE_LEN, else 0)
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "block/image.h"

using namespace mimic;

namespace {

int die(const std::string& m) {
  std::fprintf(stderr, "block_io: %s\n", m.c_str());
  return 1;
}

uint8_t pattern_of(uint64_t id) { return static_cast<uint8_t>(id % 255 + 1); }

void log_line(const std::string& s) {
  // One write(2) per line: the log must survive SIGKILL exactly as printed.
  std::string l = s + "\n";
  if (::write(1, l.data(), l.size()) < 0) std::exit(1);
}

int crashwrite(block::BlockDriver* d, unsigned seed) {
  std::mt19937_64 rng(seed);
  const uint64_t sectors = d->length() / 512;
  std::vector<uint8_t> buf;
  for (uint64_t id = 1; id < 1000000; id++) {
    uint64_t len = (1 + rng() % 128) * 512;
    uint64_t off = (rng() % sectors) * 512;
    if (off + len > d->length()) len = d->length() - off;
    buf.assign(len, pattern_of(id));
    log_line("W " + std::to_string(id) + " " + std::to_string(off) + " " + std::to_string(len));
    if (auto r = d->write(off, buf.data(), len); !r) return die(r.error().message);
    if (rng() % 4 == 0) {
      if (auto r = d->flush(); !r) return die(r.error().message);
      log_line("F " + std::to_string(id));
    }
  }
  return 0;
}

int verify(block::BlockDriver* d, const std::string& logfile, uint8_t base, uint64_t base_len) {
  struct W {
    uint64_t id, off, len;
  };
  std::vector<W> writes;
  uint64_t acked = 0;
  std::ifstream in(logfile);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    char k;
    W w{};
    if (!(ss >> k >> w.id)) continue;  // a torn last line is not a record
    if (k == 'W' && (ss >> w.off >> w.len)) writes.push_back(w);
    if (k == 'F') acked = w.id;
  }
  const uint64_t sectors = d->length() / 512;
  // For each sector: the last acknowledged write, and any later writes.
  std::vector<uint64_t> last_acked(sectors, 0);
  std::vector<std::vector<uint8_t>> later(sectors);
  for (const W& w : writes)
    for (uint64_t s = w.off / 512; s < (w.off + w.len) / 512; s++) {
      if (w.id <= acked) last_acked[s] = w.id;
      else later[s].push_back(pattern_of(w.id));
    }
  std::vector<uint8_t> sec(512);
  uint64_t bad = 0;
  for (uint64_t s = 0; s < sectors; s++) {
    if (auto r = d->read(s * 512, sec.data(), 512); !r) return die(r.error().message);
    uint8_t want = last_acked[s] ? pattern_of(last_acked[s]) : s * 512 < base_len ? base : 0;
    bool ok = true;
    for (uint8_t b : sec) ok &= b == sec[0];
    ok &= sec[0] == want || std::find(later[s].begin(), later[s].end(), sec[0]) != later[s].end();
    if (!ok && bad++ < 5)
      std::fprintf(stderr, "sector %llu holds 0x%02x, expected 0x%02x (write %llu)\n", (unsigned long long)s,
                   sec[0], want, (unsigned long long)last_acked[s]);
  }
  if (bad) return die(std::to_string(bad) + " sectors lost acknowledged data");
  std::printf("verified %zu writes, %llu acknowledged\n", writes.size(), (unsigned long long)acked);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return die("usage: block_io IMAGE command...");
  std::string cmd = argv[2];
  block::OpenOptions o;
  o.writable = cmd != "verify";
  auto d = block::open_image(argv[1], o);
  if (!d) return die(d.error().message);
  if (cmd == "crashwrite") return crashwrite(d->get(), argc > 3 ? std::atoi(argv[3]) : 1);
  if (cmd == "verify") {
    if (argc < 4) return die("verify needs a log file");
    uint8_t base = argc > 5 ? static_cast<uint8_t>(std::strtoul(argv[4], nullptr, 0)) : 0;
    uint64_t base_len = argc > 5 ? std::strtoull(argv[5], nullptr, 0) : 0;
    return verify(d->get(), argv[3], base, base_len);
  }
  for (int i = 2; i < argc;) {
    std::string c = argv[i++];
    auto num = [&](int k) {  // numbers with an optional k/M/G suffix
      char* end = nullptr;
      uint64_t v = std::strtoull(argv[i + k], &end, 0);
      int shift = *end == 'k' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
      return v << shift;
    };
    Result<void> r;
    if (c == "write" && i + 3 <= argc) {
      std::vector<uint8_t> buf(num(2), static_cast<uint8_t>(num(0)));
      r = (*d)->write(num(1), buf.data(), buf.size());
      i += 3;
    } else if ((c == "zero" || c == "discard") && i + 2 <= argc) {
      r = c == "zero" ? (*d)->write_zeroes(num(0), num(1)) : (*d)->discard(num(0), num(1));
      i += 2;
    } else if (c == "flush") {
      r = (*d)->flush();
    } else {
      return die("bad command '" + c + "'");
    }
    if (!r) return die(r.error().message);
  }
  if (auto r = (*d)->close(); !r) return die(r.error().message);
  return 0;
}
