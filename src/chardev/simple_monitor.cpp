#include "chardev/simple_monitor.h"

namespace mimic::chardev {

namespace {
constexpr const char* kPrompt = "(mimic) ";

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}
}  // namespace

void SimpleMonitor::print(const std::string& s) {
  std::string crlf;
  for (char c : s) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  out_->write(crlf);
}

void SimpleMonitor::focused() {
  print("\nmimic monitor - type 'help' for more information\n");
  print(kPrompt);
}

void SimpleMonitor::input(uint8_t c) {
  if (c == '\r' || c == '\n') {
    print("\n");
    std::string out = execute(line_);
    line_.clear();
    print(out);
    print(kPrompt);
  } else if (c == 0x7f || c == 0x08) {
    if (!line_.empty()) {
      line_.pop_back();
      print("\b \b");
    }
  } else if (c >= 0x20 && c < 0x7f && line_.size() < kMaxLine) {
    line_.push_back(static_cast<char>(c));
    out_->write(&c, 1);
  }
}

std::string SimpleMonitor::execute(const std::string& raw) {
  std::string cmd = trim(raw);
  if (cmd.empty()) return "";
  auto run = [](const std::function<void()>& f, const char* what) -> std::string {
    if (!f) return std::string(what) + ": not available\n";
    f();
    return "";
  };
  if (cmd == "help" || cmd == "?") {
    return "cont|c -- resume emulation\n"
           "help|? -- show this help\n"
           "info registers -- show the CPU registers\n"
           "info version -- show the version\n"
           "quit|q -- quit the emulator\n"
           "stop -- stop emulation\n"
           "system_reset -- reset the system\n";
  }
  if (cmd == "info registers") {
    return hooks_.info_registers ? hooks_.info_registers() : "info registers: no CPU\n";
  }
  if (cmd == "info version") return std::string(MIMIC_VERSION) + "\n";
  if (cmd == "info") return "info registers | info version\n";
  if (cmd == "stop") return run(hooks_.stop, "stop");
  if (cmd == "cont" || cmd == "c") return run(hooks_.cont, "cont");
  if (cmd == "system_reset") return run(hooks_.system_reset, "system_reset");
  if (cmd == "quit" || cmd == "q") return run(hooks_.quit, "quit");
  return "unknown command: '" + cmd + "'\n";
}

}  // namespace mimic::chardev
