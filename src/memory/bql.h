#pragma once
// The big lock (DESIGN.md "Threads and locks"): device state is protected by
// one lock taken around MMIO dispatch, interrupt updates and the event-loop
// callbacks of devices (timers, character input). Recursive, so a device
// callback that raises an IRQ line may re-enter the interrupt controller.
#include <mutex>

namespace mimic::memory {

std::recursive_mutex& big_lock();

using BigLockGuard = std::lock_guard<std::recursive_mutex>;

}  // namespace mimic::memory
