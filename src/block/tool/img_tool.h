#pragma once
// mimic-img commands, one function per subcommand with qemu-img's options,
// messages and exit codes. main() in src/apps/mimic_img.cpp dispatches.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "block/block_driver.h"
#include "core/error.h"

namespace mimic::img {

int cmd_create(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_convert(int argc, char** argv);
int cmd_compare(int argc, char** argv);
int cmd_commit(int argc, char** argv);
int cmd_rebase(int argc, char** argv);
int cmd_resize(int argc, char** argv);
int cmd_snapshot(int argc, char** argv);
int cmd_map(int argc, char** argv);
int cmd_measure(int argc, char** argv);

// "mimic-img: <message>" on stderr.
void report(const std::string& message);
// Sizes with optional k/K, M, G, T, P, E suffix (powers of 1024) or "b".
Result<uint64_t> parse_size(const std::string& s);
// qemu's size_to_str: "1 GiB", "196 KiB", "1.5 MiB".
std::string human_size(uint64_t v);
// "key=value,key=value"; a bare key is "on". Commas escaped as ",,".
Result<std::map<std::string, std::string>> parse_options(const std::string& s);

// Create options shared by create and convert (-o and the -b/-F flags).
struct CreateSpec {
  std::string format = "raw";
  std::string filename;
  uint64_t size = 0;
  std::map<std::string, std::string> opts;
  std::string backing_file, backing_format;
};
// Creates the image; prints "Formatting ..." unless quiet.
Result<void> create_image(const CreateSpec& spec, bool quiet);

// True if [offset, offset+len) reads as zeros through the whole chain
// according to block status (no data read).
Result<bool> chain_reads_zero(block::BlockDriver* d, uint64_t offset, uint64_t len);
// Whether the range is allocated in this layer or any backing layer; sets
// *depth to the layer that decides (chain length if none).
struct ChainStatus {
  block::Extent extent;  // of the deciding layer
  int depth = 0;
  bool allocated = false;
  std::string file;
};
Result<ChainStatus> chain_status(block::BlockDriver* d, uint64_t offset, uint64_t len);

bool is_zero(const uint8_t* p, size_t n);

// Minimal JSON writer producing qemu's layout (4-space indents).
class Json {
 public:
  void begin_object(const std::string& key = "");
  void end_object();
  void begin_array(const std::string& key = "");
  void end_array();
  void value(const std::string& key, const std::string& v);
  void value(const std::string& key, const char* v) { value(key, std::string(v)); }
  void value(const std::string& key, uint64_t v);
  void value(const std::string& key, int64_t v);
  void value(const std::string& key, int v) { value(key, static_cast<int64_t>(v)); }
  void value(const std::string& key, bool v);
  std::string str() const { return out_ + "\n"; }

 private:
  void item(const std::string& key);
  std::string out_;
  std::vector<int> counts_;
};

std::string json_escape(const std::string& s);

}  // namespace mimic::img
