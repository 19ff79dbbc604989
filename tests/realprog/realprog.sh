#!/usr/bin/env bash
# Real programs from Debian source packages, built natively and for riscv64
# (static, with the cross compiler) and compared under the emulator.
#
#   realprog.sh prepare CACHE             fetch sources (apt-get source) and build
#   realprog.sh lua     CACHE RUNNER      run test.lua natively and emulated; compare
#   realprog.sh bzip2   CACHE RUNNER      compress/decompress natively and emulated;
#                                         the compressed bytes must be identical
#
# CACHE (build/realprog by default) keeps the sources and binaries, so a rerun
# only runs the comparisons. `apt-get source` needs a deb-src line for
# bookworm main; `prepare` adds /etc/apt/sources.list.d/mimic-deb-src.sources
# and runs apt-get update when none is configured (as root or through sudo -n).
# RUNNER may hold arguments ("qemu-riscv64").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:?usage: realprog.sh prepare|lua|bzip2 CACHE [RUNNER]}"
cache="${2:?missing CACHE directory}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
packages=(lua5.4 bzip2)
cflags=(-O2 -static -w)

exec 3>&2  # timing lines and progress go here even when stderr is captured
log() { echo "realprog: $*" >&3; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

ensure_deb_src() {
  if apt-cache showsrc "${packages[0]}" 2>/dev/null | grep -q '^Package:'; then
    return 0
  fi
  log "no deb-src entry for bookworm main: adding /etc/apt/sources.list.d/mimic-deb-src.sources"
  as_root tee /etc/apt/sources.list.d/mimic-deb-src.sources > /dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  as_root apt-get update -qq >&2
}

# Unpacked source tree of package $1 (fetched once into $cache/src).
source_dir() {
  local dir
  dir="$(ls -d "$cache/src/$1"-*/ 2>/dev/null | head -n 1 || true)"
  if [ -z "$dir" ]; then
    ensure_deb_src
    mkdir -p "$cache/src"
    log "apt-get source $1"
    (cd "$cache/src" && apt-get source -qq "$1" > apt-source-"$1".log 2>&1) || {
      cat "$cache/src/apt-source-$1.log" >&2
      echo "realprog: apt-get source $1 failed" >&2
      exit 1
    }
    dir="$(ls -d "$cache/src/$1"-*/ | head -n 1)"
  fi
  echo "${dir%/}"
}

# build_lua ARCH CC: Lua's own makefile is skipped; its sources compile as-is
# with LUA_USE_POSIX (no dlopen or readline, so it links statically).
build_lua() {
  local arch="$1" cc="$2" src out inc triplet
  src="$(source_dir lua5.4)"
  out="$cache/$arch"
  [ -x "$out/lua" ] && [ "$out/lua" -nt "$src/src/lua.c" ] && return 0
  mkdir -p "$out"
  inc="$out/lua-include"
  mkdir -p "$inc"
  # Debian's luaconf.h includes a generated header naming the multiarch triplet.
  triplet="$arch-linux-gnu"
  echo "#define DEB_HOST_MULTIARCH \"$triplet\"" > "$inc/lua5.4-deb-multiarch.h"
  log "building lua for $arch"
  local sources=()
  for f in "$src"/src/*.c; do
    case "$(basename "$f")" in luac.c | onelua.c) ;; *) sources+=("$f") ;; esac
  done
  "$cc" "${cflags[@]}" -std=gnu99 -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -I"$inc" -o "$out/lua" "${sources[@]}" -lm
}

build_bzip2() {
  local arch="$1" cc="$2" src out
  src="$(source_dir bzip2)"
  out="$cache/$arch"
  [ -x "$out/bzip2" ] && [ "$out/bzip2" -nt "$src/bzip2.c" ] && return 0
  mkdir -p "$out"
  log "building bzip2 for $arch"
  (cd "$src" && "$cc" "${cflags[@]}" -D_FILE_OFFSET_BITS=64 -o "$out/bzip2" \
    blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c bzlib.c bzip2.c)
}

prepare() {
  # Two build directories may share one cache (build/ and build-asan/).
  exec 9> "$cache/.lock"
  flock 9
  for arch_cc in "x86_64 gcc" "riscv64 riscv64-linux-gnu-gcc"; do
    read -r arch cc <<< "$arch_cc"
    build_lua "$arch" "$cc"
    build_bzip2 "$arch" "$cc"
  done
  log "ready: lua and bzip2 for x86_64 and riscv64 in $cache"
}

# Runs "$@" with a timing line on stderr; stdout and exit status pass through.
timed() {
  local t0 t1 status=0
  t0=$(date +%s%N)
  "$@" || status=$?
  t1=$(date +%s%N)
  local ms=$(((t1 - t0) / 1000000))
  printf 'realprog: %4d.%03ds  %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&3
  return $status
}

compare_files() {  # compare_files WHAT EXPECTED ACTUAL
  if cmp -s "$2" "$3"; then
    log "$1: identical ($(wc -c < "$2") bytes)"
  else
    echo "realprog: FAIL: $1 differs"
    diff -u --label expected --label actual <(od -An -c "$2" | head -c 100000) <(od -An -c "$3" | head -c 100000) | head -n 60 || true
    return 1
  fi
}

# The scratch directory of this run, removed on every exit path.
work="$(mktemp -d "${TMPDIR:-/tmp}/mimic-realprog.XXXXXX")"
trap 'rm -rf "$work"' EXIT

run_lua() {
  local runner="$1" w status
  read -r -a emu <<< "$runner"
  w="$work"
  mkdir -p "$w/native" "$w/emulated"
  cp "$here/test.lua" "$w/native/" && cp "$here/test.lua" "$w/emulated/"
  status=0
  (cd "$w/native" && timed "$cache/x86_64/lua" test.lua > ../native.out 2>&1) || status=$?
  echo "exit status: $status" >> "$w/native.out"
  status=0
  (cd "$w/emulated" && timed "${emu[@]}" "$cache/riscv64/lua" test.lua > ../emulated.out 2>&1) || status=$?
  echo "exit status: $status" >> "$w/emulated.out"
  if cmp -s "$w/native.out" "$w/emulated.out"; then
    log "lua: output identical ($(wc -l < "$w/native.out") lines)"
    tail -n 3 "$w/native.out"
  else
    echo "realprog: FAIL: lua output differs"
    diff -u --label native --label emulated "$w/native.out" "$w/emulated.out" | head -n 100
    return 1
  fi
}

run_bzip2() {
  local runner="$1" w src_l src_b
  read -r -a emu <<< "$runner"
  w="$work"
  # Input: program text (compressible) followed by machine code (less so).
  src_l="$(source_dir lua5.4)"
  src_b="$(source_dir bzip2)"
  cat "$src_l"/src/*.c "$src_b"/*.c "$cache/x86_64/lua" > "$w/input"
  truncate -s 1200000 "$w/input"
  local fail=0
  for level in 9 1; do
    timed "$cache/x86_64/bzip2" -"$level" -c "$w/input" > "$w/native.bz2"
    timed "${emu[@]}" "$cache/riscv64/bzip2" -"$level" -c "$w/input" > "$w/emulated.bz2"
    compare_files "bzip2 -$level compressed bytes" "$w/native.bz2" "$w/emulated.bz2" || fail=1
    timed "${emu[@]}" "$cache/riscv64/bzip2" -d -c "$w/native.bz2" > "$w/roundtrip"
    compare_files "bzip2 -$level decompressed" "$w/input" "$w/roundtrip" || fail=1
  done
  # Integrity test of a corrupted stream: both must reject it the same way.
  cp "$w/native.bz2" "$w/bad.bz2"
  printf '\x55\xaa\x55' | dd of="$w/bad.bz2" bs=1 seek=2000 conv=notrunc status=none
  local ns=0 es=0
  "$cache/x86_64/bzip2" -t "$w/bad.bz2" 2> /dev/null || ns=$?
  "${emu[@]}" "$cache/riscv64/bzip2" -t "$w/bad.bz2" 2> /dev/null || es=$?
  if [ "$ns" -ne 0 ] && [ "$ns" -eq "$es" ]; then
    log "bzip2 -t on a corrupted file: both exit $ns"
  else
    echo "realprog: FAIL: bzip2 -t on a corrupted file: native $ns, emulated $es"
    fail=1
  fi
  return $fail
}

case "$cmd" in
  prepare) prepare ;;
  lua) run_lua "${3:?missing RUNNER}" ;;
  bzip2) run_bzip2 "${3:?missing RUNNER}" ;;
  *) echo "realprog.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
