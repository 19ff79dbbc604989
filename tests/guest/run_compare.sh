#!/usr/bin/env bash
# Runs one guest test program under the emulator and checks what it did.
#
#   run_compare.sh --runner CMD --mode compare  --host PROG --guest PROG [options]
#   run_compare.sh --runner CMD --mode expected --expected FILE --guest PROG [options]
#   run_compare.sh --runner CMD --mode exit0    --guest PROG [options]
# options: --sysroot DIR (passed to the runner as -L DIR), --timeout SECONDS,
#          --args-file FILE (program arguments, one per line; both runs get them)
#
# The observed result of a run is its stdout followed by a line
# "exit status: N" (N = 128 + signal number when killed by a signal).
#   compare:  the host program's result is the expected one.
#   expected: FILE is; a FILE without a final "exit status:" line expects 0.
#   exit0:    only the status must be 0 (stdout is shown on failure).
# A mismatch prints a unified diff and the guest's stderr, and fails.
#
# Each run gets a fresh private temporary directory as its working directory
# (also $HOME and $TMPDIR), stdin from /dev/null, and a fixed environment;
# variables that steer the emulator itself (MIMIC_*, ASAN/UBSAN/LSAN_OPTIONS)
# are passed through. RUNNER may hold arguments ("qemu-riscv64 -cpu rv64").
set -uo pipefail

runner="" mode="" host="" guest="" expected="" sysroot="" timeout_s=60 args_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runner) runner="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --guest) guest="$2"; shift 2 ;;
    --expected) expected="$2"; shift 2 ;;
    --sysroot) sysroot="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --args-file) args_file="$2"; shift 2 ;;
    *) echo "run_compare.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$runner" ] && [ -n "$mode" ] && [ -n "$guest" ] || {
  echo "run_compare.sh: --runner, --mode and --guest are required" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/mimic-guest.XXXXXX")" || exit 2
trap 'rm -rf "$work"' EXIT

# Environment seen by both the native and the emulated program.
base_env=(PATH=/usr/bin:/bin LC_ALL=C LANG=C MIMIC_TEST_GREETING=hello-guest
          "MIMIC_TEST_SPACES=a b  c")
passthrough=()
while IFS='=' read -r var _; do
  case "$var" in
    MIMIC_*|ASAN_OPTIONS|UBSAN_OPTIONS|LSAN_OPTIONS) passthrough+=("$var=${!var}") ;;
  esac
done < <(env)

# run_one NAME CMD... : runs CMD in its own directory $work/NAME, leaving
# $work/NAME.out (stdout + status line) and $work/NAME.err (stderr).
run_one() {
  local name="$1"; shift
  local dir="$work/$name"
  mkdir -p "$dir"
  (
    cd "$dir" || exit 2
    ulimit -c 0
    exec env -i "${base_env[@]}" "${passthrough[@]}" HOME="$dir" TMPDIR="$dir" \
      timeout -k 5 "$timeout_s" "$@" < /dev/null > "$work/$name.out" 2> "$work/$name.err"
  )
  local status=$?
  echo "exit status: $status" >> "$work/$name.out"
  if [ "$status" -eq 124 ]; then
    echo "run_compare.sh: $name run timed out after ${timeout_s}s: $*"
    timed_out=1
  fi
}
timed_out=0

prog_args=()
[ -n "$args_file" ] && mapfile -t prog_args < "$args_file"
read -r -a runner_cmd <<< "$runner"
guest_cmd=("${runner_cmd[@]}")
[ -n "$sysroot" ] && guest_cmd+=(-L "$sysroot")
guest_cmd+=("$guest" "${prog_args[@]}")

show_stderr() {
  if [ -s "$work/guest.err" ]; then
    echo "--- guest stderr (last 40 lines) ---"
    tail -n 40 "$work/guest.err"
  fi
}

run_one guest "${guest_cmd[@]}"

case "$mode" in
  compare)
    [ -n "$host" ] || { echo "run_compare.sh: --mode compare needs --host" >&2; exit 2; }
    run_one host "$host" "${prog_args[@]}"
    want="$work/host.out"
    want_label="expected (native $(basename "$host"))"
    ;;
  expected)
    [ -f "$expected" ] || { echo "run_compare.sh: no expected file '$expected'" >&2; exit 2; }
    want="$work/expected.out"
    cp "$expected" "$want"
    tail -n 1 "$want" | grep -q '^exit status: [0-9]*$' || echo "exit status: 0" >> "$want"
    want_label="expected ($(basename "$expected"))"
    ;;
  exit0)
    if [ "$timed_out" -eq 0 ] && tail -n 1 "$work/guest.out" | grep -qx 'exit status: 0'; then
      echo "PASS: ${guest_cmd[*]}"
      exit 0
    fi
    echo "FAIL: ${guest_cmd[*]}"
    echo "--- guest stdout (last 40 lines) ---"
    tail -n 40 "$work/guest.out"
    show_stderr
    exit 1
    ;;
  *) echo "run_compare.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac

if [ "$timed_out" -eq 0 ] && cmp -s "$want" "$work/guest.out"; then
  echo "PASS: ${guest_cmd[*]} ($(wc -l < "$want") lines match)"
  exit 0
fi
echo "FAIL: ${guest_cmd[*]}: output differs or a run timed out"
diff -u --label "$want_label" --label "actual (${runner_cmd[0]##*/})" "$want" "$work/guest.out" | head -n 200
show_stderr
exit 1
