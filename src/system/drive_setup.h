#pragma once
// Opening the drives of a command line through the block layer: format
// probing (with QEMU's warning and block-0 protection for probed raw
// images), cache modes, read-only media, snapshot overlays. Each drive gets
// its own block I/O thread (block/drive.h).
#include <memory>
#include <string>
#include <vector>

#include "block/drive.h"
#include "core/error.h"
#include "system/options.h"

namespace mimic::system {

// QEMU's warning when a format is probed as raw (printed as is).
std::string probed_raw_warning(const std::string& file);

// Opens one drive. Warnings (probed raw) are appended to *warnings.
// Errors name the option and file ("-drive disk.img: Could not open ...").
Result<std::unique_ptr<block::Drive>> open_drive(
    const DriveOptions& d, std::vector<std::string>* warnings,
    block::Drive::Threading threading = block::Drive::Threading::kIoThread);

}  // namespace mimic::system
