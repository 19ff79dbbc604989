#include "system/keyval.h"

#include <cctype>
#include <cstdint>

namespace mimic::system {

Result<KeyVal> KeyVal::parse(const std::string& text, const char* implied_key) {
  KeyVal kv;
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ',') {
      if (i + 1 < text.size() && text[i + 1] == ',') {
        cur.push_back(',');
        ++i;
        continue;
      }
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur.push_back(text[i]);
  }
  parts.push_back(cur);
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty()) {
      if (i + 1 == parts.size() && i > 0) continue;  // trailing comma
      return make_error("empty item in '" + text + "'");
    }
    size_t eq = p.find('=');
    if (eq == std::string::npos) {
      if (i == 0 && implied_key != nullptr) {
        kv.set(implied_key, p);
      } else {
        kv.set(p, "on");
      }
    } else {
      if (eq == 0) return make_error("missing key before '=' in '" + text + "'");
      kv.set(p.substr(0, eq), p.substr(eq + 1));
    }
  }
  return kv;
}

void KeyVal::set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : items_) {
    if (k == key) {
      v = value;  // the last one wins, as in QEMU
      return;
    }
  }
  items_.emplace_back(key, value);
}

std::optional<std::string> KeyVal::get(const std::string& key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string KeyVal::get_or(const std::string& key, const std::string& fallback) const {
  auto v = get(key);
  return v ? *v : fallback;
}

Result<bool> KeyVal::get_bool(const std::string& key, bool fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  if (*v == "on" || *v == "yes" || *v == "true") return true;
  if (*v == "off" || *v == "no" || *v == "false") return false;
  return make_error("parameter '" + key + "' expects 'on' or 'off', not '" + *v + "'");
}

std::string KeyVal::first_unknown(const std::vector<std::string>& known) const {
  for (const auto& [k, v] : items_) {
    bool found = false;
    for (const std::string& n : known) found = found || n == k;
    if (!found) return k;
  }
  return "";
}

Result<uint64_t> parse_size(const std::string& text, uint64_t default_unit) {
  size_t i = 0;
  uint64_t value = 0;
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) {
    return make_error("invalid size '" + text + "'");
  }
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    uint64_t d = static_cast<uint64_t>(text[i] - '0');
    if (value > (UINT64_MAX - d) / 10) return make_error("size '" + text + "' is too large");
    value = value * 10 + d;
    ++i;
  }
  uint64_t unit = default_unit;
  if (i < text.size()) {
    switch (std::toupper(static_cast<unsigned char>(text[i]))) {
      case 'B': unit = 1; break;
      case 'K': unit = uint64_t{1} << 10; break;
      case 'M': unit = uint64_t{1} << 20; break;
      case 'G': unit = uint64_t{1} << 30; break;
      case 'T': unit = uint64_t{1} << 40; break;
      default: return make_error("invalid size '" + text + "'");
    }
    ++i;
    if (i < text.size() && unit != 1 && std::toupper(static_cast<unsigned char>(text[i])) == 'B') ++i;
    if (i != text.size()) return make_error("invalid size '" + text + "'");
  }
  if (value != 0 && unit > UINT64_MAX / value) return make_error("size '" + text + "' is too large");
  return value * unit;
}

}  // namespace mimic::system
