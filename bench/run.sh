#!/usr/bin/env bash
# Benchmarks: build/mimic-riscv64 against native x86-64 and Debian's
# qemu-riscv64, measured side by side. Not a test: it only reports figures.
#
#   bench/run.sh                  (or `make bench`)
#
# It builds the benchmark kit (BENCH_KIT, default /work/shared/bench: small C
# programs and Lua 5.4, see its README.md) statically for x86_64 and riscv64,
# checks that every emulated run prints the native checksum, then times
# native, qemu-riscv64 and mimic-riscv64 in turn (round robin, RUNS timed
# rounds after WARMUP rounds) and writes a Markdown table of median times and
# median per-round ratios to $OUT/results.md (docs/PERF.md quotes it).
#
# Environment: BENCH_KIT, OUT [build/bench], MIMIC [build/mimic-riscv64],
# QEMU [qemu-riscv64], BENCHES [all], RUNS [5], WARMUP [1], SKIP_BUILD=1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kit="${BENCH_KIT:-/work/shared/bench}"
out="${OUT:-$root/build/bench}"
mimic="${MIMIC:-$root/build/mimic-riscv64}"
qemu="${QEMU:-qemu-riscv64}"
runs="${RUNS:-5}"
warmup="${WARMUP:-1}"
benches="${BENCHES:-sha1 interp matmul nbody sort alloc bitops strops syscall threads lua}"

[ -x "$kit/build.sh" ] || { echo "bench: no benchmark kit at $kit (set BENCH_KIT)" >&2; exit 1; }
[ -x "$mimic" ] || { echo "bench: $mimic not built (run make)" >&2; exit 1; }
command -v "$qemu" > /dev/null || { echo "bench: $qemu not found (scripts/setup.sh installs qemu-user)" >&2; exit 1; }
mkdir -p "$out"
bin="$out/bin"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # Reuse the Lua sources tests/realprog fetched, if any.
  lua_src="$(ls -d "$root"/build/realprog/src/lua5.4-*/ 2> /dev/null | head -n 1 || true)"
  [ -n "$lua_src" ] && export LUA_SRC="$lua_src"
  ARCHES="x86_64 riscv64" BUILD="$bin" "$kit/build.sh" > "$out/build.log" 2>&1 || {
    cat "$out/build.log"
    exit 1
  }
fi

bench_args() {  # arguments after the program for benchmark $1
  case "$1" in lua) echo "$kit/lua/bench.lua" ;; *) echo "" ;; esac
}

tsv="$out/times.tsv"
rm -f "$tsv"
{
  echo "# bench/run.sh $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "# host: $(uname -srm), $(nproc) cpus,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# mimic: $mimic ($("$mimic" -version 2> /dev/null | head -n 1 || echo 'version unknown'))"
  echo "# qemu: $("$qemu" --version | head -n 1)"
  echo "# runs $runs, warmup $warmup, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/log.txt"

status=0
for b in $benches; do
  native="$bin/x86_64/$b" guest="$bin/riscv64/$b"
  if [ ! -x "$native" ] || [ ! -x "$guest" ]; then
    echo "skip $b: not built" | tee -a "$out/log.txt"
    continue
  fi
  args=$(bench_args "$b")
  want="$("$native" $args 2> /dev/null)"
  ok=1
  for emu in "$qemu" "$mimic"; do
    got="$("$emu" "$guest" $args 2> /dev/null || true)"
    if [ "$got" != "$want" ]; then
      echo "CHECKSUM MISMATCH $b under $emu: '$got' (native '$want')" | tee -a "$out/log.txt"
      ok=0
      status=1
    fi
  done
  [ "$ok" = 1 ] || continue
  python3 "$root/bench/roundrobin.py" time --name "$b" --tsv "$tsv" --runs "$runs" --warmup "$warmup" -- \
    native="$native" $args --- qemu="$qemu" "$guest" $args --- mimic="$mimic" "$guest" $args | tee -a "$out/log.txt"
done

if [ -f "$tsv" ]; then
  {
    echo "Measured by \`bench/run.sh\` (RUNS=$runs) on $(date -u '+%Y-%m-%d'), $(nproc) cpus,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)."
    echo "Times are medians of wall time; ratios are medians of per-round ratios (lower is better)."
    echo
    python3 "$root/bench/roundrobin.py" table "$tsv"
  } > "$out/results.md"
  echo
  cat "$out/results.md"
  echo
  echo "bench: table in $out/results.md, log in $out/log.txt"
fi
exit $status
