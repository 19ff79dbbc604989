#!/usr/bin/env bash
# Builds the riscv64 guest of mimic-system-riscv64 from Debian 12 packages only:
#   kernel     Linux 6.1 `Image` from linux-source-6.1: tinyconfig + riscv64-kernel.config
#   busybox    static riscv64 busybox from Debian's source package (apt-get source busybox;
#              needs a deb-src line), upstream defconfig + CONFIG_STATIC=y, glibc cross toolchain
#   initramfs  busybox + ./init, packed with the kernel's usr/gen_init_cpio (no root needed), gzip -9
#   disk       disk-ext4.img (mkdisk.sh)
# usage: [OUT=dir] [WORK=dir] [JOBS=n] build-riscv64.sh [kernel|busybox|initramfs|disk]...
#   (no argument = all four, in that order). Output, as /work/shared/guests/images:
#   $OUT/riscv64/{Image,initramfs.cpio.gz,kernel.config,System.map.xz,busybox.config,SHA256SUMS}
#   $OUT/disk-ext4.img. Sources and objects stay in $WORK, so a second run is incremental.
# See docs/guests.md.
source "$(dirname "$0")/common.sh"
CROSS=riscv64-linux-gnu-
DEST=$OUT/riscv64
KSRC=$WORK/linux-source-6.1
mkdir -p "$DEST"

unpack_kernel_source() {
  need_pkgs linux-source-6.1
  [ -f "$KSRC/Makefile" ] || { step "unpacking linux-source-6.1"; tar -C "$WORK" -xf /usr/src/linux-source-6.1.tar.xz; }
}

# check_fragment FRAGMENT CONFIG : fail when a line of FRAGMENT is not what CONFIG ended up with
# (Kconfig silently drops settings whose dependencies are not met).
check_fragment() {
  awk 'NR == FNR { if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) have[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1); next }
       /^CONFIG_/ { n = index($0, "="); k = substr($0, 1, n - 1); v = substr($0, n + 1) }
       /^# CONFIG_.* is not set$/ { k = $2; v = "n" }
       /^(CONFIG_|# CONFIG_.* is not set$)/ {
         h = (k in have) ? have[k] : "n"
         if (h != v) { printf "guests: %s: wanted %s, got %s\n", k, v, h; bad = 1 } }
       END { exit bad }' "$2" "$1"
}

build_kernel() {
  need_pkgs gcc-riscv64-linux-gnu make flex bison bc xz-utils
  unpack_kernel_source
  local obj=$WORK/linux-riscv64 k log=$WORK/linux-riscv64.log
  k="make -s -C $KSRC O=$obj ARCH=riscv CROSS_COMPILE=$CROSS"
  mkdir -p "$obj"
  # `make tinyconfig X.config` merges kernel/configs/X.config (merge_config.sh) + olddefconfig
  cp "$GUESTS_SRC/riscv64-kernel.config" "$KSRC/kernel/configs/mimic-riscv64.config"
  rm -f "$obj/.config"
  $k tinyconfig mimic-riscv64.config >/dev/null
  check_fragment "$GUESTS_SRC/riscv64-kernel.config" "$obj/.config"
  step "kernel: make -j$JOBS Image (log: $log)"
  $NICE $k -j"$JOBS" Image >"$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
  cp "$obj/arch/riscv/boot/Image" "$DEST/Image"
  cp "$obj/.config" "$DEST/kernel.config"
  xz -9 -c "$obj/System.map" >"$DEST/System.map.xz"
  step "kernel: $DEST/Image, $(stat -c %s "$DEST/Image") bytes"
}

build_busybox() {
  need_pkgs gcc-riscv64-linux-gnu libc6-dev-riscv64-cross make dpkg-dev bzip2
  local src obj=$WORK/busybox-riscv64 b log=$WORK/busybox-riscv64.log
  src=$(ls -d "$WORK"/busybox-1.*/ 2>/dev/null | head -n 1) || true
  if [ -z "$src" ]; then
    step "busybox: apt-get source busybox"
    (cd "$WORK" && apt-get source -qq busybox) ||
      { echo "guests: apt-get source busybox failed: add a deb-src line for bookworm main" >&2; exit 1; }
    src=$(ls -d "$WORK"/busybox-1.*/ | head -n 1)
  fi
  b="make -s -C $src O=$obj ARCH=riscv CROSS_COMPILE=$CROSS"
  mkdir -p "$obj"
  [ ! -f "$obj/.config" ] || cp -p "$obj/.config" "$WORK/busybox.config.prev"
  $b defconfig >/dev/null
  sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$obj/.config"
  { yes "" || true; } | $b oldconfig >/dev/null
  grep -qx 'CONFIG_STATIC=y' "$obj/.config"
  # same config as last time: keep the old file (and mtime), so make has nothing to redo
  ! cmp -s "$obj/.config" "$WORK/busybox.config.prev" || cp -p "$WORK/busybox.config.prev" "$obj/.config"
  step "busybox: make -j$JOBS (log: $log)"
  $NICE $b -j"$JOBS" busybox >"$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
  ${CROSS}strip -o "$WORK/busybox" "$obj/busybox"
  if ${CROSS}readelf -l "$WORK/busybox" | grep -q INTERP; then echo "guests: busybox is not static" >&2; exit 1; fi
  cp "$obj/.config" "$DEST/busybox.config"
  step "busybox: static, $(stat -c %s "$WORK/busybox") bytes"
}

# initramfs: root-owned entries and device nodes come from the gen_init_cpio list, so no
# root and no mknod are needed; every entry gets the mtime SOURCE_DATE_EPOCH (reproducible).
build_initramfs() {
  need_pkgs gcc gzip
  unpack_kernel_source
  [ -x "$WORK/busybox" ] || { echo "guests: $WORK/busybox missing: run the busybox step first" >&2; exit 1; }
  cc -O2 -o "$WORK/gen_init_cpio" "$KSRC/usr/gen_init_cpio.c"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$WORK/passwd"
  printf 'root:x:0:\n' >"$WORK/group"
  cp "$GUESTS_SRC/init" "$WORK/init"
  # gen_init_cpio -t covers dirs and nodes; regular files keep their own mtime
  touch -d "@$SOURCE_DATE_EPOCH" "$WORK"/{busybox,init,passwd,group}
  {
    for d in /bin /dev /etc /mnt /proc /root /sbin /sys /tmp /usr /usr/bin /usr/sbin; do
      echo "dir $d 0755 0 0"
    done
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "nod /dev/null 0666 0 0 c 1 3"
    echo "file /bin/busybox $WORK/busybox 0755 0 0"
    echo "file /init $WORK/init 0755 0 0"
    echo "file /etc/passwd $WORK/passwd 0644 0 0"
    echo "file /etc/group $WORK/group 0644 0 0"
  } >"$WORK/initramfs.list"
  "$WORK/gen_init_cpio" -t "$SOURCE_DATE_EPOCH" "$WORK/initramfs.list" | gzip -9 -n >"$DEST/initramfs.cpio.gz"
  step "initramfs: $(stat -c %s "$DEST/initramfs.cpio.gz") bytes"
}

steps=("$@")
((${#steps[@]})) || steps=(kernel busybox initramfs disk)
for s in "${steps[@]}"; do
  case $s in
  kernel | busybox | initramfs) "build_$s" ;;
  disk) "$GUESTS_SRC/mkdisk.sh" "$OUT/disk-ext4.img" ;;
  *) echo "usage: $0 [kernel|busybox|initramfs|disk]..." >&2; exit 2 ;;
  esac
done
if [ -f "$DEST/Image" ] && [ -f "$DEST/initramfs.cpio.gz" ]; then
  (cd "$DEST" && sha256sum Image initramfs.cpio.gz >SHA256SUMS)
fi
step "done: $OUT"
