#!/usr/bin/env bash
# Runs one bare-metal test program on the virt machine; its exit status is
# the test's (0 = the program wrote "pass" to the sifive_test device).
# usage: run_baremetal.sh EMULATOR PROGRAM.elf
set -u
emu=$1 elf=$2
exec "$emu" -M virt -bios none -m 128M -nographic -no-reboot -kernel "$elf" </dev/null
