#!/usr/bin/env python3
"""Start-up time: a dynamically linked hello world under mimic-riscv64 and
qemu-riscv64 (-L SYSROOT), alternating runs, median wall time of each.

  bench/startup.py [--mimic build/mimic-riscv64] [--runs 20] [--tiers "0 32"]

Builds the program with riscv64-linux-gnu-gcc into a temporary directory.
--tiers runs mimic once per MIMIC_TIER_THRESHOLD value in each round (0: every
block compiled by the JIT at once; empty: mimic's default).
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def timed(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", default="build/mimic-riscv64")
    ap.add_argument("--qemu", default="qemu-riscv64")
    ap.add_argument("--sysroot", default="/usr/riscv64-linux-gnu")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--tiers", default="")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src, prog = os.path.join(d, "hello.c"), os.path.join(d, "hello")
        with open(src, "w") as f:
            f.write('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
        subprocess.run(["riscv64-linux-gnu-gcc", "-O2", src, "-o", prog], check=True)
        variants = [("mimic" + (f" tier {t}" if t else ""), a.mimic, t) for t in (a.tiers.split() or [""])]
        variants.append(("qemu", a.qemu, None))
        times = {name: [] for name, _, _ in variants}
        for _ in range(a.runs):
            for name, exe, tier in variants:
                env = dict(os.environ)
                if tier:
                    env["MIMIC_TIER_THRESHOLD"] = tier
                times[name].append(timed([exe, "-L", a.sysroot, prog], env))
        for name, v in times.items():
            print(f"{name:14s} median {statistics.median(v) * 1e3:6.2f} ms over {len(v)} runs")


if __name__ == "__main__":
    main()
