#!/bin/bash
# Crash safety: a writer using the block layer is killed with SIGKILL at a
# random moment, many times. Afterwards every write acknowledged by a flush
# must read back, and qemu-img check must find no corruption (leaks allowed,
# exit code 3).
# usage: crash_test.sh MIMIC_IMG BLOCK_IO ITERATIONS
set -uo pipefail
M=$(realpath "$1")
IO=$(realpath "$2")
N=${3:-30}
command -v qemu-img >/dev/null || { echo "SKIP: qemu-img not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for i in $(seq 1 "$N"); do
  case $((i % 4)) in
    0) opts="cluster_size=4k" ;;
    1) opts="cluster_size=64k,refcount_bits=4" ;;
    2) opts="cluster_size=512,compat=0.10" ;;
    3) opts="cluster_size=16k,lazy_refcounts=on" ;;  # dirty bit, repaired on open
  esac
  img=$T/c$i.qcow2
  "$M" create -q -f qcow2 -o $opts "$img" 16M || exit 1
  if [ $((i % 2)) = 0 ]; then  # some runs start from a snapshot: COW paths
    "$IO" "$img" write 0x11 0 8M flush >/dev/null || exit 1
    "$M" snapshot -c base "$img" || exit 1
  fi
  delay=$(printf '0.%03d' $((RANDOM % 600 + 50)))
  { timeout -s KILL "$delay" "$IO" "$img" crashwrite $i > "$T/log$i"; } 2>/dev/null
  base="0 0"
  [ $((i % 2)) = 0 ] && base="0x11 8388608"
  out=$("$IO" "$img" verify "$T/log$i" $base 2>&1) || { echo "FAIL: iteration $i ($opts): $out"; exit 1; }
  echo "iteration $i ($opts): $out"
  # Opening for writing repairs an image left dirty by lazy refcounts.
  "$IO" "$img" flush || { echo "FAIL: iteration $i ($opts): reopen"; exit 1; }
  qemu-img check -q "$img" 2>/dev/null; rc=$?
  if [ $rc != 0 ] && [ $rc != 3 ]; then
    echo "FAIL: iteration $i ($opts): qemu-img check exit $rc"
    qemu-img check "$img" 2>&1 | tail -5
    exit 1
  fi
done
echo "PASS: $N crash iterations"
