# shellcheck shell=bash
# Shared settings of the guest-image recipes (sourced, not run).
#   OUT   output directory (default: <checkout>/build/guests), laid out like
#         /work/shared/guests/images: riscv64/{Image,initramfs.cpio.gz,...}, disk-ext4.img
#   WORK  scratch space for sources and objects (default: $OUT/work); reused by later runs
#   JOBS  parallel make jobs (default: nproc)   NICE  prefix of the long builds (default: nice -n 19)
set -euo pipefail
GUESTS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${OUT:-$GUESTS_SRC/../../build/guests}" && cd "${OUT:-$GUESTS_SRC/../../build/guests}" && pwd)
WORK=${WORK:-$OUT/work}
JOBS=${JOBS:-$(nproc)}
NICE=${NICE:-nice -n 19}
mkdir -p "$WORK"
# Reproducible output: fixed build time/user/host for kbuild, busybox, cpio and mke2fs
# (2024-01-01 00:00:00 UTC). See https://reproducible-builds.org/specs/source-date-epoch/
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
export KBUILD_BUILD_TIMESTAMP="${KBUILD_BUILD_TIMESTAMP:-$(date -u -d "@$SOURCE_DATE_EPOCH")}"
export KBUILD_BUILD_USER=mimic KBUILD_BUILD_HOST=mimic KBUILD_BUILD_VERSION=1
export LC_ALL=C TZ=UTC

# need_pkgs PKG... : apt-get install the packages that are not installed yet
# (through sudo -n when not root, like scripts/setup.sh).
need_pkgs() {
  local missing=() p sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "guests: installing ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || echo "guests: warning: apt-get update reported errors" >&2
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# step MESSAGE : progress line with the elapsed time of the whole run
GUESTS_T0=${GUESTS_T0:-$(date +%s)}
export GUESTS_T0
step() { echo "guests [$(($(date +%s) - GUESTS_T0))s] $*"; }
