#!/bin/bash
# Interop tests of mimic-img against Debian's qemu-img / qemu-io.
# usage: img_interop.sh MIMIC_IMG BLOCK_IO CASE
# Each case builds images in a fresh temporary directory; a failing command
# or comparison ends the case with a message and a non-zero exit.
set -euo pipefail
M=$(realpath "$1")
IO=$(realpath "$2")
CASE=$3
command -v qemu-img >/dev/null || { echo "SKIP: qemu-img not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

fail() { echo "FAIL: $*" >&2; exit 1; }
qcheck() { qemu-img check -q "$1" || fail "qemu-img check $1 (rc=$?)"; }
mcheck() { "$M" check -q "$1" || fail "mimic-img check $1 (rc=$?)"; }
same() { qemu-img compare -q "$1" "$2" || fail "qemu-img compare $1 $2"; "$M" compare -q "$1" "$2" || fail "mimic-img compare $1 $2"; }
qio() { qemu-io "$@" >/dev/null || fail "qemu-io $*"; }
# A raw reference image with a recognisable pattern: data, holes, zeros.
mkref() {  # file size
  qemu-img create -q -f raw "$1" "$2"
  local end=$(($(stat -c %s "$1") - 4096))
  qio -f raw -c 'write -P 0x5a 0 1M' -c 'write -P 0xa5 3M 300k' -c "write -P 0x01 $end 4k" "$1"
}

case "$CASE" in
create_check)  # images written by mimic-img pass qemu-img check
  for v in 0.10 1.1; do
    for cs in 512 4k 64k 2M; do
      "$M" create -q -f qcow2 -o compat=$v,cluster_size=$cs a.qcow2 100M
      qcheck a.qcow2
      [ "$(qemu-img info --output=json a.qcow2 | grep -c '"virtual-size": 104857600')" = 1 ] || fail "size $v $cs"
    done
  done
  for rb in 1 2 4 8 16 32 64; do
    "$M" create -q -f qcow2 -o refcount_bits=$rb a.qcow2 10M && qcheck a.qcow2 || fail "M create -q -f qcow2 -o refcount_bits=rb a.qcow2 10M && qche"
  done
  for p in metadata falloc full; do
    "$M" create -q -f qcow2 -o preallocation=$p a.qcow2 3M && qcheck a.qcow2 || fail "M create -q -f qcow2 -o preallocation=p a.qcow2 3M && qcheck"
    qemu-img compare -q a.qcow2 <(true) 2>/dev/null || true
  done
  "$M" create -q -f qcow2 -o lazy_refcounts=on,compression_type=zstd a.qcow2 1G && qcheck a.qcow2 || fail "M create -q -f qcow2 -o lazy_refcounts=on,compression_type=z"
  qemu-img info a.qcow2 | grep -q 'compression type: zstd' || fail zstd
  "$M" create -q -f raw r.img 5M && [ "$(stat -c %s r.img)" = 5242880 ] || fail raw
  ;;
convert_to)  # mimic-img convert output is right and consistent
  mkref ref.raw 9M
  for o in "" "-o cluster_size=512" "-o cluster_size=2M" "-o compat=0.10" "-o refcount_bits=1" "-o refcount_bits=64"; do
    "$M" convert -O qcow2 $o ref.raw out.qcow2 && qcheck out.qcow2 && same out.qcow2 ref.raw || fail "M convert -O qcow2 o ref.raw out.qcow2 && qcheck out.qcow2 &"
    "$M" convert -c -O qcow2 $o ref.raw outc.qcow2 && qcheck outc.qcow2 && same outc.qcow2 ref.raw || fail "M convert -c -O qcow2 o ref.raw outc.qcow2 && qcheck outc.qc"
  done
  "$M" convert -c -O qcow2 -o compression_type=zstd ref.raw z.qcow2 && qcheck z.qcow2 && same z.qcow2 ref.raw || fail "M convert -c -O qcow2 -o compression_type=zstd ref.raw z.qco"
  "$M" convert -O raw out.qcow2 back.raw && cmp back.raw ref.raw || fail "raw round trip"
  [ "$(stat -c %b back.raw)" -lt 6000 ] || fail "raw output not sparse"
  ;;
read_qemu)  # images written by qemu-img read correctly through mimic-img
  mkref ref.raw 9M
  for o in "compat=0.10" "compat=1.1" "cluster_size=512" "cluster_size=2M" "refcount_bits=1" "refcount_bits=64" "cluster_size=4k,refcount_bits=8"; do
    qemu-img convert -O qcow2 -o $o ref.raw q.qcow2
    "$M" compare q.qcow2 ref.raw >/dev/null || fail "compare $o"
    "$M" convert -O raw q.qcow2 x.raw && cmp -s x.raw ref.raw || fail "convert $o"
    mcheck q.qcow2
    qemu-img convert -c -O qcow2 -o $o ref.raw qc.qcow2
    "$M" compare -q qc.qcow2 ref.raw || fail "compressed $o"
  done
  qemu-img convert -c -O qcow2 -o compression_type=zstd ref.raw qz.qcow2
  "$M" compare -q qz.qcow2 ref.raw || fail zstd
  mcheck qz.qcow2
  ;;
backing)  # backing chains both ways, commit and rebase
  mkref ref.raw 4M
  qemu-img convert -O qcow2 ref.raw base.qcow2
  qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 mid.qcow2
  qio -c 'write -P 0x77 1M 64k' -c 'write -z 0 4k' mid.qcow2
  qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2
  qio -c 'write -P 0x99 2M 1k' top.qcow2
  qemu-img convert -O raw top.qcow2 expect.raw
  "$M" compare -q top.qcow2 expect.raw || fail "chain read"
  "$M" convert -O qcow2 top.qcow2 flat.qcow2 && qcheck flat.qcow2 && same flat.qcow2 expect.raw || fail "M convert -O qcow2 top.qcow2 flat.qcow2 && qcheck flat.qcow2"
  # -B: output keeps only what differs from the new backing file
  "$M" convert -O qcow2 -B base.qcow2 -F qcow2 top.qcow2 delta.qcow2 && qcheck delta.qcow2 && same delta.qcow2 expect.raw || fail "M convert -O qcow2 -B base.qcow2 -F qcow2 top.qcow2 delta.qc"
  # mimic-made overlay, written through the block layer
  "$M" create -q -f qcow2 -b base.qcow2 -F qcow2 ov.qcow2
  "$IO" ov.qcow2 write 0x33 5000 70000 flush
  qio -f raw -c 'write -P 0x33 5000 70000' ref.raw
  qcheck ov.qcow2 && same ov.qcow2 ref.raw || fail "qcheck ov.qcow2 && same ov.qcow2 ref.raw"
  # commit: the base receives the overlay's data
  cp ov.qcow2 ov2.qcow2; cp base.qcow2 base2.qcow2
  "$M" commit -q ov.qcow2 && qcheck base.qcow2 && qcheck ov.qcow2 && same base.qcow2 ref.raw && same ov.qcow2 ref.raw || fail "M commit -q ov.qcow2 && qcheck base.qcow2 && qcheck ov.qcow2"
  # rebase (safe) onto nothing: content unchanged
  "$M" rebase -b '' ov2.qcow2 && qcheck ov2.qcow2 && same ov2.qcow2 ref.raw || fail "M rebase -b '' ov2.qcow2 && qcheck ov2.qcow2 && same ov2.qco"
  if qemu-img info ov2.qcow2 | grep -q 'backing file'; then fail "backing not removed"; fi
  # rebase -u only rewrites the header
  "$M" rebase -u -b base2.qcow2 -F qcow2 ov2.qcow2 && qemu-img info ov2.qcow2 | grep -q 'backing file: base2.qcow2' || fail "rebase -u"
  ;;
snapshot)  # internal snapshots both ways
  mkref ref.raw 4M
  qemu-img convert -O qcow2 ref.raw s.qcow2
  qemu-img snapshot -c first s.qcow2
  qio -c 'write -P 0x44 0 128k' s.qcow2
  "$M" snapshot -l s.qcow2 | grep -q first || fail "list qemu snapshot"
  "$M" snapshot -c second s.qcow2 && qcheck s.qcow2 || fail "M snapshot -c second s.qcow2 && qcheck s.qcow2"
  qemu-img snapshot -l s.qcow2 | grep -q second || fail "qemu lists our snapshot"
  "$IO" s.qcow2 write 0x55 0 64k flush && qcheck s.qcow2 || fail "IO s.qcow2 write 0x55 0 64k flush && qcheck s.qcow2"
  "$M" snapshot -a first s.qcow2 && qcheck s.qcow2 && same s.qcow2 ref.raw || fail "M snapshot -a first s.qcow2 && qcheck s.qcow2 && same s.qcow"
  qemu-img snapshot -a second s.qcow2
  qio -f raw -c 'write -P 0x44 0 128k' ref.raw
  same s.qcow2 ref.raw
  "$M" snapshot -d first s.qcow2 && qcheck s.qcow2 || fail "M snapshot -d first s.qcow2 && qcheck s.qcow2"
  "$M" snapshot -d second s.qcow2 && qcheck s.qcow2 || fail "M snapshot -d second s.qcow2 && qcheck s.qcow2"
  [ -z "$(qemu-img snapshot -l s.qcow2)" ] || fail "snapshots left"
  same s.qcow2 ref.raw
  ;;
resize_info)
  "$M" create -q -f qcow2 a.qcow2 1M
  "$M" resize a.qcow2 +100M >/dev/null && qcheck a.qcow2 || fail "M resize a.qcow2 +100M >/dev/null && qcheck a.qcow2"
  [ "$(qemu-img info --output=json a.qcow2 | grep '"virtual-size"')" = '    "virtual-size": 105906176,' ] || fail "grow"
  if "$M" resize a.qcow2 10M 2>/dev/null; then fail "shrink without --shrink"; fi
  "$M" resize --shrink a.qcow2 10M >/dev/null && qcheck a.qcow2 || fail "M resize --shrink a.qcow2 10M >/dev/null && qcheck a.qcow2"
  qemu-img create -q -f qcow2 q.qcow2 64M
  qio -c 'write -P 1 0 1M' -c 'write -z 8M 1M' q.qcow2
  for c in "info" "info --output=json" "map --output=json" "check" "check --output=json" "measure -O qcow2" "measure -O qcow2 --output=json"; do
    diff <(qemu-img $c q.qcow2 2>&1 | sed 's/qemu-img/X/') <("$M" $c q.qcow2 2>&1 | sed 's/mimic-img/X/') || fail "output of $c"
  done
  ;;
check_repair)  # leaks and corruptions, exit codes as qemu-img's
  qemu-img create -q -f qcow2 a.qcow2 8M
  qio -c 'write -P 1 0 256k' a.qcow2
  cp a.qcow2 b.qcow2
  # Leak: raise the refcount of the L1 table's cluster (cluster 3) to 2.
  printf '\x00\x02' | dd of=a.qcow2 bs=1 seek=$((0x20000 + 6)) conv=notrunc status=none
  set +e
  "$M" check a.qcow2 >/dev/null 2>&1; rc=$?
  qemu-img check a.qcow2 >/dev/null 2>&1; qrc=$?
  set -e
  [ $rc = 3 ] && [ $qrc = 3 ] || fail "leak exit codes $rc $qrc"
  "$M" check -r leaks a.qcow2 >/dev/null 2>&1 && qcheck a.qcow2 || fail "M check -r leaks a.qcow2 >/dev/null 2>&1 && qcheck a.qcow2"
  # Corruption: refcount of a data cluster set to 0.
  printf '\x00\x00' | dd of=b.qcow2 bs=1 seek=$((0x20000 + 10)) conv=notrunc status=none
  set +e
  "$M" check b.qcow2 >/dev/null 2>&1; rc=$?
  set -e
  [ $rc = 2 ] || fail "corruption exit code $rc"
  "$M" check -r all b.qcow2 >/dev/null 2>&1 && qcheck b.qcow2 || fail "M check -r all b.qcow2 >/dev/null 2>&1 && qcheck b.qcow2"
  ;;
hostile)  # broken images are refused with one line, no crash or hang
  qemu-img create -q -f qcow2 a.qcow2 8M
  bad() {  # name, offset, hex bytes
    cp a.qcow2 "$1.qcow2"
    printf "$3" | dd of="$1.qcow2" bs=1 seek=$2 conv=notrunc status=none
    set +e
    out=$(timeout 10 "$M" info "$1.qcow2" 2>&1 >/dev/null); rc=$?
    set -e
    [ $rc = 1 ] || fail "$1: exit $rc"
    [ "$(echo "$out" | wc -l)" = 1 ] || fail "$1: not one line: $out"
  }
  bad version 4 '\x00\x00\x00\x07'
  bad cluster_bits 20 '\x00\x00\x00\x30'
  bad l1_offset 40 '\x7f\x00\x00\x00\x00\x00\x00\x00'
  bad l1_size 36 '\x7f\xff\xff\xff'
  bad reftable 48 '\x00\x00\x00\x00\x00\x00\x12\x34'
  bad incompat 79 '\x80'
  bad huge_size 24 '\x7f\xff\xff\xff\xff\xff\xff\xff'
  bad snapshots 60 '\x00\x00\x10\x00'
  bad ext_len 116 '\xff\xff\xff\xff'
  # backing loop and missing backing file
  qemu-img create -q -f qcow2 -b y.qcow2 -F qcow2 -u x.qcow2 1M
  qemu-img create -q -f qcow2 -b x.qcow2 -F qcow2 -u y.qcow2 1M
  set +e
  timeout 10 "$M" compare x.qcow2 y.qcow2 2>/dev/null; rc=$?
  set -e
  [ $rc = 2 ] || fail "backing loop: exit $rc"
  ;;
hostile_meta)  # broken metadata: errors or corruption reports, never a crash
  qemu-img create -q -f qcow2 a.qcow2 8M
  qio -c 'write -P 1 0 128k' a.qcow2   # L1 at 0x30000, L2 at 0x40000, data at 0x50000
  poke() {  # name offset bytes
    cp a.qcow2 "$1.qcow2"
    printf "$3" | dd of="$1.qcow2" bs=1 seek=$(($2)) conv=notrunc status=none
  }
  run() {  # expected exit codes..., then the command
    local want=$1; shift
    set +e
    out=$(timeout 20 "$@" 2>&1); rc=$?
    set -e
    [[ " $want " == *" $rc "* ]] || fail "$*: exit $rc, wanted $want: $out"
  }
  poke l1_beyond_eof 0x30000 '\x80\x00\x00\x00\x7f\x00\x00\x00'
  poke l1_is_header 0x30000 '\x80\x00\x00\x00\x00\x00\x00\x00'
  poke l1_unaligned 0x30000 '\x80\x00\x00\x00\x00\x04\x02\x00'
  poke l2_points_at_l1 0x40000 '\x80\x00\x00\x00\x00\x03\x00\x00'
  poke l2_beyond_eof 0x40000 '\x80\x00\x00\x7f\x00\x00\x00\x00'
  poke l2_compressed_junk 0x40000 '\x7f\xff\xff\xff\xff\xff\xff\xff'
  poke reftable_beyond_eof 0x10000 '\x00\x00\x7f\x00\x00\x00\x00\x00'
  poke reftable_is_l1 0x10000 '\x00\x00\x00\x00\x00\x03\x00\x00'
  for img in l1_beyond_eof l1_is_header l1_unaligned l2_points_at_l1 l2_beyond_eof l2_compressed_junk reftable_beyond_eof reftable_is_l1; do
    run "0 1" "$M" convert -O raw $img.qcow2 out.raw
    run "1 2 3" "$M" check $img.qcow2
    run "0 1 2" "$M" compare $img.qcow2 a.qcow2
    run "0 1" "$M" map $img.qcow2
    # writes must fail cleanly or leave something qemu-img can still open
    cp $img.qcow2 w.qcow2
    run "0 1" "$IO" w.qcow2 write 0x42 0 200000 flush
  done
  # a backing chain deeper than the limit
  qemu-img create -q -f qcow2 c0.qcow2 1M
  for i in $(seq 1 70); do qemu-img create -q -f qcow2 -u -b c$((i-1)).qcow2 -F qcow2 c$i.qcow2 1M; done
  run 1 "$M" info --backing-chain c70.qcow2
  run 0 "$M" info --backing-chain c60.qcow2
  ;;
*)
  fail "unknown case $CASE"
  ;;
esac
echo "PASS: $CASE"

