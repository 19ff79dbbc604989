#!/usr/bin/env bash
# qcow2 images written by Debian's qemu-img, read and written from inside the
# booted riscv64 guest (OpenSBI + Linux 6.1 + busybox /init) through the
# emulator's virtio-blk and block layer.
#
#  Read boots: the shared ext4 disk, or a copy changed with debugfs (new
#  hello.txt, extra files, SHA256SUMS updated), converted by `qemu-img convert`
#  into one qcow2 variant per boot; the guest's /init mounts /dev/vda and
#  prints GUEST-DISK-OK <first line of hello.txt> only when `sha256sum -c`
#  passes, so each boot checks every file and which content it saw. The drive
#  is writable (the emulator opens the image read-write and must close it
#  clean): `qemu-img check` must pass afterwards.
#  Write boot (gmode=run): vda = a compressed qcow2 with an internal snapshot,
#  mounted rw; the guest copies a file, writes another and appends their
#  sums to SHA256SUMS. vdb = an empty qcow2 overlay (larger than its qcow2
#  base) receiving O_DIRECT dd writes of 512 B .. 1 MiB from vdc (raw). Then:
#  `qemu-img check` clean on both, `qemu-img compare` of vdb with the same dd
#  done on the host, e2fsck + debugfs on vda's content, its snapshot still
#  holding the old content, and a last boot that verifies vda's new files
#  from inside the guest.
# Exits 77 (skipped) when the images or host tools are missing.
# usage: guest_qcow2.sh EMULATOR IMAGES_DIR [extra emulator options...]
set -u
emu=$(realpath "$1") images=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
kernel=$images/riscv64/Image initrd=$images/riscv64/initramfs.cpio.gz disk=$images/disk-ext4.img
for f in "$kernel" "$initrd" "$disk"; do
  if [ ! -r "$f" ]; then
    echo "guest_qcow2: $f not found: skipped (see docs/guests.md to build the images)"
    exit 77
  fi
done
for t in qemu-img debugfs e2fsck python3; do
  if ! command -v "$t" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$t" ] && [ ! -x "/sbin/$t" ]; then
    echo "guest_qcow2: $t not found: skipped"
    exit 77
  fi
done
export PATH=$PATH:/usr/sbin:/sbin

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
cd "$w" || exit 1
fail=0
bad() { echo "guest_qcow2: FAIL: $*"; fail=1; }
die() { echo "guest_qcow2: setup failed: $*"; exit 1; }
qi() { qemu-img "$@" >>qemu-img.log 2>&1 || die "qemu-img $*: $(tail -n 3 qemu-img.log)"; }

# ---- fixtures ------------------------------------------------------------
cp "$disk" base.raw && chmod u+w base.raw || die "copy of $disk"
# mkmod SRC DST "hello line" EXTRA_NAME EXTRA_KIB: DST = SRC with hello.txt
# replaced, a random file added and SHA256SUMS covering everything.
mkmod() {
  local src=$1 dst=$2 hello=$3 extra=$4 kib=$5
  cp "$src" "$dst"
  rm -rf files && mkdir files
  printf '%s\n' "$hello" >files/hello.txt
  head -c $((kib * 1024)) /dev/urandom >"files/$extra"
  debugfs -R "cat SHA256SUMS" "$src" 2>/dev/null | grep -v ' hello.txt$' >files/SHA256SUMS
  (cd files && sha256sum hello.txt "$extra" >>SHA256SUMS)
  printf '%s\n' "rm hello.txt" "write files/hello.txt hello.txt" "rm SHA256SUMS" \
    "write files/SHA256SUMS SHA256SUMS" "write files/$extra $extra" >debugfs.cmd
  debugfs -w -f debugfs.cmd "$dst" >/dev/null 2>&1 || die "debugfs on $dst"
  e2fsck -fn "$dst" >/dev/null 2>&1 || die "e2fsck of the fixture $dst"
}
H0="hello from the virtio-blk ext4 test disk"
H1="hello from qcow2 overlay one"
H2="hello from qcow2 overlay two"
mkmod base.raw mod1.raw "$H1" extra1.bin 384
mkmod mod1.raw mod2.raw "$H2" extra2.bin 200

# mkoverlay BASE BASE_FMT OLD_RAW NEW_RAW OUT [create options]: OUT = a qcow2
# over BASE (whose content is OLD_RAW) holding only the 4 KiB blocks where
# NEW_RAW differs (written by qemu-io into a scratch overlay, which
# `qemu-img convert -B` then copies without what the backing provides).
mkoverlay() {
  local base=$1 fmt=$2 old=$3 new=$4 out=$5 opts=${6:-cluster_size=65536}
  local args=() l
  rm -f scratch.qcow2 run.*
  qi create -f qcow2 -o "$opts" -b "$base" -F "$fmt" scratch.qcow2
  while read -r l; do args+=(-c "$l"); done < <(python3 - "$old" "$new" <<'PY'
import sys
B = 4096
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
o = i = 0
while o < len(b):
    if a[o:o + B] == b[o:o + B]:
        o += B
        continue
    s = o
    while o < len(b) and a[o:o + B] != b[o:o + B]:
        o += B
    open(f"run.{i}", "wb").write(b[s:o])
    print(f"write -q -s run.{i} {s} {o - s}")
    i += 1
PY
)
  [ ${#args[@]} -gt 0 ] || die "mkoverlay: $old and $new do not differ"
  qemu-io -f qcow2 "${args[@]}" scratch.qcow2 >>qemu-img.log 2>&1 || die "qemu-io on scratch.qcow2"
  qi convert -f qcow2 -O qcow2 -o "$opts" -B "$base" -F "$fmt" scratch.qcow2 "$out"
  qemu-img compare -f qcow2 -F raw "$out" "$new" >/dev/null 2>&1 || die "mkoverlay: $out is not $new"
}

# name|expected first line of hello.txt; the image is NAME.qcow2.
qi convert -f raw -O qcow2 -c base.raw c64k.qcow2
qi convert -f raw -O qcow2 -c -o cluster_size=4096 mod1.raw c4k.qcow2
mkoverlay base.raw raw base.raw mod1.raw chain_raw.qcow2
qi convert -f raw -O qcow2 base.raw chain_base.qcow2
mkoverlay chain_base.qcow2 qcow2 base.raw mod1.raw chain_mid.qcow2 cluster_size=4096
mkoverlay chain_mid.qcow2 qcow2 mod1.raw mod2.raw chain_qcow2.qcow2
qi convert -f raw -O qcow2 base.raw snapshot.qcow2
qi snapshot -c snap1 snapshot.qcow2
qi convert -n -f raw -O qcow2 mod2.raw snapshot.qcow2
qi convert -f raw -O qcow2 -o compat=0.10 mod1.raw v2.qcow2
qi convert -f raw -O qcow2 -o refcount_bits=1 base.raw rc1.qcow2
qi convert -f raw -O qcow2 -o refcount_bits=64,cluster_size=4096 mod2.raw rc64_4k.qcow2
qi convert -f raw -O qcow2 -o cluster_size=2M mod1.raw c2m.qcow2
variants=("c64k|$H0" "c4k|$H1" "chain_raw|$H1" "chain_qcow2|$H2" "snapshot|$H2" "v2|$H1"
          "rc1|$H0" "rc64_4k|$H2" "c2m|$H1")
# The fixtures must be what the test says: compressed clusters, a chain of
# three images whose overlays hold only what changed, a version 2 image.
compressed() { qemu-img check "$1" 2>/dev/null | grep -Eq ' [1-9][0-9.]*% compressed clusters'; }
compressed c64k.qcow2 && compressed c4k.qcow2 || die "no compressed clusters"
[ "$(qemu-img info --backing-chain chain_qcow2.qcow2 | grep -c '^image:')" -eq 3 ] ||
  die "chain_qcow2.qcow2 is not a chain of 3"
qemu-img info v2.qcow2 | grep -q 'compat: 0.10' || die "v2.qcow2 is not compat=0.10"
for f in chain_raw chain_mid chain_qcow2; do
  [ "$(stat -c %s $f.qcow2)" -lt 1048576 ] || die "overlay $f.qcow2 holds too much"
done

boot() {  # boot LOG APPEND DRIVE_ARGS...: runs the emulator, returns its status
  local log=$1 append=$2
  shift 2
  timeout -k 5 60 "$emu" -M virt -m 256M -smp 1 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$boot_initrd" -append "console=ttyS0 panic=-1 $append" \
    "$@" "${extra_opts[@]}" </dev/null >"$log" 2>&1
}
extra_opts=("$@")
boot_initrd=$initrd
show() { echo "---- last 30 lines of $1 ----"; tail -n 30 "$1"; }

# ---- read boots ----------------------------------------------------------
for v in "${variants[@]}"; do
  name=${v%%|*} want=${v#*|}
  boot "$name.log" "" -drive file="$name.qcow2",format=qcow2,if=none,id=d0 \
    -device virtio-blk-device,drive=d0
  status=$?
  if ! grep -q "^GUEST-DISK-OK $want uptime" "$name.log" || ! grep -q "^GUEST-POWEROFF" "$name.log" ||
     [ $status -ne 0 ]; then
    bad "$name: want 'GUEST-DISK-OK $want' and a poweroff (status $status)"
    show "$name.log"
  elif ! qemu-img check "$name.qcow2" >"$name.check" 2>&1; then
    bad "$name: qemu-img check after the boot"; cat "$name.check"
  else
    echo "guest_qcow2: $name ok ($(grep -o '^GUEST-DISK-OK.*' "$name.log"))"
  fi
done
qemu-img snapshot -l snapshot.qcow2 | grep -q snap1 || bad "snapshot: snap1 lost"

# ---- write boot ----------------------------------------------------------
# dd requests, in order: bs skip seek count (from vdc into vdb).
dd_ops=("512 7 3 5" "512 1001 20001 17" "4096 100 1000 300" "65536 2 40 20"
        "1048576 3 20 2" "4096 50 1010 10")
qi convert -f raw -O qcow2 -c mod1.raw rw.qcow2
qi snapshot -c before rw.qcow2
compressed rw.qcow2 || die "rw.qcow2: no compressed clusters"
qi create -f qcow2 -b chain_base.qcow2 -F qcow2 target.qcow2 24M
mkdir -p prog
{
  echo 'set -e'
  for op in "${dd_ops[@]}"; do
    set -- $op
    echo "dd if=/dev/vdc of=/dev/vdb bs=$1 skip=$2 seek=$3 count=$4 oflag=direct conv=notrunc,fsync 2>/dev/null"
  done
  echo 'mount -t ext4 /dev/vda /mnt'
  echo 'cp /mnt/extra1.bin /mnt/copy.bin'
  echo 'seq 1 30000 >/mnt/seq.txt'
  echo 'cd /mnt; sha256sum copy.bin seq.txt >>SHA256SUMS; sha256sum -c -s SHA256SUMS; cd /'
  echo 'umount /mnt'
  echo 'echo GUEST-WRITE-DONE'
} >prog/write.sh
python3 "$here/../../bench/guest_initrd.py" write-initrd.cpio.gz "$initrd" prog/write.sh >/dev/null ||
  die "guest_initrd.py"
boot_initrd=write-initrd.cpio.gz
boot write.log 'gdisk=0 gmode=run gcmd="sh /bench/write.sh"' \
  -drive file=rw.qcow2,format=qcow2,if=none,id=d0 -device virtio-blk-device,drive=d0 \
  -drive file=target.qcow2,format=qcow2,if=none,id=d1 -device virtio-blk-device,drive=d1 \
  -drive file=mod2.raw,format=raw,if=none,id=d2,readonly=on -device virtio-blk-device,drive=d2
status=$?
boot_initrd=$initrd
if ! grep -q "^GUEST-WRITE-DONE" write.log || ! grep -q "^GUEST-CMD-EXIT=0" write.log || [ $status -ne 0 ]; then
  bad "write boot: want GUEST-WRITE-DONE, GUEST-CMD-EXIT=0 and status 0 (status $status)"
  show write.log
else
  # vdb: the same dd on the host, over the base's content grown to 24 MiB.
  cp base.raw expect.raw && truncate -s 24M expect.raw
  for op in "${dd_ops[@]}"; do
    set -- $op
    dd if=mod2.raw of=expect.raw bs=$1 skip=$2 seek=$3 count=$4 conv=notrunc status=none
  done
  qemu-img check target.qcow2 >target.check 2>&1 || { bad "qemu-img check target.qcow2"; cat target.check; }
  qemu-img compare -f qcow2 -F raw target.qcow2 expect.raw >target.cmp 2>&1 ||
    { bad "target.qcow2 differs from the host's dd: $(cat target.cmp)"; }
  # vda: a clean image, a clean file system with the guest's files.
  qemu-img check rw.qcow2 >rw.check 2>&1 || { bad "qemu-img check rw.qcow2"; cat rw.check; }
  qemu-img convert -O raw rw.qcow2 rw.raw 2>/dev/null || bad "qemu-img convert rw.qcow2"
  e2fsck -fn rw.raw >rw.fsck 2>&1 || { bad "e2fsck of rw.qcow2's file system"; tail -n 20 rw.fsck; }
  want_copy=$(debugfs -R 'cat extra1.bin' mod1.raw 2>/dev/null | sha256sum)
  [ "$(debugfs -R 'cat copy.bin' rw.raw 2>/dev/null | sha256sum)" = "$want_copy" ] ||
    bad "copy.bin written by the guest differs from extra1.bin"
  [ "$(debugfs -R 'cat seq.txt' rw.raw 2>/dev/null | sha256sum)" = "$(seq 1 30000 | sha256sum)" ] ||
    bad "seq.txt written by the guest is wrong"
  # Read back through the emulator: the guest's sums cover the new files.
  boot readback.log "" -drive file=rw.qcow2,format=qcow2,if=none,id=d0 -device virtio-blk-device,drive=d0
  status=$?
  if ! grep -q "^GUEST-DISK-OK $H1 uptime" readback.log || [ $status -ne 0 ]; then
    bad "read-back boot: want 'GUEST-DISK-OK $H1' (status $status)"
    show readback.log
  fi
  # The internal snapshot still holds the content from before the boot.
  qi snapshot -a before rw.qcow2
  qemu-img compare -f qcow2 -F raw rw.qcow2 mod1.raw >rw.cmp 2>&1 ||
    bad "snapshot 'before' of rw.qcow2 changed: $(cat rw.cmp)"
fi
[ $fail -eq 0 ] && echo "guest_qcow2: write test ok (dd to a qcow2 overlay, ext4 rw on a compressed qcow2 with a snapshot)"
exit $fail
