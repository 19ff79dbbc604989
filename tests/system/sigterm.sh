#!/usr/bin/env bash
# SIGTERM shuts the machine down cleanly (as QEMU does): the guest writes to a
# qcow2 drive with fsync, mimic gets SIGTERM, exits 0, and the image is clean
# (`qemu-img check`) with the written clusters allocated.
# usage: sigterm.sh EMULATOR MIMIC_IMG IMAGES_DIR; exits 77 (skipped) without
# the guest images or qemu-img.
set -u
emu=$1 img_tool=$2 images=$3
kernel=$images/riscv64/Image initrd=$images/riscv64/initramfs.cpio.gz
if [ ! -r "$kernel" ] || [ ! -r "$initrd" ] || ! command -v qemu-img >/dev/null; then
  echo "sigterm: guest images or qemu-img missing: skipped"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$img_tool" create -f qcow2 "$dir/d.qcow2" 64M >/dev/null || exit 1
"$emu" -M virt -m 256M -display none -serial "file:$dir/console" -kernel "$kernel" -initrd "$initrd" \
  -append 'console=ttyS0 gdisk=0 gmode=run gcmd="dd if=/dev/urandom of=/dev/vda bs=64k count=100 conv=fsync && echo DD-DONE; sleep 1000"' \
  -drive file="$dir/d.qcow2",if=none,id=d0 -device virtio-blk-device,drive=d0 </dev/null 2>"$dir/stderr" &
pid=$!
for _ in $(seq 240); do
  grep -q '^DD-DONE' "$dir/console" 2>/dev/null && break
  sleep 0.5
done
if ! grep -q '^DD-DONE' "$dir/console"; then
  kill -KILL $pid
  echo "sigterm: the guest did not finish its write"; tail -20 "$dir/console"; exit 1
fi
kill -TERM $pid
timeout 30 tail --pid=$pid -f /dev/null
wait $pid
status=$?
fail=0
[ "$status" -eq 0 ] || { echo "sigterm: exit status $status, want 0"; fail=1; }
grep -q "terminating on signal 15" "$dir/stderr" || { echo "sigterm: no 'terminating on signal' message"; fail=1; }
qemu-img check "$dir/d.qcow2" || fail=1
alloc=$(qemu-img map --output=json "$dir/d.qcow2" | grep -c '"data": true')
[ "$alloc" -ge 1 ] || { echo "sigterm: the guest's writes are not in the image"; fail=1; }
exit $fail
