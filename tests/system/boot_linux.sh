#!/usr/bin/env bash
# Boots the riscv64 guest images (Debian's OpenSBI as firmware, Linux 6.1,
# busybox initramfs) with the ext4 test disk on virtio-blk, and checks the
# markers the guest's /init prints and that poweroff ends the emulator with
# status 0. Exits 77 (skipped) when the images are not there.
# usage: boot_linux.sh EMULATOR IMAGES_DIR [extra emulator options...]
set -u
emu=$1 images=$2
shift 2
kernel=$images/riscv64/Image initrd=$images/riscv64/initramfs.cpio.gz disk=$images/disk-ext4.img
for f in "$kernel" "$initrd" "$disk"; do
  if [ ! -r "$f" ]; then
    echo "boot_linux: $f not found: skipped (see docs/guests.md to build the images)"
    exit 77
  fi
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s.%N)
timeout -k 5 240 "$emu" -M virt -m 256M -smp 1 -nographic -no-reboot \
  -kernel "$kernel" -initrd "$initrd" -append 'console=ttyS0 panic=-1' \
  -drive file="$disk",format=raw,if=none,id=d0,readonly=on -device virtio-blk-device,drive=d0 \
  "$@" </dev/null >"$log" 2>&1
status=$?
end=$(date +%s.%N)
fail=0
for marker in "OpenSBI v" "GUEST-BOOT-OK" "GUEST-DISK-OK" "GUEST-POWEROFF"; do
  if ! grep -q "$marker" "$log"; then
    echo "boot_linux: missing '$marker' in the console output"
    fail=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "boot_linux: the emulator exited with status $status (want 0 after poweroff)"
  fail=1
fi
if [ "$fail" -ne 0 ]; then
  echo "---- last 60 lines of the console ----"
  tail -n 60 "$log"
  exit 1
fi
grep -E "GUEST-(BOOT|DISK)-OK|GUEST-POWEROFF" "$log"
awk -v s="$start" -v e="$end" 'BEGIN { printf "boot_linux: ok in %.2f s\n", e - s }'
