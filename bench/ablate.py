#!/usr/bin/env python3
"""Before/after figures for one JIT optimization, measured side by side.

Runs each benchmark with the optimization switched off (the environment
settings given with --off) and on (the default), alternating off/on RUNS
times, and prints the median CPU time (user + system, which a busy machine
disturbs less than wall time) of each and the median per-pair ratio.
Every run's output must equal the first run's (the benchmark checksum).

  bench/ablate.py --mimic build/mimic-riscv64 --bin /path/to/bench/bin/riscv64 \\
      --off MIMIC_NO_REGIONS=1 --runs 3 sha1 sort lua
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys


def run(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--bin", required=True, help="directory of riscv64 benchmark binaries")
    ap.add_argument("--kit", default="/work/shared/bench", help="benchmark kit (lua/bench.lua)")
    ap.add_argument("--off", action="append", default=[], help="VAR=VALUE that turns the optimization off")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("benches", nargs="+")
    a = ap.parse_args()
    off_env = dict(os.environ)
    for kv in a.off:
        k, _, v = kv.partition("=")
        off_env[k] = v
    on_env = dict(os.environ)
    print(f"| benchmark | off ({' '.join(a.off)}) CPU s | on CPU s | off/on |")
    print("|---|---:|---:|---:|")
    for b in a.benches:
        cmd = [a.mimic, os.path.join(a.bin, b)]
        if b == "lua":
            cmd.append(os.path.join(a.kit, "lua", "bench.lua"))
        offs, ons, ratios, ref = [], [], [], None
        for _ in range(a.runs):
            t_off, o1 = run(cmd, off_env)
            t_on, o2 = run(cmd, on_env)
            ref = ref or o1
            if o1 != ref or o2 != ref:
                sys.exit(f"{b}: output differs between runs")
            offs.append(t_off)
            ons.append(t_on)
            ratios.append(t_off / t_on)
        print(f"| {b} | {statistics.median(offs):.2f} | {statistics.median(ons):.2f} | {statistics.median(ratios):.2f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
