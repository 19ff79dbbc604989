#include "hw/misc/sifive_test.h"

#include "core/log.h"

namespace mimic::hw {

void SifiveTest::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset != 0) return;
  uint32_t status = value & 0xffff;
  uint32_t code = (value >> 16) & 0xffff;
  switch (status) {
    case kPass:
      power_->request_shutdown(0);
      break;
    case kFail:
      power_->request_shutdown(static_cast<int>(code));
      break;
    case kReset:
      power_->request_reset();
      break;
    default:
      if (log::enabled(log::kUnimp)) log::printf("sifive_test: unknown command 0x%x\n", status);
      break;
  }
}

}  // namespace mimic::hw
