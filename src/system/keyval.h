#pragma once
// QEMU's option-string syntax: "value,key=value,flag,..." where the first
// item may omit its key (the "implied" key, e.g. the machine type of -M or
// the driver of -device), a doubled comma ",," is a literal comma, and a
// bare key means key=on.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace mimic::system {

class KeyVal {
 public:
  // `implied_key` may be nullptr: then every item needs "key=".
  static Result<KeyVal> parse(const std::string& text, const char* implied_key);

  std::optional<std::string> get(const std::string& key) const;
  std::string get_or(const std::string& key, const std::string& fallback) const;
  bool has(const std::string& key) const { return get(key).has_value(); }
  // "on"/"off" (also yes/no, true/false); an error names the key.
  Result<bool> get_bool(const std::string& key, bool fallback) const;
  void set(const std::string& key, const std::string& value);
  // Keys not in `known`, or "" if all are known.
  std::string first_unknown(const std::vector<std::string>& known) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Sizes: a number with an optional K/M/G/T suffix (binary units, optional
// trailing "B"); without a suffix the unit is `default_unit` bytes
// (QEMU's -m takes MiB).
Result<uint64_t> parse_size(const std::string& text, uint64_t default_unit);

}  // namespace mimic::system
