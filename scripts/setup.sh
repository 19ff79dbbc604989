#!/usr/bin/env bash
# Installs the Debian packages mimic needs to build and test, only if missing.
# Run by `make`, `make test` and `make demo`; safe to run again.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libgtest-dev            # unit tests
  libxbyak-dev            # x86-64 JIT backend
  libcapstone-dev         # host disassembly for -d out_asm
  libfdt-dev              # device trees (system mode)
  zlib1g-dev libzstd-dev  # qcow2 compressed clusters
  opensbi                 # default -bios of mimic-system-riscv64 (fw_dynamic.bin)
  device-tree-compiler    # dtc: tests check the generated device tree with it
  qemu-utils              # qemu-img: interop peer of mimic-img in the tests
  clang libclang-rt-14-dev  # libFuzzer targets (tests/fuzz)
  gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross
  qemu-user               # test oracle and benchmark peer only
  qemu-system-misc        # qemu-system-riscv64: oracle and boot-time peer (tests, bench)
  dpkg-dev                # apt-get source (tests/realprog)
  python3                 # bench/run.sh
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
# No password prompt: CI has no standard input.
[ "$(id -u)" -ne 0 ] && sudo="sudo -n"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
