#pragma once
// Committing an overlay into its backing image: `mimic-img commit` and the
// `Ctrl-a s` key of a -snapshot run (QEMU's "save disk data back to file")
// share this code.
//
// Order (crash safety): the base is written and flushed completely before
// the overlay is emptied, so an interruption at any point leaves either the
// old overlay over a partly updated base (reads unchanged: every committed
// range is still allocated in the overlay) or the new base under an empty
// overlay.
#include "block/block_driver.h"
#include "block/image.h"
#include "block/qcow2.h"
#include "core/error.h"

namespace mimic::block {

// Copies every range allocated in `top` itself (data and zero extents; not
// its backing chain) into `base` at the same offsets, growing `base` first
// if it is smaller. Does not flush `base`.
Result<void> commit_top_into(BlockDriver* top, BlockDriver* base);

// Commits a temporary overlay (open_temporary_overlay) into its base image:
// reopens the base read-write (with `base_opts`' format and cache options),
// copies, flushes and closes it, then empties the overlay and gives it a
// freshly opened read-only view of the updated base. The overlay's old view
// of the base (stale caches) is dropped. Call on the thread that owns
// `overlay` (a drive's I/O thread).
Result<void> commit_temporary_overlay(Qcow2Driver* overlay, const OpenOptions& base_opts);

}  // namespace mimic::block
