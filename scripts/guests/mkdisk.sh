#!/usr/bin/env bash
# mkdisk.sh [IMAGE] : the guest's ext4 test disk (default $OUT/disk-ext4.img), 8 MiB raw,
# no partition table, 1 KiB blocks, journal, metadata_csum (mke2fs defaults for ext4), with
#   hello.txt   one line, printed by /init after GUEST-DISK-OK
#   data.bin    1 MiB of deterministic pseudo-random bytes (SHA-256 in counter mode),
#               so the check reads many multi-sector virtio-blk requests
#   SHA256SUMS  checked in the guest with `sha256sum -c`
# Fixed UUID, hash seed and times (E2FSPROGS_FAKE_TIME, file times): bit-identical every time.
source "$(dirname "$0")/common.sh"
need_pkgs e2fsprogs python3 coreutils
img=${1:-$OUT/disk-ext4.img}
stage=$(mktemp -d "$WORK/disk.XXXXXX")
trap 'rm -rf "$stage"' EXIT
echo "hello from the virtio-blk ext4 test disk" >"$stage/hello.txt"
python3 -c '
import hashlib, sys
with open(sys.argv[1], "wb") as f:
    for i in range(1 << 15):
        f.write(hashlib.sha256(b"mimic-disk-%d" % i).digest())' "$stage/data.bin"
(cd "$stage" && sha256sum hello.txt data.bin >SHA256SUMS)
touch -d "@$SOURCE_DATE_EPOCH" "$stage" "$stage"/*
rm -f "$img"
truncate -s 8M "$img"
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
mke2fs -q -t ext4 -b 1024 -L mimicdisk \
  -U 4d494d49-4300-4000-8000-000000000001 \
  -E root_owner=0:0,hash_seed=4d494d49-4300-4000-8000-000000000002 -d "$stage" "$img"
# mke2fs -d copies each file's ctime, which touch cannot set: fix it up for bit-identical images
for f in hello.txt data.bin SHA256SUMS; do echo "sif /$f ctime @$SOURCE_DATE_EPOCH"; done |
  debugfs -w -f - "$img" >/dev/null 2>&1
step "disk: $img ($(stat -c %s "$img") bytes)"
