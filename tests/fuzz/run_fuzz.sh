#!/bin/bash
# Runs the qcow2 fuzzer briefly on a seed corpus of small images made here.
# usage: run_fuzz.sh FUZZER MIMIC_IMG SECONDS
set -eu
FUZZ=$(realpath "$1")
M=$(realpath "$2")
SECS=${3:-20}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/corpus"
cd "$T"
n=0
seed() { n=$((n + 1)); cp "$1" "corpus/seed$n"; }
for o in "compat=0.10,cluster_size=512" "cluster_size=512,refcount_bits=1" "cluster_size=4k,refcount_bits=64" "cluster_size=1k,compression_type=zstd" "cluster_size=512,lazy_refcounts=on"; do
  "$M" create -q -f qcow2 -o $o a.qcow2 1M
  seed a.qcow2
  head -c 65536 /dev/urandom > r.raw
  head -c 65536 /dev/zero >> r.raw
  "$M" convert -O qcow2 -o $o r.raw b.qcow2 && seed b.qcow2
  "$M" convert -c -O qcow2 -o $o r.raw c.qcow2 && seed c.qcow2
  "$M" snapshot -c s1 b.qcow2 && seed b.qcow2
done
"$M" create -q -f qcow2 -o cluster_size=512 -b a.qcow2 -F qcow2 d.qcow2 && seed d.qcow2
# -rss_limit_mb bounds memory; -timeout flags a hang on any single input.
"$FUZZ" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 corpus 2>&1 | tail -5
